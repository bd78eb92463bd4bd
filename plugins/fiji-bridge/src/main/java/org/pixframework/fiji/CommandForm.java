package org.pixframework.fiji;

import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;
import java.awt.FlowLayout;
import java.awt.Label;
import java.awt.Panel;
import java.awt.TextField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options of one command, read from the macro options when the command runs from a macro (no dialog,
 * so it works headless) and from a GenericDialog otherwise (which the Recorder records as
 * {@code run("pixframework ...", "key=value ...")}).
 *
 * <p>Each field's dialog label starts with its macro key, because ImageJ records a field under the first
 * word of its label. Secret fields (the token) are never shown in a recordable field.</p>
 */
final class CommandForm {
    /** Values typed in dialogs, remembered for the next dialog of the same command (this ImageJ session). */
    private static final Map<String, String> REMEMBERED = new HashMap<>();

    private final String command;
    private final Map<String, String> macroValues;
    private final List<Field> fields = new ArrayList<>();
    private final List<String> hiddenKeys = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    /** Kinds of fields. */
    private enum Kind { TEXT, CHOICE, CHECK, SECRET }

    /** One option; {@link #value()} is set by {@link CommandForm#show()}. */
    static final class Field {
        final String key;
        final String label;
        final Kind kind;
        final String defaultValue;
        final String[] choices;
        final boolean context;
        String value;
        TextField secretField;

        Field(String key, String label, Kind kind, String defaultValue, String[] choices, boolean context) {
            this.key = key;
            this.label = label;
            this.kind = kind;
            this.defaultValue = defaultValue == null ? "" : defaultValue;
            this.choices = choices;
            this.context = context;
        }

        String value() {
            return value;
        }

        boolean checked() {
            return "true".equals(value);
        }
    }

    /** @param command the command name, e.g. "pixframework Predict" (dialog title, error messages). */
    CommandForm(String command) {
        this(command, Macro.getOptions());
    }

    CommandForm(String command, String macroOptions) {
        this.command = command;
        this.macroValues = macroOptions == null ? null : parse(macroOptions, command);
    }

    /** Whether the options come from a macro (no dialog is shown). */
    boolean fromMacro() {
        return macroValues != null;
    }

    /** A text field. */
    Field text(String key, String label, String defaultValue) {
        return add(new Field(key, label, Kind.TEXT, defaultValue, null, false));
    }

    /**
     * A text field naming where the command acts (server, project): when it already has a value, the
     * dialog is skipped if there is nothing else to ask, and the value is still recorded.
     */
    Field context(String key, String label, String defaultValue) {
        return add(new Field(key, label, Kind.TEXT, defaultValue, null, true));
    }

    /** A choice among fixed words. */
    Field choice(String key, String label, String[] choices, String defaultValue) {
        return add(new Field(key, label, Kind.CHOICE, defaultValue, choices, false));
    }

    /** A checkbox; in macro options the bare key (or key=true) means checked. */
    Field check(String key, String label, boolean defaultValue) {
        return add(new Field(key, label, Kind.CHECK, Boolean.toString(defaultValue), null, false));
    }

    /** A masked text field that the Recorder never sees; macros may still pass key=value. */
    Field secret(String key, String label) {
        return add(new Field(key, label, Kind.SECRET, "", null, false));
    }

    /** An option accepted from macros only (not in the dialog); its value is {@link #hidden(String)}. */
    void allowHidden(String key) {
        hiddenKeys.add(key);
    }

    /** A line of explanation in the dialog. */
    void message(String text) {
        messages.add(text);
    }

    /** Value of a macro-only option, or "" when not given (always "" in dialog mode). */
    String hidden(String key) {
        if (macroValues == null) {
            return "";
        }
        String value = macroValues.get(key);
        return value == null ? "" : value;
    }

    private Field add(Field field) {
        String recordedKey = Macro.trimKey(field.label);
        if (field.kind != Kind.SECRET && !recordedKey.equals(field.key)) {
            // ImageJ records a dialog field under the first word of its label: they must agree.
            throw new IllegalStateException("label '" + field.label + "' would be recorded as '" + recordedKey
                    + "', not '" + field.key + "'");
        }
        fields.add(field);
        return field;
    }

