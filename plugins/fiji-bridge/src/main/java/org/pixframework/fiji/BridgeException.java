package org.pixframework.fiji;

/**
 * A failure the user should read as one sentence (wrong token, path outside the data root, not trained,
 * bad option...). Commands show its message in ImageJ and never a stack trace.
 */
public final class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;

    /**
     * @param kind short category, e.g. the server's error class ("NotTrained", "PermissionDenied") or
     *             "Input" for a problem found before calling the server
     * @param message what went wrong and, where possible, what to do about it
     */
    public BridgeException(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** Problem with what the user asked for, found on this side (no server call made). */
    public static BridgeException input(String message) {
        return new BridgeException("Input", message);
    }

    /** Category of the failure (the server's error class name, "Unavailable", "Input", ...). */
    public String kind() {
        return kind;
    }
}
