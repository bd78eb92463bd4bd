package org.pixframework.fiji;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.util.List;
import org.pixframework.v1.LabelClass;

/** Predictions as ImageJ images: probabilities with one slice per class, segmentations with class colours. */
public final class ResultImages {
    private ResultImages() {
    }

    /**
     * Probabilities (float32, axes (z)yxc) as a 32-bit image with one slice per class, each slice named by
     * its class; 3D predictions become a hyperstack with the classes as channels.
     */
    public static ImagePlus probabilities(ArrayData array, List<LabelClass> classes, String title) {
        return channelStack(array, title, names(classes), 0.0, 1.0);
    }

    /** Uncertainty (float32, axes (z)yxc with one channel) as a 32-bit image. */
    public static ImagePlus uncertainty(ArrayData array, String title) {
        return channelStack(array, title, new String[] {"uncertainty"}, 0.0, 1.0);
    }

    /**
     * Segmentation (class index 1..C over (z)yx) as an 8-bit image (16-bit beyond 255 classes) whose lookup
     * table shows each class in its colour; the class names are in the image's Info (Image > Show Info).
     */
    public static ImagePlus segmentation(ArrayData array, List<LabelClass> classes, String title) {
        long[] shape = array.shape();
        boolean spatial3d = shape.length == 3;
        int depth = spatial3d ? (int) shape[0] : 1;
        int height = (int) shape[shape.length - 2];
        int width = (int) shape[shape.length - 1];
        int[] values = array.toInts();
        boolean wide = classes.size() > 255;
        ImageStack stack = new ImageStack(width, height);
        int plane = width * height;
        for (int z = 0; z < depth; z++) {
            ImageProcessor ip = wide ? new ShortProcessor(width, height) : new ByteProcessor(width, height);
            for (int i = 0; i < plane; i++) {
                ip.set(i, values[z * plane + i]);
            }
            stack.addSlice(spatial3d ? "z=" + (z + 1) : "segmentation", ip);
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setLut(classLut(classes));
        imp.setDisplayRange(0, 255);
        StringBuilder info = new StringBuilder("pixframework segmentation: pixel value = class index\n");
        for (LabelClass c : classes) {
            info.append(c.getIndex()).append(": ").append(c.getName()).append(" (").append(c.getColor()).append(")\n");
        }
        imp.setProperty("Info", info.toString());
        return imp;
    }

    /** Copy the source's pixel size and place the result's origin where the predicted box starts. */
    public static void calibrate(ImagePlus result, ImagePlus source, int x0, int y0) {
        Calibration cal = source.getCalibration().copy();
        cal.xOrigin -= x0;
        cal.yOrigin -= y0;
        result.setCalibration(cal);
    }

    private static ImagePlus channelStack(ArrayData array, String title, String[] channelNames, double min,
                                          double max) {
        long[] shape = array.shape();
        boolean spatial3d = shape.length == 4;
        int depth = spatial3d ? (int) shape[0] : 1;
        int height = (int) shape[shape.length - 3];
        int width = (int) shape[shape.length - 2];
        int channels = (int) shape[shape.length - 1];
        float[] values = array.toFloats();
        ImageStack stack = new ImageStack(width, height);
        int plane = width * height;
        for (int z = 0; z < depth; z++) {
            for (int c = 0; c < channels; c++) {
                float[] pixels = new float[plane];
                int base = z * plane * channels + c;
                for (int i = 0; i < plane; i++) {
                    pixels[i] = values[base + i * channels];  // (z)yxc: channels vary fastest
                }
                String name = c < channelNames.length ? channelNames[c] : "class " + (c + 1);
                stack.addSlice(name, new FloatProcessor(width, height, pixels));
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        if (spatial3d) {
            imp.setDimensions(channels, depth, 1);
            imp.setOpenAsHyperStack(channels > 1);
        }
        imp.setDisplayRange(min, max);
        return imp;
    }

    private static String[] names(List<LabelClass> classes) {
        String[] names = new String[classes.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = classes.get(i).getName();
        }
        return names;
    }

    /** 256 colours: black for 0 (unlabelled), the class colours for 1..C, grey beyond. */
    static LUT classLut(List<LabelClass> classes) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 1; i < 256; i++) {
            int rgb = 0x808080;
            if (i <= classes.size()) {
                String color = classes.get(i - 1).getColor();
                try {
                    rgb = Integer.parseInt(color.replace("#", ""), 16);
                } catch (NumberFormatException e) {
                    rgb = 0x808080;  // the server always sends #rrggbb; grey only guards against surprises
                }
            }
            r[i] = (byte) (rgb >> 16);
            g[i] = (byte) (rgb >> 8);
            b[i] = (byte) rgb;
        }
        return new LUT(r, g, b);
    }
}
