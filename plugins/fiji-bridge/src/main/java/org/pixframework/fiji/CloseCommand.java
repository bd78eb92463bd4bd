package org.pixframework.fiji;

/**
 * Plugins > pixframework > Close: save and close the open project and the connection.
 * Macro: {@code run("pixframework Close", "")} (add {@code discard} to close without saving).
 */
public class CloseCommand extends BridgeCommand {
    @Override
    protected String name() {
        return "pixframework Close";
    }

    @Override
    protected void execute(CommandForm form) {
        CommandForm.Field discard = form.check("discard", "discard unsaved changes", false);
        if (form.fromMacro() && !form.show()) {
            return;
        }
        if (!form.fromMacro()) {
            discard.value = "false";  // interactive closing always saves; nothing to ask
        }
        String project = BridgeState.projectPath();
        BridgeState.closeProject(!discard.checked());
        BridgeState.disconnect();
        String saved = discard.checked() ? " (not saved)" : " (saved)";
        log(project.isEmpty() ? "disconnected" : "closed " + project + saved);
    }
}
