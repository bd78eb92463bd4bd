package io.netty.handler.ssl;

import io.netty.handler.codec.http2.Http2SecurityUtil;

import java.io.File;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * TLS with ALPN over the JDK's own TLS engine (Java 9 and later), for Netty builds without the
 * {@code JdkAlpnApplicationProtocolNegotiator} gRPC normally uses (Debian's Netty 4.1.48 leaves it out,
 * so {@code GrpcSslContexts} refuses the JDK provider). The engine that does the work, Netty's
 * {@code Java9SslEngine}, is package-private: that is why this class lives in Netty's package. It
 * is relocated with Netty in the shaded jar.
 */
public final class JdkAlpnForBridge implements JdkApplicationProtocolNegotiator {
    private static final List<String> HTTP2 = Collections.singletonList(ApplicationProtocolNames.HTTP_2);

    private JdkAlpnForBridge() {
    }

    /**
     * A client context offering HTTP/2 by ALPN, as gRPC needs.
     *
     * @param trustedCertificates PEM certificates to trust, or null for the JVM's trusted CAs
     * @throws SSLException                  the certificates cannot be read
     * @throws UnsupportedOperationException the JVM's TLS engine has no ALPN (Java 8)
     */
    public static SslContext clientContext(File trustedCertificates) throws SSLException {
        if (!Java9SslUtils.supportsAlpn()) {
            throw new UnsupportedOperationException("this Java runtime's TLS has no ALPN");
        }
        @SuppressWarnings("deprecation")
        SslContext context = new JdkSslClientContext(trustedCertificates, null, Http2SecurityUtil.CIPHERS,
                SupportedCipherSuiteFilter.INSTANCE, new JdkAlpnForBridge(), 0, 0);
        return context;
    }

    @Override
    public List<String> protocols() {
        return HTTP2;
    }

    @Override
    public SslEngineWrapperFactory wrapperFactory() {
        return new SslEngineWrapperFactory() {
            @Override
            public SSLEngine wrapSslEngine(SSLEngine engine, JdkApplicationProtocolNegotiator negotiator,
                                           boolean isServer) {
                return new Java9SslEngine(engine, negotiator, isServer);
            }
        };
    }

    @Override
    public ProtocolSelectorFactory protocolSelectorFactory() {
        return JdkBaseApplicationProtocolNegotiator.FAIL_SELECTOR_FACTORY;
    }

    @Override
    public ProtocolSelectionListenerFactory protocolListenerFactory() {
        return JdkBaseApplicationProtocolNegotiator.FAIL_SELECTION_LISTENER_FACTORY;
    }
}
