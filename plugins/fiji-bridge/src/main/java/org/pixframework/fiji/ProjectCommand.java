package org.pixframework.fiji;

/**
 * Plugins > pixframework > Project: open or create a project on the server.
 * Macro: {@code run("pixframework Project", "server=127.0.0.1:50051 project=lab/cells.pixf mode=open_or_create")}.
 */
public class ProjectCommand extends BridgeCommand {
    static final String[] MODES = {"open_or_create", "open", "create", "replace"};

    @Override
    protected String name() {
        return "pixframework Project";
    }

    @Override
    protected void execute(CommandForm form) {
        CommandForm.Field server = form.text("server", "server (host:port)",
                BridgeState.defaultServer());
        CommandForm.Field project = form.text("project", "project (path on the server, e.g. lab/cells.pixf)",
                BridgeState.projectPath());
        CommandForm.Field mode = form.choice("mode", "mode", MODES, "open_or_create");
        form.allowHidden("token");
        form.allowHidden("token_file");
        form.message("Paths are relative to the server's data root; 'replace' overwrites an existing project.");
        if (!form.show()) {
            return;
        }
        ProjectSession session = BridgeState.openProject(server.value(), tokenOf(form), project.value(), mode.value());
        log("project " + session.path() + " open (" + session.imageNames().size() + " images, "
                + session.classes().size() + " classes" + (session.isTrained() ? ", trained" : "") + ")");
    }
}
