package org.pixframework.fiji;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.JdkAlpnForBridge;
import io.netty.handler.ssl.SslContext;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.pixframework.v1.CreateProjectRequest;
import org.pixframework.v1.EventServiceGrpc;
import org.pixframework.v1.ImageServiceGrpc;
import org.pixframework.v1.LabelServiceGrpc;
import org.pixframework.v1.Limits;
import org.pixframework.v1.OpenProjectRequest;
import org.pixframework.v1.PredictionServiceGrpc;
import org.pixframework.v1.ServerInfo;
import org.pixframework.v1.GetServerInfoRequest;
import org.pixframework.v1.ServerInfoServiceGrpc;
import org.pixframework.v1.SessionInfo;
import org.pixframework.v1.SessionServiceGrpc;
import org.pixframework.v1.TrainingServiceGrpc;

/**
 * One connection to a {@code pixf serve} server: the channel, the bearer token and one stub per service.
 * Open projects with {@link #createProject} / {@link #openProject}; every failure surfaces as a
 * {@link BridgeException} with a readable message.
 */
public final class BridgeClient implements AutoCloseable {
    /** Largest message accepted from the server (bytes); arrays arrive in chunks well below this. */
    private static final int RECEIVE_LIMIT = 256 << 20;

    private final String address;
    private final ManagedChannel channel;
    private final ServerInfo info;
    final SessionServiceGrpc.SessionServiceBlockingStub sessions;
    final ImageServiceGrpc.ImageServiceBlockingStub images;
    final ImageServiceGrpc.ImageServiceStub imagesAsync;
    final LabelServiceGrpc.LabelServiceBlockingStub labels;
    final LabelServiceGrpc.LabelServiceStub labelsAsync;
    final TrainingServiceGrpc.TrainingServiceBlockingStub training;
    final PredictionServiceGrpc.PredictionServiceBlockingStub prediction;
    final EventServiceGrpc.EventServiceBlockingStub events;

