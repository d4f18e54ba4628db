/*
 * ConnectVerifier.java - the `java` row in connect mode: a JDK TLS client's handshake with the
 * built-in server. The SSLContext holds the same PKIX trust manager as verify mode (the case's
 * roots and time), wrapped only to record what it threw: a handshake that fails after the trust
 * manager refused the chain is a reject with the trust manager's words; any other failure (no
 * connection, a handshake failure that is not about the certificate) is an error.
 */
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

final class ConnectVerifier {
    static final String SETTINGS =
        "SSLContext.getInstance(\"TLS\") initialised with that trust manager alone (no key "
        + "managers), its default protocols and cipher suites; a TCP connection to the server "
        + "(the connection and each read may take what is left of the request's timeout_ms, 4 s "
        + "when it has none) layered with createSocket(socket, hostname, "
        + "port, true), so the peer host is the hostname; SSLParameters with endpoint "
        + "identification \"HTTPS\" and SNI = hostname; startHandshake(). accept = the handshake "
        + "completed; reject = it failed after the trust manager refused the chain (its "
        + "exception); anything else is an error";

    private ConnectVerifier() {
    }

    /** Records the trust manager's verdict on the server's chain, then passes it on. */
    private static final class Recorder extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager tm;
        CertificateException refused;
        boolean checked;

        Recorder(X509ExtendedTrustManager tm) {
            this.tm = tm;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
            throws CertificateException {
            checked = true;
            try {
                tm.checkServerTrusted(chain, authType, s);
            } catch (CertificateException e) {
                refused = e;
                throw e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
            throws CertificateException {
            throw new CertificateException("only SSLSocket is used here");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
            throw new CertificateException("only SSLSocket is used here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
            throws CertificateException {
            throw new CertificateException("a client is never asked to trust a client");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
            throws CertificateException {
            throw new CertificateException("a client is never asked to trust a client");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
            throw new CertificateException("a client is never asked to trust a client");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return tm.getAcceptedIssuers();
        }
    }

    /** Loads and initialises the JDK's TLS client before the hello, so the first connect case
     * does not pay for it within its timeout (seconds on a loaded machine). */
    static void warmUp() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new Recorder(null)}, null);
        try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket()) {
            s.setSSLParameters(s.getSSLParameters());
        }
    }

    static Verdict connect(X509ExtendedTrustManager tm, Case c) throws Exception {
        long deadline = System.nanoTime() + c.timeoutMs * 1000000L;
        Recorder rec = new Recorder(tm);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {rec}, null);
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(c.host, c.port), c.timeoutMs);
            raw.setSoTimeout((int)Math.max(1, (deadline - System.nanoTime()) / 1000000L));
        } catch (IOException e) {
            raw.close();
            return Verdict.error("cannot connect to " + c.host + ":" + c.port + ": " + e);
        }
        try (SSLSocket s = (SSLSocket)ctx.getSocketFactory().createSocket(raw, c.hostname, c.port,
                                                                          true)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(c.hostname)));
            s.setSSLParameters(p);
            s.startHandshake();
        } catch (IOException e) {
            if (rec.refused != null)
                return Verdict.reject(rec.refused);
            return Verdict.error("handshake failed " + (rec.checked ? "after" : "before")
                                 + " the certificate check: " + Verdict.describe(e));
        }
        if (!rec.checked)
            return Verdict.error("the handshake completed without checking the server's chain");
        return Verdict.accept(null);
    }
}
