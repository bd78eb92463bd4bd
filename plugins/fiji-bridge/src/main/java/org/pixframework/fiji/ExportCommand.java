package org.pixframework.fiji;

import ij.ImagePlus;
import ij.WindowManager;
import java.util.List;
import org.pixframework.v1.Output;

/**
 * Plugins > pixframework > Export: predict a whole project image on the server and write it to a file
 * there (path relative to the server's data root; {nickname}, {result_type} and {dataset_dir} are filled in).
 * Macro: {@code run("pixframework Export",
 * "server=... project=... image=cells path=out/{nickname}_{result_type}.tif output=segmentation")}.
 */
public class ExportCommand extends BridgeCommand {
    static final String[] OUTPUTS = {"segmentation", "probabilities", "uncertainty"};

    @Override
    protected String name() {
        return "pixframework Export";
    }

    @Override
    protected void execute(CommandForm form) {
        CommandForm.Field[] context = contextFields(form);
        CommandForm.Field image = form.text("image", "image (name in the project)", defaultImage());
        CommandForm.Field path = form.text("path", "path (on the server)", "exports/{nickname}_{result_type}.tif");
        CommandForm.Field output = form.choice("output", "output", OUTPUTS, "segmentation");
        CommandForm.Field format = form.text("format", "format (empty: from the suffix)", "");
        CommandForm.Field dtype = form.text("dtype", "dtype (empty: default; uint8 scales probabilities)", "");
        if (!form.show()) {
            return;
        }
        ProjectSession session = projectOf(form, context);
        String name = image.value();
        if (name.isEmpty()) {
            List<String> names = session.imageNames();
            if (names.isEmpty()) {
                throw BridgeException.input("the project has no images to export");
            }
            name = names.get(0);
        }
        Output which = Output.valueOf("OUTPUT_" + output.value().toUpperCase(java.util.Locale.ROOT));
        String written = session.export(name, path.value(), which, format.value(), dtype.value());
        log("exported the " + output.value() + " of image '" + name + "' to " + written + " on the server");
    }

    /** The project name of the current image, when it is known to be part of the open project. */
    private static String defaultImage() {
        ImagePlus imp = WindowManager.getCurrentImage();
        String project = BridgeState.projectPath();
        if (imp == null || project.isEmpty()) {
            return "";
        }
        try {
            String name = BridgeState.findImage(BridgeState.project("", "", ""), imp);
            return name == null ? "" : name;
        } catch (BridgeException e) {
            return "";  // only a default for the dialog
        }
    }
}
