package org.opencluster.auth.client.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard output of a command run with {@code --json}: the command puts its data as fields, and at the end one
 * JSON object goes to the real output, one line. The command's code stays the same: {@link OcaCli#print} and the
 * commands that print data ask whether their writer is one of these. Anything printed as text anyway is kept, as
 * the {@code "lines"} field, so the output is always one valid JSON object.
 */
final class JsonOutput extends PrintWriter {
    private final PrintWriter target;
    private final StringWriter text;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private JsonOutput(PrintWriter target, StringWriter text) {
        super(text, true);
        this.target = target;
        this.text = text;
    }

    static JsonOutput to(PrintWriter target) {
        return new JsonOutput(target, new StringWriter());
    }

    /** Sets a field: a String, Number, Boolean, null, List or Map of those. */
    void put(String name, Object value) {
        fields.put(name, value);
    }

    /** Writes the object to the real output. */
    void finish() {
        flush();
        Map<String, Object> all = new LinkedHashMap<>(fields);
        String printed = text.toString();
        if (!printed.isEmpty()) {
            all.put("lines", new ArrayList<>(printed.lines().toList()));
        }
        target.println(encode(all));
        target.flush();
    }

    /** JSON text of a value (RFC 8259: strings escaped, control characters as \\u00XX). */
    static String encode(Object value) {
        StringBuilder b = new StringBuilder();
        append(b, value);
        return b.toString();
    }

    private static void append(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            b.append(value);
        } else if (value instanceof Map<?, ?> map) {
            b.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(sep);
                append(b, String.valueOf(e.getKey()));
                b.append(':');
                append(b, e.getValue());
                sep = ",";
            }
            b.append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            String sep = "";
            for (Object o : list) {
                b.append(sep);
                append(b, o);
                sep = ",";
            }
            b.append(']');
        } else {
            quote(b, value.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** A list of JSON objects built field by field (replies, suites). */
    static List<Object> list() {
        return new ArrayList<>();
    }

    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }
}