    /**
     * Fill every field's value from the macro options or a dialog.
     *
     * @return false when the user cancelled the dialog
     * @throws BridgeException unknown macro keys or a value that is not among a choice's words
     */
    boolean show() {
        return macroValues != null ? readMacro() : showDialog();
    }

    private boolean readMacro() {
        List<String> known = new ArrayList<>(hiddenKeys);
        for (Field f : fields) {
            known.add(f.key);
        }
        for (String key : macroValues.keySet()) {
            if (!known.contains(key)) {
                throw BridgeException.input("unknown option '" + key + "' for " + command + "; it takes: "
                        + String.join(", ", known));
            }
        }
        for (Field f : fields) {
            String given = macroValues.get(f.key);
            if (f.kind == Kind.CHECK) {
                f.value = Boolean.toString(given != null && (given.isEmpty() || "true".equalsIgnoreCase(given)));
            } else {
                f.value = given == null ? f.defaultValue : given;
            }
            if (f.kind == Kind.CHOICE && !Arrays.asList(f.choices).contains(f.value)) {
                throw BridgeException.input(f.key + "=" + f.value + " is not an option of " + command
                        + "; choose one of: " + String.join(", ", f.choices));
            }
        }
        return true;
    }

    private boolean showDialog() {
        boolean onlyContext = messages.isEmpty();
        for (Field f : fields) {
            onlyContext &= f.context && !f.defaultValue.isEmpty();
        }
        if (onlyContext) {
            for (Field f : fields) {
                f.value = f.defaultValue;
                if (Recorder.record) {
                    Recorder.recordOption(f.key, f.value);
                }
            }
            return true;
        }
        GenericDialog gd = new GenericDialog(command);
        for (String text : messages) {
            gd.addMessage(text);
        }
        for (Field f : fields) {
            String initial = REMEMBERED.getOrDefault(command + "/" + f.key, f.defaultValue);
            if (f.context) {
                initial = f.defaultValue.isEmpty() ? initial : f.defaultValue;
            }
            switch (f.kind) {
                case TEXT:
                    gd.addStringField(f.label, initial, 28);
                    break;
                case CHOICE:
                    boolean known = Arrays.asList(f.choices).contains(initial);
                    gd.addChoice(f.label, f.choices, known ? initial : f.defaultValue);
                    break;
                case CHECK:
                    gd.addCheckbox(f.label, "true".equals(initial));
                    break;
                default:
                    Panel panel = new Panel(new FlowLayout(FlowLayout.LEFT, 0, 0));
                    panel.add(new Label(f.label));
                    f.secretField = new TextField("", 28);
                    f.secretField.setEchoChar('*');
                    panel.add(f.secretField);
                    gd.addPanel(panel);
            }
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        for (Field f : fields) {
            switch (f.kind) {
                case TEXT:
                    f.value = gd.getNextString().trim();
                    break;
                case CHOICE:
                    f.value = gd.getNextChoice();
                    break;
                case CHECK:
                    f.value = Boolean.toString(gd.getNextBoolean());
                    break;
                default:
                    f.value = f.secretField.getText().trim();
            }
            if (f.kind != Kind.SECRET) {
                REMEMBERED.put(command + "/" + f.key, f.value);
            }
        }
        return true;
    }

    /**
     * Macro options as ImageJ writes them: {@code key=value}, {@code key=[value with spaces]} or a bare
     * {@code key} (a checked checkbox), separated by spaces. Keys are lower-cased.
     */
    static Map<String, String> parse(String options, String command) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 0;
        int n = options.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(options.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && options.charAt(i) != '=' && !Character.isWhitespace(options.charAt(i))) {
                i++;
            }
            String key = options.substring(keyStart, i).toLowerCase(Locale.ROOT);
            String value = "";
            if (i < n && options.charAt(i) == '=') {
                i++;
                if (i < n && options.charAt(i) == '[') {
                    int close = options.indexOf(']', i + 1);
                    if (close < 0) {
                        throw BridgeException.input("option '" + key + "' of " + command + " opens '[' without ']'");
                    }
                    value = options.substring(i + 1, close);
                    i = close + 1;
                } else {
                    int valueStart = i;
                    while (i < n && !Character.isWhitespace(options.charAt(i))) {
                        i++;
                    }
                    value = options.substring(valueStart, i);
                }
            }
            values.put(key, value);
        }
        return values;
    }
}
