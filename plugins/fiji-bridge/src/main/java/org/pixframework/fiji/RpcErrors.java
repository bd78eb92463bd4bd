package org.pixframework.fiji;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Turns gRPC failures into {@link BridgeException}s whose message a microscopist can act on. */
final class RpcErrors {
    /** Trailing metadata key in which the server names its domain error class (see pixframework/wire/status.py). */
    static final Metadata.Key<String> ERROR_TYPE = Metadata.Key.of("pixf-error", Metadata.ASCII_STRING_MARSHALLER);
    /** What the reader can do, as a key (pixframework.errors.Remedy); the server words it for any client. */
    static final Metadata.Key<String> REMEDY = Metadata.Key.of("pixf-remedy", Metadata.ASCII_STRING_MARSHALLER);
    /** The error's fact alone (UTF-8), so the remedy can be worded for ImageJ instead. */
    static final Metadata.Key<byte[]> FACT = Metadata.Key.of("pixf-message-bin", Metadata.BINARY_BYTE_MARSHALLER);
    /** The remedies in ImageJ's words (commands of the Plugins > pixframework menu). */
    private static final Map<String, String> IMAGEJ_WORDS = new HashMap<>();

    static {
        IMAGEJ_WORDS.put("train", "run 'pixframework Train' first");
        IMAGEJ_WORDS.put("replace", "open it with 'pixframework Project', or choose another project name");
        IMAGEJ_WORDS.put("read-format", "give the file its format's extension, or send the image with 'pixframework Add Image'");
        IMAGEJ_WORDS.put("write-format", "give the export path a known extension (.tif, .zarr, .h5, ...)");
        IMAGEJ_WORDS.put("export-dtype", "export to a .tif, .zarr or .h5 path instead");
        IMAGEJ_WORDS.put("token", "give the server's token to 'pixframework Connect' (token or token_file)");
    }

    private RpcErrors() {
    }

    /**
     * @param error   the failed call
     * @param address server address, named in connection errors
     */
    static BridgeException describe(StatusRuntimeException error, String address) {
        Status status = error.getStatus();
        Metadata trailers = error.getTrailers();
        String type = trailers == null ? null : trailers.get(ERROR_TYPE);
        String detail = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        switch (status.getCode()) {
            case UNAVAILABLE:
                return new BridgeException("Unavailable", "No pixframework server answered at " + address + " ("
                        + detail + "). Is 'pixf serve' running there, and is the address right?");
            case UNAUTHENTICATED:
                // The server's own text speaks of the Python client; say what to do in ImageJ instead.
                return new BridgeException("Unauthenticated", "The server at " + address + " needs a valid token and "
                        + "refused the call (wrong or missing token). Give the server's token to 'pixframework Connect' "
                        + "(token or token_file), or set the PIXF_TOKEN environment variable.");
            case PERMISSION_DENIED:
                return new BridgeException(orElse(type, "PermissionDenied"), "Not allowed: " + detail);
            case DEADLINE_EXCEEDED:
                return new BridgeException("DeadlineExceeded", "The server at " + address + " did not answer in time.");
            case CANCELLED:
                return new BridgeException("Cancelled", "Cancelled: " + detail);
            case INTERNAL:
            case UNKNOWN:
                return new BridgeException(orElse(type, "Internal"),
                        "The server failed: " + detail + " (the server's log has the details).");
            default:
                return new BridgeException(orElse(type, status.getCode().name()), inImageJWords(trailers, detail));
        }
    }

    /** The server's fact with its remedy in ImageJ's words, where the server named a remedy we know. */
    private static String inImageJWords(Metadata trailers, String detail) {
        String remedy = trailers == null ? null : trailers.get(REMEDY);
        byte[] fact = trailers == null ? null : trailers.get(FACT);
        String words = remedy == null ? null : IMAGEJ_WORDS.get(remedy);
        if (words == null || fact == null) {
            return detail;
        }
        return new String(fact, StandardCharsets.UTF_8) + "; " + words;
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
