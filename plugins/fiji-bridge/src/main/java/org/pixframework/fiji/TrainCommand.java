package org.pixframework.fiji;

import ij.IJ;

/**
 * Plugins > pixframework > Train: train the project's classifier on the labels of all its images, show
 * the server's progress (Esc cancels), then save the project so the model is on disk.
 * Macro: {@code run("pixframework Train", "server=... project=...")}.
 */
public class TrainCommand extends BridgeCommand {
    @Override
    protected String name() {
        return "pixframework Train";
    }

    @Override
    protected void execute(CommandForm form) {
        CommandForm.Field[] context = contextFields(form);
        if (!form.show()) {
            return;
        }
        ProjectSession session = projectOf(form, context);
        IJ.resetEscape();
        String summary = session.train((fraction, message) -> {
            IJ.showProgress(fraction);
            IJ.showStatus("pixframework: " + message);
            return !IJ.escapePressed();
        });
        IJ.showProgress(1.0);
        IJ.showStatus("pixframework: trained");
        session.save();
        log("trained " + session.path() + ": " + summary);
    }
}
