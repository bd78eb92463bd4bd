package org.pixframework.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;

/**
 * Base of the pixframework commands: reads the options, runs the command, and reports every failure
 * as one clear message (the Log window, plus an error dialog when there is a screen), never a stack trace.
 * A failing command called from a macro aborts that macro, so batch scripts stop at the first error.
 */
public abstract class BridgeCommand implements PlugIn {
    private static volatile String lastError = "";
    private static volatile int errorCount;

    /** The command's name as in the Plugins menu and in macros, e.g. "pixframework Predict". */
    protected abstract String name();

    /** Declare the command's fields on {@code form}, show it, and do the work. */
    protected abstract void execute(CommandForm form);

    @Override
    public final void run(String arg) {
        boolean fromMacro = Macro.getOptions() != null;
        try {
            execute(new CommandForm(name()));
        } catch (BridgeException e) {
            fail(e.getMessage(), fromMacro);
        } catch (RuntimeException e) {
            // A bug or an unexpected library failure: still one readable line, not a trace dialog.
            fail("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(), fromMacro);
        }
    }

    private void fail(String message, boolean fromMacro) {
        lastError = message;
        errorCount++;
        IJ.log(name() + " failed: " + message);
        IJ.showStatus("");
        IJ.showProgress(1.0);
        Interpreter interpreter = fromMacro ? Interpreter.getInstance() : null;
        boolean headless = GraphicsEnvironment.isHeadless();
        if (interpreter != null && headless) {
            // Stop the macro quietly: the message is in the log, and ImageJ's error window needs a screen.
            interpreter.setIgnoreErrors(true);
            interpreter.abort(name() + " failed: " + message);
        } else if (interpreter != null) {
            // The macro stops here; ImageJ's macro error window shows the message and the macro line.
            interpreter.abort(name() + " failed: " + message);
        } else if (!headless) {
            IJ.error(name(), message);
        }
    }

    /**
     * Message of the last failure ("" if none): lets a macro check for errors with
     * {@code call("org.pixframework.fiji.BridgeCommand.lastError")}.
     */
    public static String lastError() {
        return lastError;
    }

    /** How many commands failed in this ImageJ so far. */
    public static int errorCount() {
        return errorCount;
    }

    /** The current image, or a clear error when there is none. */
    protected static ImagePlus currentImage() {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            throw BridgeException.input("there is no image open; open or select an image first");
        }
        return imp;
    }

    /** Log a line of progress the user (or a batch log) should see. */
    protected static void log(String text) {
        IJ.log("pixframework: " + text);
    }

    /** The server and project fields every project command has (macro keys server= and project=). */
    protected static CommandForm.Field[] contextFields(CommandForm form) {
        CommandForm.Field server = form.context("server", "server (host:port)", BridgeState.server());
        CommandForm.Field project = form.context("project", "project (path on the server)", BridgeState.projectPath());
        form.allowHidden("token");
        form.allowHidden("token_file");
        return new CommandForm.Field[] {server, project};
    }

    /** The project named by the context fields (opened or reused). */
    protected static ProjectSession projectOf(CommandForm form, CommandForm.Field[] context) {
        return BridgeState.project(context[0].value(), context[1].value(), tokenOf(form));
    }

    /** Token given in macro options (token= or token_file=), or "" to use the current one. */
    protected static String tokenOf(CommandForm form) {
        String file = form.hidden("token_file");
        return file.isEmpty() ? form.hidden("token") : BridgeState.readTokenFile(file);
    }
}
