package org.pixframework.fiji;

import ij.IJ;
import ij.Menus;
import ij.macro.Interpreter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run an ImageJ macro without a screen on plain ImageJ 1.x (Fiji users have {@code --headless} instead):
 * <pre>
 * java -Djava.awt.headless=true -cp ij.jar:pixframework_bridge.jar:lib/* \
 *     org.pixframework.fiji.HeadlessBatch batch.ijm [argument]
 * </pre>
 * ImageJ 1.x builds its command table together with its AWT menus, which cannot exist headless, so
 * {@code run("...")} fails there. This runner fills the command table from ImageJ's own IJ_Props.txt
 * and the bridge's plugins.config instead, then runs the macro in batch mode. Exit status: 0 on
 * success, 1 when the macro was aborted or a pixframework command failed, 2 for usage errors.
 */
public final class HeadlessBatch {
    /** {@code "Label[shortcut]",class.Name("arg")} as in IJ_Props.txt and plugins.config. */
    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\"\\s*,\\s*(\\S.*)");

    private HeadlessBatch() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -Djava.awt.headless=true -cp ij.jar:pixframework_bridge.jar:lib/* "
                    + "org.pixframework.fiji.HeadlessBatch macro.ijm [argument]");
            System.exit(2);
        }
        try {
            installCommands();
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            System.err.println("HeadlessBatch: cannot prepare ImageJ's command table (" + e
                    + "); this ImageJ version is not supported headless, run the macro under Xvfb instead");
            System.exit(2);
        }
        Interpreter.batchMode = true;
        String result = IJ.runMacroFile(args[0], args.length > 1 ? args[1] : null);
        boolean failed = "[aborted]".equals(result) || BridgeCommand.errorCount() > 0;
        System.exit(failed ? 1 : 0);  // the shutdown hook saves and closes open projects
    }

    /** Fill ImageJ's command table (normally built with the menus) from IJ_Props.txt and plugins.config. */
    static void installCommands() throws IOException, ReflectiveOperationException {
        Hashtable<String, String> commands = new Hashtable<>();
        read(IJ.class.getResourceAsStream("/IJ_Props.txt"), commands, "IJ_Props.txt");
        read(HeadlessBatch.class.getResourceAsStream("/plugins.config"), commands, "plugins.config");
        Field table = Menus.class.getDeclaredField("pluginsTable");
        table.setAccessible(true);
        table.set(null, commands);
    }

    private static void read(InputStream in, Map<String, String> commands, String what) throws IOException {
        if (in == null) {
            throw new IOException(what + " not found on the class path");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.trim();
                if (line.startsWith("#")) {
                    continue;
                }
                int quote = line.indexOf('"');
                Matcher m = quote < 0 ? null : ENTRY.matcher(line.substring(quote));
                if (m != null && m.matches()) {
                    String label = m.group(1).replaceFirst("\\[[^\\]]*\\]$", "");  // drop a keyboard shortcut
                    commands.put(label, m.group(2).trim());
                }
            }
        }
    }
}
