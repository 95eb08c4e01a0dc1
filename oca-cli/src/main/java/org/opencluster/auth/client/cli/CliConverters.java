package org.opencluster.auth.client.cli;

import java.util.Locale;
import java.util.Map;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.piv.PivSlot;
import picocli.CommandLine;

/**
 * Option values checked where they are parsed: a malformed one is a usage error (exit 2) with one line naming what
 * is expected, before any connection, instead of an exception out of the middle of a command. Each returns the
 * value in its normal spelling.
 */
final class CliConverters {
    private CliConverters() {
    }

    /** The one line of a malformed value: what was expected, what was given. */
    private static CommandLine.TypeConversionException expected(String what, String value) {
        return new CommandLine.TypeConversionException("expected " + what + ", got '" + value + "'");
    }

    /** {@code host:port}, port 1-65535; an IPv6 address in brackets ({@code [::1]:4700}). */
    static final class HostPort implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int colon = value.lastIndexOf(':');
            String host = colon < 0 ? "" : value.substring(0, colon);
            String port = colon < 0 ? "" : value.substring(colon + 1);
            if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1
                    || Integer.parseInt(port) > 65535 || host.contains(":") && !host.matches("\\[[0-9A-Fa-f:.]+]")) {
                throw expected("host:port (port 1-65535)", value);
            }
            return value;
        }
    }

    /** A PIV key slot: 9A, 9C, 9D or 9E (any case). */
    static final class PivSlotName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                PivSlot.fromHex(value);
            } catch (IllegalArgumentException e) {
                throw expected("a PIV slot: 9A, 9C, 9D or 9E", value);
            }
            return value.toUpperCase(Locale.ROOT);
        }
    }

    /** A card key algorithm as yubico-piv-tool -A names them: ECCP256, ECCP384 or RSA2048 (any case). */
    static final class CardKeyAlgorithm implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String name = value.toUpperCase(Locale.ROOT);
            if (!java.util.Set.of("ECCP256", "ECCP384", "RSA2048").contains(name)) {
                throw expected("ECCP256, ECCP384 or RSA2048", value);
            }
            return name;
        }
    }

    /**
     * The type of a software key {@code rekey --new-key-file} generates: P256, P384, ED25519, X25519 (proves
     * possession by key agreement) or RSA3072 (any case).
     */
    static final class SoftwareKeyType implements CommandLine.ITypeConverter<KeyType> {
        static final Map<String, KeyType> NAMES = Map.of("P256", KeyType.EC_P256, "P384", KeyType.EC_P384,
                "ED25519", KeyType.ED25519, "X25519", KeyType.X25519, "RSA3072", KeyType.RSA_3072);

        @Override
        public KeyType convert(String value) {
            KeyType type = NAMES.get(value.toUpperCase(Locale.ROOT));
            if (type == null) {
                throw expected("P256, P384, ED25519, X25519 or RSA3072", value);
            }
            return type;
        }

        /** The name {@code --new-key-type} gives {@code type}. */
        static String nameOf(KeyType type) {
            return NAMES.entrySet().stream().filter(e -> e.getValue() == type).map(Map.Entry::getKey).findFirst()
                    .orElse(type.name());
        }
    }

    /** A cipher suite id: 16 bits, hex with 0x ({@code 0x0101}) or decimal. */
    static final class SuiteId implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int id;
            try {
                id = Integer.decode(value);
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0 || id > 0xFFFF) {
                throw expected("a suite id such as 0x0101 (16 bits)", value);
            }
            return String.format("0x%04x", id);
        }
    }
}
