package org.pixframework.fiji;

import ij.ImagePlus;

/**
 * Plugins > pixframework > Add Image: upload the current image into the project.
 * Macro: {@code run("pixframework Add Image", "server=... project=... name=cells")}.
 */
public class AddImageCommand extends BridgeCommand {
    @Override
    protected String name() {
        return "pixframework Add Image";
    }

    @Override
    protected void execute(CommandForm form) {
        ImagePlus imp = currentImage();
        CommandForm.Field[] context = contextFields(form);
        CommandForm.Field name = form.text("name", "name (in the project)", BridgeState.nameFor(imp));
        if (!form.show()) {
            return;
        }
        ProjectSession session = projectOf(form, context);
        String existing = BridgeState.findImage(session, imp);
        if (existing != null) {
            log("'" + imp.getTitle() + "' is already image '" + existing + "' of " + session.path());
            return;
        }
        String added = BridgeState.addImage(session, imp, name.value());
        log("added '" + imp.getTitle() + "' to " + session.path() + " as image '" + added + "'");
    }
}
