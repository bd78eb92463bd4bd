package org.pixframework.fiji.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import org.pixframework.fiji.BridgeCommand;
import org.pixframework.fiji.BridgeState;
import org.pixframework.fiji.ConnectCommand;
import org.pixframework.fiji.ProjectCommand;
import org.pixframework.fiji.ProjectSession;
import org.pixframework.v1.ProjectEvent;
import org.pixframework.v1.WatchResponse;

/**
 * Small checks driven step by step from tests/test_fiji_bridge.py:
 * <ul>
 * <li>{@code connect <macro options>}: run pixframework Connect, print "OK" or "FAILED: message";</li>
 * <li>{@code expiry <server> <project>}: open the project, print "OPENED session-id", wait for a line on
 * stdin (meanwhile the test lets the server forget the session), then use the project again and print
 * "REOPENED session-id project-summary".</li>
 * <li>{@code watch <server> <project> <n>}: open the project, print "WATCHING", then one line
 * "EVENT revision kind client" per change for {@code n} changes; then undo this session's last edit
 * and print "UNDONE pixels".</li>
 * </ul>
 */
public final class BridgeProbe {
    private BridgeProbe() {
    }

    public static void main(String[] args) throws IOException {
        Thread.currentThread().setName("Run$_bridge-probe");  // where ImageJ looks up macro options
        if ("connect".equals(args[0])) {
            boolean ok = BridgeDriver.succeeds(new ConnectCommand(), args[1]);
            System.out.println(ok ? "OK" : "FAILED: " + BridgeCommand.lastError());
        } else if ("expiry".equals(args[0])) {
            ProjectSession session = open(args[1], args[2]);
            System.out.println("OPENED " + session.sessionId());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            String summary = session.summaryJson();
            System.out.println("REOPENED " + session.sessionId() + " " + summary);
        } else if ("watch".equals(args[0])) {
            ProjectSession session = open(args[1], args[2]);
            Iterator<WatchResponse> stream = session.watch();
            stream.next();  // registered: every change from now on arrives
            System.out.println("WATCHING");
            System.out.flush();
            int seen = 0;
            while (seen < Integer.parseInt(args[3]) && stream.hasNext()) {
                WatchResponse message = stream.next();
                if (message.hasEvent()) {
                    ProjectEvent event = message.getEvent();
                    System.out.println("EVENT " + event.getRevision() + " "
                            + event.getChangeCase().name().toLowerCase(Locale.ROOT) + " " + event.getClient());
                    seen++;
                }
            }
            System.out.println("UNDONE " + session.undo());
        }
        System.exit(0);
    }

    /** Run pixframework Project on {@code project} of {@code server} (exits with "FAILED: ..." when it fails). */
    private static ProjectSession open(String server, String project) {
        String options = "server=" + server + " project=" + project + " mode=open_or_create";
        if (!BridgeDriver.succeeds(new ProjectCommand(), options)) {
            System.out.println("FAILED: " + BridgeCommand.lastError());
            System.exit(1);
        }
        return BridgeState.project("", "", "");
    }
}
