package org.pixframework.fiji;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Turns gRPC failures into {@link BridgeException}s whose message a microscopist can act on. */
final class RpcErrors {
    /** Trailing metadata key in which the server names its domain error class (see pixframework/wire/status.py). */
    static final Metadata.Key<String> ERROR_TYPE = Metadata.Key.of("pixf-error", Metadata.ASCII_STRING_MARSHALLER);

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
                String kind = orElse(type, status.getCode().name());
                String hint = "NotTrained".equals(kind) ? " (in ImageJ: run 'pixframework Train')" : "";
                return new BridgeException(kind, detail + hint);
        }
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }
}
