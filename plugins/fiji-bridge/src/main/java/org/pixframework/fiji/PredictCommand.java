package org.pixframework.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import java.awt.Rectangle;
import java.util.List;
import org.pixframework.v1.LabelClass;
import org.pixframework.v1.Output;

/**
 * Plugins > pixframework > Predict: predict the current image (or the box of its selection) and show the
 * results as new images: probabilities (one slice per class, named by the classes), the segmentation
 * (pixel value = class index, coloured by class) and/or the uncertainty.
 * An image that is not part of the project is uploaded for the prediction and removed afterwards
 * (unless {@code keep}), so batch macros can predict any image with a trained project.
 * Macro: {@code run("pixframework Predict", "server=127.0.0.1:50051 project=demo.pixf output=segmentation")}.
 */
public class PredictCommand extends BridgeCommand {
    static final String[] OUTPUTS = {"both", "segmentation", "probabilities", "uncertainty"};

    @Override
    protected String name() {
        return "pixframework Predict";
    }

    @Override
    protected void execute(CommandForm form) {
        ImagePlus imp = currentImage();
        CommandForm.Field[] context = contextFields(form);
        CommandForm.Field output = form.choice("output", "output", OUTPUTS, "both");
        CommandForm.Field keep = form.check("keep", "keep the image in the project (if uploaded for this)", false);
        if (!form.show()) {
            return;
        }
        ProjectSession session = projectOf(form, context);
        String image = BridgeState.findImage(session, imp);
        boolean temporary = false;
        if (image == null) {
            temporary = !keep.checked();
            String name = temporary ? "fiji-temporary-" + Long.toHexString(System.nanoTime()) : "";
            image = BridgeState.addImage(session, imp, name);
        }
        try {
            predict(session, image, imp, output.value(), temporary);
        } finally {
            if (temporary) {
                session.removeImage(image);
            }
        }
    }

    private static void predict(ProjectSession session, String image, ImagePlus imp, String output,
                                boolean temporary) {
        long[][] box = box(imp);
        long[] start = box == null ? null : box[0];
        long[] stop = box == null ? null : box[1];
        int x0 = box == null ? 0 : (int) start[start.length - 1];
        int y0 = box == null ? 0 : (int) start[start.length - 2];
        List<LabelClass> classes = session.classes();
        String base = BridgeState.nameFor(imp);
        if ("both".equals(output) || "probabilities".equals(output)) {
            ArrayData probabilities = session.predict(image, start, stop, Output.OUTPUT_PROBABILITIES);
            show(ResultImages.probabilities(probabilities, classes, base + " probabilities"), imp, x0, y0);
        }
        if ("both".equals(output) || "segmentation".equals(output)) {
            ArrayData segmentation = session.predict(image, start, stop, Output.OUTPUT_SEGMENTATION);
            show(ResultImages.segmentation(segmentation, classes, base + " segmentation"), imp, x0, y0);
        }
        if ("uncertainty".equals(output)) {
            ArrayData uncertainty = session.predict(image, start, stop, Output.OUTPUT_UNCERTAINTY);
            show(ResultImages.uncertainty(uncertainty, base + " uncertainty"), imp, x0, y0);
        }
        String what = temporary
                ? "'" + imp.getTitle() + "' (uploaded for this prediction only)"
                : "image '" + image + "'";
        log("predicted " + what + (box == null ? "" : " in the box x=" + x0 + " y=" + y0 + " w="
                + (stop[stop.length - 1] - x0) + " h=" + (stop[stop.length - 2] - y0)) + " (" + output + ")");
    }

    /** {start, stop} over (z)yx for the selection's bounding box (all z planes), or null for the whole image. */
    static long[][] box(ImagePlus imp) {
        Roi roi = imp.getRoi();
        if (roi == null || !roi.isArea()) {
            return null;
        }
        Rectangle r = roi.getBounds().intersection(new Rectangle(0, 0, imp.getWidth(), imp.getHeight()));
        if (r.isEmpty()) {
            throw BridgeException.input("the selection lies outside the image");
        }
        if (roi.getType() != Roi.RECTANGLE) {
            log("predicting the bounding rectangle of the (non-rectangular) selection");
        }
        if (imp.getNSlices() > 1) {
            return new long[][] {{0, r.y, r.x}, {imp.getNSlices(), r.y + r.height, r.x + r.width}};
        }
        return new long[][] {{r.y, r.x}, {r.y + r.height, r.x + r.width}};
    }

    private static void show(ImagePlus result, ImagePlus source, int x0, int y0) {
        ResultImages.calibrate(result, source, x0, y0);
        result.show();
    }
}
