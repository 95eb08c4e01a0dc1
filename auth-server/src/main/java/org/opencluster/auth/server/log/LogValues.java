package org.opencluster.auth.server.log;

/**
 * Every value a client or user can influence goes through {@link #quote} before it reaches a log line, so no input
 * can forge a line or a field: event lines are {@code key=value} pairs, one event per line, and an operator's grep
 * or a log shipper must be able to trust both.
 */
public final class LogValues {
    private LogValues() {
    }

    /**
     * {@code value} unchanged when it is plain (printable ASCII without space, quote, backslash or {@code =}), so
     * ordinary names and addresses read as before; otherwise in double quotes with {@code "} and {@code \} escaped by
     * a backslash and every other character outside printable ASCII (controls, separators, bidi controls, any
     * non-ASCII) as {@code \}{@code uXXXX}. The result is always one line of printable ASCII. {@code null} is
     * {@code -}.
     */
    public static String quote(Object value) {
        if (value == null) {
            return "-";
        }
        String s = value.toString();
        if (!s.isEmpty() && s.chars().allMatch(LogValues::plain)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.append('"').toString();
    }

    private static boolean plain(int c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
    }
}
