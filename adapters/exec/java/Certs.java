/*
 * Certs.java - reads a case's PEM files the way a Java TLS client meets them: each certificate
 * the server sent is parsed on its own from its DER (CertificateMessage does so, and fails the
 * handshake on one that does not parse); the roots are what an application loads into its
 * trust store.
 */
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

final class Certs {
    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    private final CertificateFactory factory;

    Certs() throws CertificateException {
        factory = CertificateFactory.getInstance("X.509");
    }

    /** The DER of every certificate block in a PEM file, in file order. */
    static List<byte[]> readPem(String path) throws IOException {
        String text = new String(Files.readAllBytes(Path.of(path)), StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        for (int at = text.indexOf(BEGIN); at >= 0; at = text.indexOf(BEGIN, at)) {
            int end = text.indexOf(END, at);
            if (end < 0)
                throw new IOException(path + ": unterminated PEM block");
            try {
                out.add(Base64.getMimeDecoder().decode(text.substring(at + BEGIN.length(), end)));
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": bad base64 in certificate " + (out.size() + 1));
            }
            at = end + END.length();
        }
        return out;
    }

    /** One certificate; throws CertificateException (the JDK's parser refused it). */
    X509Certificate parse(byte[] der) throws CertificateException {
        return (X509Certificate)factory.generateCertificate(new ByteArrayInputStream(der));
    }

    /** Every certificate of a list; throws CertificateException naming which one failed. */
    X509Certificate[] parseAll(List<byte[]> ders, String what) throws CertificateException {
        X509Certificate[] out = new X509Certificate[ders.size()];
        for (int k = 0; k < out.length; k++) {
            try {
                out[k] = parse(ders.get(k));
            } catch (CertificateException e) {
                throw new CertificateException(what + " certificate " + (k + 1) + ": "
                                               + Verdict.describe(e), e);
            }
        }
        return out;
    }

    static List<String> subjects(List<? extends java.security.cert.Certificate> certs) {
        List<String> out = new ArrayList<>();
        for (java.security.cert.Certificate c : certs)
            out.add(((X509Certificate)c).getSubjectX500Principal().getName());
        return out;
    }
}
