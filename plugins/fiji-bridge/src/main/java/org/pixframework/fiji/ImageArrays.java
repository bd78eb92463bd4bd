package org.pixframework.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import java.nio.ByteBuffer;

/** ImageJ images as wire arrays: pixel types, stack order and axes letters. */
public final class ImageArrays {
    private ImageArrays() {
    }

    /**
     * The pixels of {@code imp} as an array to upload, in ImageJ's own stack order (no reordering here;
     * the server moves axes to canonical order):
     * grey 8/16/32-bit images give uint8/uint16/float32 with axes "yx", "cyx", "zyx" or "zcyx";
     * RGB images give uint8 with axes "yxc" or "zyxc" (3 channels).
     *
     * @throws BridgeException for time series (more than one frame) and multi-channel RGB images
     */
    public static ArrayData pixels(ImagePlus imp) {
        int width = imp.getWidth();
        int height = imp.getHeight();
        int channels = imp.getNChannels();
        int depth = imp.getNSlices();
        if (imp.getNFrames() > 1) {
            throw BridgeException.input("'" + imp.getTitle() + "' is a time series (" + imp.getNFrames()
                    + " frames); pick one frame (Image > Duplicate...) or use Image > Properties to call them slices");
        }
        ImageStack stack = imp.getStack();
        long plane = (long) width * height;
        if (imp.getBitDepth() == 24) {
            if (channels > 1) {
                throw BridgeException.input("'" + imp.getTitle() + "' is an RGB image with several channels; "
                        + "convert it first (Image > Type)");
            }
            ByteBuffer out = ArrayData.allocate(plane * depth * 3, 1, "image '" + imp.getTitle() + "'");
            for (int z = 1; z <= depth; z++) {
                int[] rgb = (int[]) stack.getPixels(imp.getStackIndex(1, z, 1));
                for (int v : rgb) {
                    out.put((byte) (v >> 16)).put((byte) (v >> 8)).put((byte) v);
                }
            }
            long[] shape = depth > 1 ? new long[] {depth, height, width, 3} : new long[] {height, width, 3};
            return new ArrayData("uint8", shape, depth > 1 ? "zyxc" : "yxc", out.array());
        }
        String dtype;
        int itemSize;
        switch (imp.getBitDepth()) {
            case 8:
                dtype = "uint8";
                itemSize = 1;
                break;
            case 16:
                dtype = "uint16";
                itemSize = 2;
                break;
            case 32:
                dtype = "float32";
                itemSize = 4;
                break;
            default:
                throw BridgeException.input("'" + imp.getTitle() + "' has an unsupported pixel type ("
                        + imp.getBitDepth() + "-bit)");
        }
        ByteBuffer out = ArrayData.allocate(plane * depth * channels, itemSize, "image '" + imp.getTitle() + "'");
        // ImageJ orders planes c fastest, then z: exactly the C order of axes "zcyx".
        for (int z = 1; z <= depth; z++) {
            for (int c = 1; c <= channels; c++) {
                Object pixels = stack.getPixels(imp.getStackIndex(c, z, 1));
                if (pixels instanceof byte[]) {
                    out.put((byte[]) pixels);
                } else if (pixels instanceof short[]) {
                    for (short v : (short[]) pixels) {
                        out.putShort(v);
                    }
                } else {
                    for (float v : (float[]) pixels) {
                        out.putFloat(v);
                    }
                }
            }
        }
        StringBuilder axes = new StringBuilder();
        long[] shape = new long[(depth > 1 ? 1 : 0) + (channels > 1 ? 1 : 0) + 2];
        int d = 0;
        if (depth > 1) {
            axes.append('z');
            shape[d++] = depth;
        }
        if (channels > 1) {
            axes.append('c');
            shape[d++] = channels;
        }
        shape[d++] = height;
        shape[d] = width;
        return new ArrayData(dtype, shape, axes.append("yx").toString(), out.array());
    }

    /** Spatial shape ((z)yx) of {@code imp} as the server sees it. */
    public static long[] spatialShape(ImagePlus imp) {
        return imp.getNSlices() > 1
                ? new long[] {imp.getNSlices(), imp.getHeight(), imp.getWidth()}
                : new long[] {imp.getHeight(), imp.getWidth()};
    }

    /** Channels of {@code imp} as the server counts them (3 for RGB). */
    public static int channelCount(ImagePlus imp) {
        return imp.getBitDepth() == 24 ? 3 : imp.getNChannels();
    }

    /** The wire dtype {@code imp} uploads as. */
    public static String dtype(ImagePlus imp) {
        switch (imp.getBitDepth()) {
            case 16:
                return "uint16";
            case 32:
                return "float32";
            default:
                return "uint8";
        }
    }
}
