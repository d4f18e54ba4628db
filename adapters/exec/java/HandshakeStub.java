/*
 * HandshakeStub.java - the SSLEngine and handshake session a JDK 17 TLS 1.3 client hands its
 * trust manager while the server's Certificate message is being checked.
 *
 * X509TrustManagerImpl.checkServerTrusted(chain, authType, engine) reads three things from
 * them: the handshake session (it refuses to run without one), whose protocol and local
 * signature algorithms bound the algorithms the path may use and whose requested server names
 * (SNI) give the hostname to check; and the engine's SSLParameters, whose endpoint
 * identification algorithm ("HTTPS") turns the hostname check on. Everything else an engine
 * does is never called on this path, so it fails loudly if it ever is.
 */
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

final class HandshakeStub {
    /* The signature schemes a JDK 17 client offers by default in signature_algorithms_cert
     * (SignatureScheme, enabled for TLS 1.3 certificates), as the algorithm names the session
     * reports and SSLAlgorithmConstraints matches. No public API returns them. */
    static final String[] JDK17_SIGNATURE_ALGORITHMS = {
        "SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA", "Ed25519", "Ed448",
        "RSASSA-PSS", "SHA256withRSA", "SHA384withRSA", "SHA512withRSA", "SHA256withDSA",
        "SHA224withECDSA", "SHA224withRSA", "SHA224withDSA", "SHA1withECDSA", "SHA1withRSA",
        "SHA1withDSA"};

    private HandshakeStub() {
    }

    /** A client engine for hostname:443 with HTTPS endpoint identification and SNI. */
    static SSLEngine clientEngine(String hostname) {
        return new Engine(hostname);
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("not used while checking a server's chain");
    }

    private static final class Engine extends SSLEngine {
        private SSLParameters params;
        private final Session session;

        Engine(String hostname) {
            super(hostname, 443);
            List<SNIServerName> sni = List.of(new SNIHostName(hostname));
            params = new SSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(sni);
            session = new Session(hostname, sni);
        }

        @Override public SSLParameters getSSLParameters() { return params; }
        @Override public void setSSLParameters(SSLParameters p) { params = p; }
        @Override public SSLSession getHandshakeSession() { return session; }
        @Override public boolean getUseClientMode() { return true; }

        @Override public SSLEngineResult wrap(ByteBuffer[] s, int o, int l, ByteBuffer d) { throw unused(); }
        @Override public SSLEngineResult unwrap(ByteBuffer s, ByteBuffer[] d, int o, int l) { throw unused(); }
        @Override public Runnable getDelegatedTask() { return null; }
        @Override public void closeInbound() { }
        @Override public boolean isInboundDone() { return false; }
        @Override public void closeOutbound() { }
        @Override public boolean isOutboundDone() { return false; }
        @Override public String[] getSupportedCipherSuites() { return new String[0]; }
        @Override public String[] getEnabledCipherSuites() { return new String[0]; }
        @Override public void setEnabledCipherSuites(String[] s) { }
        @Override public String[] getSupportedProtocols() { return new String[] {"TLSv1.3"}; }
        @Override public String[] getEnabledProtocols() { return new String[] {"TLSv1.3"}; }
        @Override public void setEnabledProtocols(String[] p) { }
        @Override public SSLSession getSession() { return session; }
        @Override public void beginHandshake() { throw unused(); }
        @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
        }
        @Override public void setUseClientMode(boolean mode) { }
        @Override public void setNeedClientAuth(boolean need) { }
        @Override public boolean getNeedClientAuth() { return false; }
        @Override public void setWantClientAuth(boolean want) { }
        @Override public boolean getWantClientAuth() { return false; }
        @Override public void setEnableSessionCreation(boolean flag) { }
        @Override public boolean getEnableSessionCreation() { return true; }
    }

    private static final class Session extends ExtendedSSLSession {
        private final String peerHost;
        private final List<SNIServerName> sni;
        private final long created = System.currentTimeMillis();

        Session(String peerHost, List<SNIServerName> sni) {
            this.peerHost = peerHost;
            this.sni = sni;
        }

        @Override public String getProtocol() { return "TLSv1.3"; }
        @Override public String getPeerHost() { return peerHost; }
        @Override public int getPeerPort() { return 443; }
        @Override public List<SNIServerName> getRequestedServerNames() { return sni; }
        @Override public String[] getLocalSupportedSignatureAlgorithms() {
            return JDK17_SIGNATURE_ALGORITHMS.clone();
        }
        @Override public String[] getPeerSupportedSignatureAlgorithms() { return new String[0]; }
        @Override public List<byte[]> getStatusResponses() { return Collections.emptyList(); }

        @Override public byte[] getId() { return new byte[0]; }
        @Override public SSLSessionContext getSessionContext() { return null; }
        @Override public long getCreationTime() { return created; }
        @Override public long getLastAccessedTime() { return created; }
        @Override public void invalidate() { }
        @Override public boolean isValid() { return false; }
        @Override public void putValue(String name, Object value) { throw unused(); }
        @Override public Object getValue(String name) { return null; }
        @Override public void removeValue(String name) { }
        @Override public String[] getValueNames() { return new String[0]; }
        @Override public Certificate[] getPeerCertificates() { throw unused(); }
        @Override public Certificate[] getLocalCertificates() { return null; }
        @Override public Principal getPeerPrincipal() { throw unused(); }
        @Override public Principal getLocalPrincipal() { return null; }
        @Override public String getCipherSuite() { return "TLS_AES_128_GCM_SHA256"; }
        @Override public int getPacketBufferSize() { return 16709; }
        @Override public int getApplicationBufferSize() { return 16384; }
    }
}
