package org.pixframework.fiji;

import org.pixframework.v1.ServerInfo;

/**
 * Plugins > pixframework > Connect: connect to a {@code pixf serve} server.
 * Macro: {@code run("pixframework Connect", "server=127.0.0.1:50051 token_file=/path/token tls=ca.pem")}.
 * The token typed in the dialog is never recorded; macros pass token= or token_file= (or set PIXF_TOKEN).
 */
public class ConnectCommand extends BridgeCommand {
    @Override
    protected String name() {
        return "pixframework Connect";
    }

    @Override
    protected void execute(CommandForm form) {
        CommandForm.Field server = form.text("server", "server (host:port)", BridgeState.defaultServer());
        CommandForm.Field token = form.secret("token", "Token (not recorded):");
        CommandForm.Field tls = form.text("tls", "tls (CA certificate .pem, 'system', or empty)", "");
        form.allowHidden("token_file");
        form.allowHidden("timeout");
        form.message("Leave the token empty for a server without one (or to use $PIXF_TOKEN).");
        if (!form.show()) {
            return;
        }
        String tokenValue = token.value();
        if (!form.hidden("token_file").isEmpty()) {
            tokenValue = BridgeState.readTokenFile(form.hidden("token_file"));
        }
        long timeout = 0;
        if (!form.hidden("timeout").isEmpty()) {
            try {
                timeout = Long.parseLong(form.hidden("timeout"));
            } catch (NumberFormatException e) {
                throw BridgeException.input("timeout=" + form.hidden("timeout") + " is not a whole number of seconds");
            }
        }
        BridgeClient client = BridgeState.connect(server.value(), tokenValue, tls.value(), timeout);
        ServerInfo info = client.serverInfo();
        log("connected to " + client.address() + " (pixframework " + info.getVersion() + ", API "
                + info.getApiVersion() + (info.getAuthRequired() ? ", token accepted" : "")
                + (info.getTls() ? ", TLS" : "") + ")");
    }
}