    private BridgeClient(String address, ManagedChannel channel, String token, long timeoutSeconds) {
        this.address = address;
        this.channel = channel;
        Channel calls = channel;
        if (token != null && !token.isEmpty()) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            calls = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        sessions = SessionServiceGrpc.newBlockingStub(calls);
        images = ImageServiceGrpc.newBlockingStub(calls);
        imagesAsync = ImageServiceGrpc.newStub(calls);
        labels = LabelServiceGrpc.newBlockingStub(calls);
        labelsAsync = LabelServiceGrpc.newStub(calls);
        training = TrainingServiceGrpc.newBlockingStub(calls);
        prediction = PredictionServiceGrpc.newBlockingStub(calls);
        events = EventServiceGrpc.newBlockingStub(calls);
        // First call: fails early (and clearly) on a wrong address, a wrong token or another kind of server.
        ServerInfoServiceGrpc.ServerInfoServiceBlockingStub infoStub = ServerInfoServiceGrpc.newBlockingStub(calls);
        try {
            info = infoStub.withWaitForReady().withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS)
                    .getServerInfo(GetServerInfoRequest.getDefaultInstance()).getInfo();
        } catch (StatusRuntimeException e) {
            String tlsProblem = e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED
                    ? tlsFailure(infoStub, timeoutSeconds) : null;
            channel.shutdownNow();
            if (tlsProblem != null) {
                throw new BridgeException("Unavailable", "The TLS handshake with " + address + " failed (" + tlsProblem
                        + "). Is tls= the CA certificate the server's --tls-cert was issued by?");
            }
            if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                throw new BridgeException("Unavailable", "No pixframework server answered at " + address + " within "
                        + timeoutSeconds + " s. Is 'pixf serve' running there, and is the address right?");
            }
            throw RpcErrors.describe(e, address);
        }
    }

    /**
     * Why a connection that never became ready failed, if it was TLS: one call that does not wait
     * for the channel reports the transport's reason (waiting calls only see their deadline).
     */
    private static String tlsFailure(ServerInfoServiceGrpc.ServerInfoServiceBlockingStub stub, long timeoutSeconds) {
        try {
            stub.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS).getServerInfo(GetServerInfoRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            boolean tls = false;
            String reason = null;
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                tls |= cause instanceof SSLException;
                if (tls && cause.getMessage() != null) {
                    reason = cause.getMessage(); // the innermost says most, e.g. "signature check failed"
                }
            }
            // "java.security.cert.CertPathValidatorException: x" -> "x": the reader needs the reason, not the class
            return reason == null ? null : reason.replaceAll("(?:[a-z]\\w*\\.)+\\w*(?:Exception|Error): ", "");
        }
        return null;
    }

    /**
     * Connect and check that a pixframework server answers and accepts the token.
     *
     * @param address        "host:port"
     * @param token          bearer token, or null/empty for a server without one
     * @param tls            null or "" for a plain connection, "system" to verify the server against the
     *                       JVM's trusted certificates, otherwise the path of a PEM CA certificate
     * @param timeoutSeconds how long to wait for the server
     */
    public static BridgeClient connect(String address, String token, String tls, long timeoutSeconds) {
        if (address == null || address.trim().isEmpty()) {
            throw BridgeException.input("no server address given; use host:port, e.g. 127.0.0.1:50051");
        }
        address = address.trim();
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(address).maxInboundMessageSize(RECEIVE_LIMIT);
        if (tls == null || tls.trim().isEmpty()) {
            builder.usePlaintext();
        } else {
            File ca = null; // null: the JVM's trusted certificates
            if (!"system".equals(tls.trim())) {
                ca = new File(tls.trim());
                if (!ca.isFile()) {
                    throw BridgeException.input("TLS certificate file " + ca + " does not exist");
                }
            }
            builder.sslContext(tlsContext(ca));
        }
        ManagedChannel channel;
        try {
            channel = builder.build();
        } catch (IllegalArgumentException e) {
            throw BridgeException.input("'" + address + "' is not a server address (use host:port): " + e.getMessage());
        }
        return new BridgeClient(address, channel, token, timeoutSeconds);
    }

    /**
     * A TLS context offering HTTP/2 by ALPN. gRPC's own builder needs a Netty with the JDK ALPN
     * negotiator (or OpenSSL); where that is missing (Debian's Netty 4.1.48) the JDK's own ALPN
     * (Java 9+) is used through {@link io.netty.handler.ssl.JdkAlpnForBridge}.
     *
     * @param ca PEM CA certificate to trust, or null for the JVM's trusted certificates
     */
    private static SslContext tlsContext(File ca) {
        String what = ca == null ? "the JVM's trusted certificates" : ca.toString();
        try {
            try {
                return (ca == null ? GrpcSslContexts.forClient() : GrpcSslContexts.forClient().trustManager(ca)).build();
            } catch (UnsupportedOperationException noAlpnInNetty) {
                return JdkAlpnForBridge.clientContext(ca);
            }
        } catch (SSLException | IllegalArgumentException e) {
            throw BridgeException.input("cannot use " + what + " for TLS: " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new BridgeException("Unsupported", "TLS is not available on this Java runtime (" + e.getMessage()
                    + "; Java 9 or later has it). Reach the server through an SSH tunnel instead "
                    + "(ssh -L 50051:127.0.0.1:50051 workstation, then connect to 127.0.0.1:50051 without tls).");
        }
    }

    /** The address given to {@link #connect}. */
    public String address() {
        return address;
    }

    /** What the server said about itself when connecting (version, limits, plugins). */
    public ServerInfo serverInfo() {
        return info;
    }

    /** Bytes per chunk when sending arrays (the server's chunk size, at most a quarter of its message limit). */
    int chunkBytes() {
        Limits limits = info.getLimits();
        long chunk = limits.getChunkBytes() > 0 ? limits.getChunkBytes() : 1 << 20;
        if (limits.getMaxMessageBytes() > 0) {
            chunk = Math.min(chunk, limits.getMaxMessageBytes() / 4);
        }
        return (int) Math.max(4096, Math.min(chunk, 16 << 20));
    }

    /** Create a project directory (path relative to the server's data root) and open a session on it. */
    public ProjectSession createProject(String path, boolean overwrite) {
        CreateProjectRequest request = CreateProjectRequest.newBuilder().setPath(path).setOverwrite(overwrite).build();
        return new ProjectSession(this, call(() -> sessions.createProject(request)).getSession());
    }

    /** Open an existing project (path relative to the server's data root) in a new session. */
    public ProjectSession openProject(String path) {
        return new ProjectSession(this, reopen(path));
    }

    SessionInfo reopen(String path) {
        OpenProjectRequest request = OpenProjectRequest.newBuilder().setPath(path).build();
        return call(() -> sessions.openProject(request)).getSession();
    }

    /** Run one call, turning a gRPC failure into a {@link BridgeException}. */
    <T> T call(RpcCall<T> call) {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            throw RpcErrors.describe(e, address);
        }
    }

    /** Close the connection (sessions stay on the server until closed or idle). */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A gRPC call that may throw {@link StatusRuntimeException}. */
    interface RpcCall<T> {
        T run();
    }
}
