/*
 * TrustManagerVerifier.java - the `java` row: the PKIX trust manager as a JDK 17 TLS client
 * uses it. TrustManagerFactory "PKIX" is initialised with CertPathTrustManagerParameters over
 * PKIXBuilderParameters (the case's roots as a KeyStore, the case's validation time, revocation
 * off), and checkServerTrusted(chain, "UNKNOWN", engine) runs with the engine and handshake
 * session a TLS 1.3 client has at that point (HandshakeStub): the server's Certificate message
 * checks (serverAuth EKU and digitalSignature key usage on the leaf, the algorithm constraints,
 * the HTTPS hostname check against SNI) all run.
 */
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Date;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

final class TrustManagerVerifier implements Verifier {
    static final String SETTINGS =
        "verify: TrustManagerFactory \"PKIX\" (SunJSSE X509TrustManagerImpl) initialised with "
        + "CertPathTrustManagerParameters(PKIXBuilderParameters(a PKCS12 KeyStore of the case's "
        + "roots, an empty X509CertSelector)), setDate(the case's time), "
        + "setRevocationEnabled(false); checkServerTrusted(chain, \"UNKNOWN\", engine) as a TLS "
        + "1.3 client calls it: the engine's SSLParameters have endpoint identification "
        + "\"HTTPS\" and SNI = the hostname, its handshake session is TLS 1.3 with the JDK 17 "
        + "default signature schemes (" + String.join(", ", HandshakeStub.JDK17_SIGNATURE_ALGORITHMS)
        + "), so the hostname check, the serverAuth EKU and key usage checks and "
        + "jdk.certpath/jdk.tls.disabledAlgorithms apply. A sent certificate the JDK cannot "
        + "parse is a reject (CertificateMessage fails the handshake). connect: " + ConnectVerifier.SETTINGS;

    private final TrustManagerFactory factory;

    TrustManagerVerifier() throws Exception {
        factory = TrustManagerFactory.getInstance("PKIX");
    }

    /** The trust manager a client gets from the PKIX factory for these roots and this time. */
    static X509ExtendedTrustManager build(TrustManagerFactory factory, X509Certificate[] roots,
                                          long time) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int k = 0; k < roots.length; k++)
            ks.setCertificateEntry("root" + k, roots[k]);
        PKIXBuilderParameters p = new PKIXBuilderParameters(ks, new X509CertSelector());
        p.setDate(new Date(time * 1000L));
        p.setRevocationEnabled(false);
        factory.init(new CertPathTrustManagerParameters(p));
        for (TrustManager t : factory.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager)
                return (X509ExtendedTrustManager)t;
        }
        throw new IllegalStateException("TrustManagerFactory PKIX gave no X509ExtendedTrustManager");
    }

    @Override
    public Verdict verify(Certs certs, Case c) throws Exception {
        X509Certificate[] roots = certs.parseAll(c.roots, "root");
        X509Certificate[] chain;
        try {
            chain = certs.parseAll(c.chain, "sent");
        } catch (CertificateException e) {
            return Verdict.reject(e);
        }
        X509ExtendedTrustManager tm = build(factory, roots, c.time);
        try {
            tm.checkServerTrusted(chain, "UNKNOWN", HandshakeStub.clientEngine(c.hostname));
        } catch (CertificateException e) {
            return Verdict.reject(e);
        }
        return Verdict.accept(null);
    }

    /** Connect mode: a real handshake with the built-in server (ConnectVerifier). */
    Verdict connect(Certs certs, Case c) throws Exception {
        X509Certificate[] roots = certs.parseAll(c.roots, "root");
        return ConnectVerifier.connect(build(factory, roots, c.time), c);
    }
}
