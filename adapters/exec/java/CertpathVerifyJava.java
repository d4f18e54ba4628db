/*
 * CertpathVerifyJava.java - certpath's exec verifier for the JDK (adapters/exec/PROTOCOL.md):
 * prints a hello line, then answers each request line on stdin with one response line, until
 * stdin ends. One JVM serves every case of a worker, so the JIT warms up once and the
 * factories are reused.
 *
 *   certpath-verify-java              the `java` row: the PKIX trust manager of a TLS client
 *                                     (verify), or the JDK's TLS client itself (connect)
 *   certpath-verify-java --builder    the `java-certpath` row: the bare PKIX CertPathBuilder
 *
 * Exit status: 0 at the end of stdin, 1 when stdout fails or the JDK lacks what a row needs, 2
 * for a bad command line.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class CertpathVerifyJava {
    private CertpathVerifyJava() {
    }

    private static String hello(boolean builder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("certpath-exec", 1L);
        m.put("name", builder ? "java-certpath" : "java");
        m.put("library", builder ? "Java CertPathBuilder" : "Java PKIX TrustManager");
        m.put("version", System.getProperty("java.vm.vendor") + " "
                             + System.getProperty("java.runtime.version"));
        m.put("caps", builder ? List.of("verify", "set-time")
                              : List.of("verify", "connect", "set-time", "hostname", "purpose"));
        m.put("settings", builder ? BuilderVerifier.SETTINGS : TrustManagerVerifier.SETTINGS);
        return Json.write(m);
    }

    private static Verdict answer(Verifier v, Certs certs, Object req) {
        try {
            Case c = Case.from(req);
            if (c.mode.equals("verify"))
                return v.verify(certs, c);
            if (c.mode.equals("connect") && v instanceof TrustManagerVerifier)
                return ((TrustManagerVerifier)v).connect(certs, c);
            return Verdict.error("mode \"" + c.mode + "\" is not supported");
        } catch (Case.BadRequest e) {
            return Verdict.error("bad request: " + e.getMessage());
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            return Verdict.error("certpath-verify-java: " + e.getClass().getSimpleName() + ": "
                                 + Verdict.describe(e));
        }
    }

    public static void main(String[] args) throws Exception {
        boolean builder = args.length == 1 && args[0].equals("--builder");
        if (args.length > 1 || (args.length == 1 && !builder)) {
            System.err.println("usage: certpath-verify-java [--builder]");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Verifier v = builder ? new BuilderVerifier() : new TrustManagerVerifier();
        Certs certs = new Certs();
        if (!builder)
            ConnectVerifier.warmUp();
        out.println(hello(builder));
        out.flush();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            if (line.isBlank())
                continue;
            String id = "";
            Verdict verdict;
            try {
                Object req = Json.parse(line);
                id = Case.idOf(req);
                verdict = answer(v, certs, req);
            } catch (IllegalArgumentException | IndexOutOfBoundsException | StackOverflowError e) {
                /* From Json.parse: answer() catches its own. */
                verdict = Verdict.error("bad request: not JSON (" + e.getMessage() + ")");
            }
            out.println(verdict.toJson(id));
            out.flush();
            if (out.checkError())
                System.exit(1);
        }
    }
}
