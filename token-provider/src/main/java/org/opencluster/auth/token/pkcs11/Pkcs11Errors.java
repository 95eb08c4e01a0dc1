package org.opencluster.auth.token.pkcs11;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PKCS#11 return values: names for messages, and which of them mean "the token went away". */
final class Pkcs11Errors {
    private static final Pattern CKR = Pattern.compile("CKR_[A-Z0-9_]+");
    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(0x0L, "CKR_OK"),
            Map.entry(0x5L, "CKR_GENERAL_ERROR"),
            Map.entry(0x6L, "CKR_FUNCTION_FAILED"),
            Map.entry(0x7L, "CKR_ARGUMENTS_BAD"),
            Map.entry(0x30L, "CKR_DEVICE_ERROR"),
            Map.entry(0x31L, "CKR_DEVICE_MEMORY"),
            Map.entry(0x32L, "CKR_DEVICE_REMOVED"),
            Map.entry(0x70L, "CKR_MECHANISM_INVALID"),
            Map.entry(0xA0L, "CKR_PIN_INCORRECT"),
            Map.entry(0xA4L, "CKR_PIN_LOCKED"),
            Map.entry(0xB3L, "CKR_SESSION_HANDLE_INVALID"),
            Map.entry(0xE0L, "CKR_TOKEN_NOT_PRESENT"),
            Map.entry(0xE1L, "CKR_TOKEN_NOT_RECOGNIZED"),
            Map.entry(0x101L, "CKR_USER_NOT_LOGGED_IN"),
            Map.entry(0x190L, "CKR_CRYPTOKI_NOT_INITIALIZED"),
            Map.entry(0x191L, "CKR_CRYPTOKI_ALREADY_INITIALIZED"));

    /** Return values after which the session or token is gone; reopening (a new provider) may recover. */
    static final Set<String> GONE = Set.of("CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED",
            "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_DEVICE_ERROR", "CKR_USER_NOT_LOGGED_IN",
            "CKR_OBJECT_HANDLE_INVALID", "CKR_KEY_HANDLE_INVALID", "CKR_CRYPTOKI_NOT_INITIALIZED",
            "CKR_GENERAL_ERROR");
    static final Set<String> UNSUPPORTED = Set.of("CKR_MECHANISM_INVALID", "CKR_MECHANISM_PARAM_INVALID",
            "CKR_KEY_TYPE_INCONSISTENT", "CKR_KEY_FUNCTION_NOT_PERMITTED", "CKR_FUNCTION_NOT_SUPPORTED");

    private Pkcs11Errors() {
    }

    static String name(long rv) {
        return NAMES.getOrDefault(rv, String.format("CKR 0x%X", rv));
    }

    /**
     * The first CKR_ name in the cause chain. SunPKCS11's PKCS11Exception lives in a non-exported package, so its
     * message (which is the CKR_ name on JDK 17 and 25) is the only portable way to read the code.
     */
    static Optional<String> find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                Matcher m = CKR.matcher(c.getMessage());
                if (m.find()) {
                    return Optional.of(m.group());
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }

    /** SunPKCS11 reports a removed token as a ProviderException without a CKR_ code. */
    static boolean saysRemoved(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("Token has been removed") || m.contains("Token not present"))) {
                return true;
            }
        }
        return false;
    }
}
