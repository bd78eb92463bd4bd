package org.pixframework.fiji;

import ij.gui.Roi;
import ij.process.ImageProcessor;
import java.awt.Point;
import java.awt.Rectangle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ROIs as sparse labels: each ROI's pixels get its class index, in one label array over the bounding box
 * of all of them (zeros elsewhere, which keep the labels already on the server).
 */
public final class RoiLabels {
    private RoiLabels() {
    }

    /** A ROI, the class index (1..C) its pixels get, and its z plane (0-based; 0 for 2D images). */
    public static final class ClassRoi {
        final Roi roi;
        final int classIndex;
        final int z;

        public ClassRoi(Roi roi, int classIndex, int z) {
            this.roi = roi;
            this.classIndex = classIndex;
            this.z = z;
        }
    }

    /** Labels to send: the array ((z)yx), where it starts ((z)yx) and labelled pixels per class. */
    public static final class Patch {
        public final ArrayData labels;
        public final long[] offset;
        /** Element i: pixels labelled with class i (index 0 unused); later ROIs win where ROIs overlap. */
        public final long[] pixelsPerClass;

        Patch(ArrayData labels, long[] offset, long[] pixelsPerClass) {
            this.labels = labels;
            this.offset = offset;
            this.pixelsPerClass = pixelsPerClass;
        }
    }

    /** The pixels one ROI covers, clipped to the image: a box and a mask over it. */
    private static final class Footprint {
        final int x0;
        final int y0;
        final int width;
        final int height;
        final boolean[] inside;

        Footprint(int x0, int y0, int width, int height, boolean[] inside) {
            this.x0 = x0;
            this.y0 = y0;
            this.width = width;
            this.height = height;
            this.inside = inside;
        }
    }

    /**
     * Rasterize {@code rois} over an image of {@code width} x {@code height} pixels and {@code depth} planes.
     * Area ROIs label the pixels ImageJ counts as inside them (its own masks); lines wider than one pixel
     * label their area, thin lines and points label the pixels they pass through.
     *
     * @param spatial3d whether the image has a z axis (then labels are (z, y, x), else (y, x))
     * @param classCount number of classes in the project (chooses uint8 or uint16 labels)
     * @throws BridgeException when no ROI covers any pixel of the image
     */
    public static Patch rasterize(List<ClassRoi> rois, int width, int height, int depth, boolean spatial3d,
                                  int classCount) {
        List<Footprint> footprints = new ArrayList<>();
        int bx0 = Integer.MAX_VALUE;
        int by0 = Integer.MAX_VALUE;
        int bz0 = Integer.MAX_VALUE;
        int bx1 = -1;
        int by1 = -1;
        int bz1 = -1;
        for (ClassRoi item : rois) {
            if (item.z < 0 || item.z >= depth) {
                throw BridgeException.input("ROI '" + item.roi.getName() + "' lies on slice " + (item.z + 1)
                        + " but the image has " + depth);
            }
            Footprint f = footprint(item.roi, width, height);
            footprints.add(f);
            if (f == null) {
                continue;
            }
            bx0 = Math.min(bx0, f.x0);
            by0 = Math.min(by0, f.y0);
            bz0 = Math.min(bz0, item.z);
            bx1 = Math.max(bx1, f.x0 + f.width);
            by1 = Math.max(by1, f.y0 + f.height);
            bz1 = Math.max(bz1, item.z + 1);
        }
        if (bx1 < 0) {
            throw BridgeException.input("the ROIs cover no pixel of the image (are they on this image?)");
        }
        int w = bx1 - bx0;
        int h = by1 - by0;
        int d = bz1 - bz0;
        int[] values = new int[w * h * d];
        for (int i = 0; i < rois.size(); i++) {
            Footprint f = footprints.get(i);
            if (f == null) {
                continue;
            }
            ClassRoi item = rois.get(i);
            int planeStart = (item.z - bz0) * w * h;
            for (int y = 0; y < f.height; y++) {
                int row = planeStart + (f.y0 - by0 + y) * w + (f.x0 - bx0);
                for (int x = 0; x < f.width; x++) {
                    if (f.inside[y * f.width + x]) {
                        values[row + x] = item.classIndex;
                    }
                }
            }
        }
        long[] counts = new long[classCount + 1];
        boolean wide = classCount > 255;
        ByteBuffer bytes = ArrayData.allocate(values.length, wide ? 2 : 1, "the labels");
        for (int v : values) {
            counts[v]++;
            if (wide) {
                bytes.putShort((short) v);
            } else {
                bytes.put((byte) v);
            }
        }
        counts[0] = 0;
        String dtype = wide ? "uint16" : "uint8";
        if (spatial3d) {
            return new Patch(new ArrayData(dtype, new long[] {d, h, w}, "zyx", bytes.array()),
                    new long[] {bz0, by0, bx0}, counts);
        }
        return new Patch(new ArrayData(dtype, new long[] {h, w}, "yx", bytes.array()), new long[] {by0, bx0}, counts);
    }

    /** Pixels of {@code roi} inside the image, or null when it covers none. */
    private static Footprint footprint(Roi roi, int width, int height) {
        if (roi.isLine() && roi.getStrokeWidth() > 1) {
            Roi area = Roi.convertLineToArea(roi);
            if (area != null) {
                roi = area;
            }
        }
        if (roi.isLine() || roi.getType() == Roi.POINT) {
            return fromPoints(roi.getContainedPoints(), width, height);
        }
        Rectangle bounds = roi.getBounds();
        int x0 = Math.max(bounds.x, 0);
        int y0 = Math.max(bounds.y, 0);
        int x1 = Math.min(bounds.x + bounds.width, width);
        int y1 = Math.min(bounds.y + bounds.height, height);
        if (x1 <= x0 || y1 <= y0) {
            return null;
        }
        ImageProcessor mask = roi.getMask();  // null for a plain rectangle: every pixel is inside
        boolean[] inside = new boolean[(x1 - x0) * (y1 - y0)];
        boolean any = false;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                boolean in = mask == null || mask.get(x - bounds.x, y - bounds.y) != 0;
                inside[(y - y0) * (x1 - x0) + (x - x0)] = in;
                any |= in;
            }
        }
        return any ? new Footprint(x0, y0, x1 - x0, y1 - y0, inside) : null;
    }

    private static Footprint fromPoints(Point[] points, int width, int height) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        List<Point> kept = new ArrayList<>();
        for (Point p : points) {
            if (p.x >= 0 && p.y >= 0 && p.x < width && p.y < height) {
                kept.add(p);
                x0 = Math.min(x0, p.x);
                y0 = Math.min(y0, p.y);
                x1 = Math.max(x1, p.x + 1);
                y1 = Math.max(y1, p.y + 1);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        boolean[] inside = new boolean[(x1 - x0) * (y1 - y0)];
        for (Point p : kept) {
            inside[(p.y - y0) * (x1 - x0) + (p.x - x0)] = true;
        }
        return new Footprint(x0, y0, x1 - x0, y1 - y0, inside);
    }
}
