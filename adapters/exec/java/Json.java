/*
 * Json.java - the little JSON the exec protocol needs: one request object per line in, one
 * response object per line out. The JDK has no JSON API and the verifier takes no dependencies,
 * so this reads any JSON value (objects, arrays, strings with escapes, numbers, literals) and
 * writes flat objects of strings, numbers, booleans and string lists.
 */
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON text; throws IllegalArgumentException saying where it went wrong. */
    static Object parse(String text) {
        Json p = new Json(text);
        Object v = p.value();
        p.space();
        if (p.i != p.s.length())
            throw p.fail("trailing text");
        return v;
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException(what + " at offset " + i);
    }

    private void space() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0)
            i++;
    }

    private void expect(char c) {
        space();
        if (i >= s.length() || s.charAt(i) != c)
            throw fail("expected '" + c + "'");
        i++;
    }

    private Object value() {
        space();
        if (i >= s.length())
            throw fail("unexpected end");
        char c = s.charAt(i);
        if (c == '{')
            return object();
        if (c == '[')
            return array();
        if (c == '"')
            return string();
        for (String lit : new String[] {"true", "false", "null"}) {
            if (s.startsWith(lit, i)) {
                i += lit.length();
                return lit.equals("null") ? null : Boolean.valueOf(lit.equals("true"));
            }
        }
        return number();
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        expect('{');
        space();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return m;
        }
        do {
            space();
            String k = string();
            expect(':');
            m.put(k, value());
            space();
        } while (i < s.length() && s.charAt(i++) == ',');
        if (s.charAt(i - 1) != '}')
            throw fail("expected '}'");
        return m;
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        expect('[');
        space();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return a;
        }
        do {
            a.add(value());
            space();
        } while (i < s.length() && s.charAt(i++) == ',');
        if (s.charAt(i - 1) != ']')
            throw fail("expected ']'");
        return a;
    }

    private String string() {
        if (i >= s.length() || s.charAt(i) != '"')
            throw fail("expected a string");
        StringBuilder b = new StringBuilder();
        for (i++; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i >= s.length())
                break;
            char e = s.charAt(i);
            int at = "\"\\/bfnrt".indexOf(e);
            if (at >= 0) {
                b.append("\"\\/\b\f\n\r\t".charAt(at));
            } else if (e == 'u' && i + 4 < s.length()) {
                b.append((char)Integer.parseInt(s.substring(i + 1, i + 5), 16));
                i += 4;
            } else {
                throw fail("bad escape");
            }
        }
        throw fail("unterminated string");
    }

    private Number number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0)
            i++;
        String t = s.substring(start, i);
        try {
            if (t.matches("-?\\d+"))
                return Long.valueOf(t);
            return Double.valueOf(t);
        } catch (NumberFormatException e) {
            throw fail("expected a value");
        }
    }

    /** One value as JSON text: strings, numbers, booleans, null and lists of those. */
    static String write(Object v) {
        if (v == null)
            return "null";
        if (v instanceof Number || v instanceof Boolean)
            return v.toString();
        if (v instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : (List<?>)v)
                b.append(b.length() > 1 ? "," : "").append(write(o));
            return b.append(']').toString();
        }
        if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>)v).entrySet()) {
                b.append(b.length() > 1 ? "," : "").append(write(e.getKey().toString()));
                b.append(':').append(write(e.getValue()));
            }
            return b.append('}').toString();
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toString().toCharArray()) {
            if (c == '"' || c == '\\')
                b.append('\\').append(c);
            else if (c < 0x20 || c == 0x2028 || c == 0x2029)
                b.append(String.format("\\u%04x", (int)c));
            else
                b.append(c);
        }
        return b.append('"').toString();
    }
}
