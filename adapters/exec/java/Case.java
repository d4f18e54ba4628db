/*
 * Case.java - one request of the exec protocol, checked as PROTOCOL.md says ("Requests that are
 * not well formed"), its files read.
 */
import java.io.IOException;
import java.util.List;
import java.util.Map;

final class Case {
    /** The wait when a request has no timeout_ms (a harness older than the field), and the
     * largest timeout_ms the protocol allows. */
    static final long DEFAULT_TIMEOUT_MS = 4000, MAX_TIMEOUT_MS = 3600000;

    /** What is wrong with a request that is not well formed. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String what) {
            super(what);
        }
    }

    final String id;
    final String mode;
    final List<byte[]> chain; /* leaf first, as the server sends it */
    final List<byte[]> roots;
    final String hostname;
    final long time; /* Unix seconds */
    final String host; /* connect mode: where the built-in server listens, or null */
    final int port;
    final int timeoutMs; /* how long a connect case may wait in all */

    private Case(String id, String mode, List<byte[]> chain, List<byte[]> roots, String hostname,
                 long time, String host, int port, int timeoutMs) {
        this.id = id;
        this.mode = mode;
        this.chain = chain;
        this.roots = roots;
        this.hostname = hostname;
        this.time = time;
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    private static String text(Map<?, ?> m, String key) throws BadRequest {
        Object v = m.get(key);
        if (!(v instanceof String))
            throw new BadRequest("no string \"" + key + "\"");
        return (String)v;
    }

    private static long integer(Map<?, ?> m, String key, long lo, long hi) throws BadRequest {
        Object v = m.get(key);
        if (!(v instanceof Long) || (Long)v < lo || (Long)v > hi)
            throw new BadRequest("no integer \"" + key + "\""
                                 + (key.equals("time") ? "" : " from " + lo + " to " + hi));
        return (Long)v;
    }

    /** The request's id when it has a string one, else "" (what a reply to it carries). */
    static String idOf(Object req) {
        Object id = req instanceof Map ? ((Map<?, ?>)req).get("id") : null;
        return id instanceof String ? (String)id : "";
    }

    /** The request's case; throws BadRequest saying what is wrong with the request, or
     * IOException saying which file could not be read. */
    static Case from(Object req) throws BadRequest, IOException {
        if (!(req instanceof Map))
            throw new BadRequest("not a JSON object");
        Map<?, ?> m = (Map<?, ?>)req;
        String id = text(m, "id"), mode = text(m, "mode");
        if (!mode.equals("verify") && !mode.equals("connect"))
            throw new BadRequest("unknown mode \"" + mode + "\"");
        String chainPath = text(m, "chain"), rootsPath = text(m, "roots");
        String hostname = text(m, "hostname");
        long time = integer(m, "time", Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
        String host = null;
        int port = 0;
        if (mode.equals("connect")) {
            host = text(m, "host");
            port = (int)integer(m, "port", 1, 65535);
        }
        long timeout = m.containsKey("timeout_ms") ? integer(m, "timeout_ms", 1, MAX_TIMEOUT_MS)
                                                   : DEFAULT_TIMEOUT_MS;
        List<byte[]> chain = Certs.readPem(chainPath);
        if (chain.isEmpty())
            throw new IOException(chainPath + ": no certificate");
        return new Case(id, mode, chain, Certs.readPem(rootsPath), hostname, time, host, port,
                        (int)timeout);
    }
}
