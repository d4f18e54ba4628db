/*
 * BuilderVerifier.java - the `java-certpath` row: the bare PKIX CertPathBuilder, as code that
 * validates certificates outside TLS uses it. A Collection CertStore holds every certificate
 * the server sent, the target is the leaf, the anchors are the case's roots, the date is the
 * case's, revocation is off. There is no hostname check and no purpose check: the builder
 * checks EKU only when a checker asks for it, and none is added.
 */
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

final class BuilderVerifier implements Verifier {
    static final String SETTINGS =
        "CertPathBuilder.getInstance(\"PKIX\") (SUN provider) with PKIXBuilderParameters(the "
        + "case's roots as TrustAnchors, an X509CertSelector whose certificate is the leaf), a "
        + "Collection CertStore of every certificate sent, setDate(the case's time), "
        + "setRevocationEnabled(false), no extra checkers: no hostname check and no EKU / "
        + "purpose check (the builder checks neither by default); jdk.certpath.disabledAlgorithms "
        + "applies. A sent certificate the JDK cannot parse is a reject.";

    private final CertPathBuilder builder;

    BuilderVerifier() throws Exception {
        builder = CertPathBuilder.getInstance("PKIX");
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
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate r : roots)
            anchors.add(new TrustAnchor(r, null));
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(chain[0]);
        PKIXBuilderParameters p = new PKIXBuilderParameters(anchors, target);
        p.addCertStore(CertStore.getInstance("Collection",
                                             new CollectionCertStoreParameters(Arrays.asList(chain))));
        p.setDate(new Date(c.time * 1000L));
        p.setRevocationEnabled(false);
        PKIXCertPathBuilderResult r;
        try {
            r = (PKIXCertPathBuilderResult)builder.build(p);
        } catch (CertPathBuilderException e) {
            return Verdict.reject(e);
        }
        List<String> path = Certs.subjects(r.getCertPath().getCertificates());
        path.add(r.getTrustAnchor().getTrustedCert().getSubjectX500Principal().getName());
        return Verdict.accept(path);
    }
}
