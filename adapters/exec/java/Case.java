/*
 * Case.java - one verify request of the exec protocol, its files read.
 */
import java.io.IOException;
import java.util.List;
import java.util.Map;

final class Case {
    final Object id;
    final String mode;
    final List<byte[]> chain; /* leaf first, as the server sends it */
    final List<byte[]> roots;
    final String hostname;
    final long time; /* Unix seconds */
    final String host; /* connect mode: where the built-in server listens, or null */
    final int port;

    private Case(Object id, String mode, List<byte[]> chain, List<byte[]> roots, String hostname,
                 long time, String host, int port) {
        this.id = id;
        this.mode = mode;
        this.chain = chain;
        this.roots = roots;
        this.hostname = hostname;
        this.time = time;
        this.host = host;
        this.port = port;
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String))
            throw new IllegalArgumentException("request has no string \"" + key + "\"");
        return (String)v;
    }

    /** The request's case; throws IllegalArgumentException or IOException saying what is
     * wrong with the request or which file could not be read. */
    static Case from(Map<?, ?> m) throws IOException {
        Object t = m.get("time");
        if (!(t instanceof Long))
            throw new IllegalArgumentException("request has no integer \"time\"");
        String chainPath = text(m, "chain");
        List<byte[]> chain = Certs.readPem(chainPath);
        if (chain.isEmpty())
            throw new IOException(chainPath + ": no certificate");
        Object host = m.get("host"), port = m.get("port");
        return new Case(m.get("id"), text(m, "mode"), chain, Certs.readPem(text(m, "roots")),
                        text(m, "hostname"), (Long)t, host instanceof String ? (String)host : null,
                        port instanceof Long ? (int)(long)(Long)port : 0);
    }
}
