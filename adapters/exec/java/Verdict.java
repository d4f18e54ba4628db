/*
 * Verdict.java - what one case came to: accept, reject with the JDK's own words, or error when
 * this program could not run the case (never a reject).
 */
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Verdict {
    final String outcome;
    final String reason;
    final List<String> path; /* the path the JDK built, leaf first, as subject names; or null */

    private Verdict(String outcome, String reason, List<String> path) {
        this.outcome = outcome;
        this.reason = reason;
        this.path = path;
    }

    static Verdict accept(List<String> path) {
        return new Verdict("accept", "", path);
    }

    static Verdict reject(Throwable t) {
        return new Verdict("reject", describe(t), null);
    }

    static Verdict error(String why) {
        return new Verdict("error", why, null);
    }

    /* The exception's message and, when the message does not already say it, its causes':
     * the JDK wraps the builder's reason ("unable to find valid certification path") in the
     * trust manager's ("PKIX path building failed"). */
    static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null && b.length() < 400; c = c.getCause()) {
            String m = c.getMessage() != null ? c.getMessage() : c.getClass().getName();
            if (b.indexOf(m) >= 0)
                continue;
            b.append(b.length() > 0 ? ": " : "").append(m);
        }
        return b.toString();
    }

    String toJson(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("outcome", outcome);
        m.put("reason", reason);
        if (path != null)
            m.put("path", path);
        return Json.write(m);
    }
}
