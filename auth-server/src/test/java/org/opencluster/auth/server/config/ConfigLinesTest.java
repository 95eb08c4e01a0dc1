package org.opencluster.auth.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The line-aware reading of a configuration file: Properties syntax exactly, plus repeated keys refused by line. */
class ConfigLinesTest {
    private static final Path FILE = Path.of("oca-server.properties");

    private static Properties plain(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    @Test
    void theSyntaxIsThatOfProperties() throws IOException {
        String text = "# comment \\\nlisten = 127.0.0.1:1\\\n    234\n! other comment\n  db.user:sa\r\n"
                + "db.password \\u0041b\\\\c\n\f\tdata.dir\tx\n\u2003#odd=1\nempty\n";
        assertEquals(plain(text), ConfigLines.parse(FILE, text));
        assertEquals("127.0.0.1:1234", ConfigLines.parse(FILE, text).getProperty("listen"));
    }

    @Test
    void aRepeatedKeyNamesBothLinesAcrossContinuationsAndSpellings() {
        String text = "a=1\\\n  2\nb=3\n# a=4\n a : 5\n";
        String m = assertThrows(IllegalArgumentException.class, () -> ConfigLines.parse(FILE, text)).getMessage();
        assertTrue(m.contains("line 5") && m.contains("line 1") && m.contains("'a'") && m.contains(FILE.toString()),
                m);
        String escaped = "k=1\n\\u006b=2\n"; // the same key, spelled with an escape
        m = assertThrows(IllegalArgumentException.class, () -> ConfigLines.parse(FILE, escaped)).getMessage();
        assertTrue(m.contains("line 2"), m);
    }

    @Test
    void aMalformedEscapeNamesItsLine() {
        String m = assertThrows(IllegalArgumentException.class, () -> ConfigLines.parse(FILE, "a=1\n\nb=\\u12\n"))
                .getMessage();
        assertTrue(m.contains("line 3"), m);
    }
}
