package org.opencluster.auth.token.piv;

import java.util.Locale;
import jnasmartcardio.Smartcardio;

/**
 * Turns PC/SC failures of either provider into {@link PivCardException}s. The JDK's provider only says what
 * happened in the message of a nested exception ("SCARD_W_REMOVED_CARD", or "Card has been removed" once the
 * handle knows), jnasmartcardio in a numeric code; both are recognised.
 */
final class PcscFailures {
    static final long SCARD_W_REMOVED_CARD = 0x80100069L;
    static final long SCARD_W_RESET_CARD = 0x80100068L;
    static final long SCARD_W_UNPOWERED_CARD = 0x80100067L;
    static final long SCARD_E_NO_SMARTCARD = 0x8010000CL;
    static final long SCARD_E_NO_SERVICE = 0x8010001DL;
    static final long SCARD_E_SERVICE_STOPPED = 0x8010001EL;

    private static final String[] REMOVED_NAMES = {"SCARD_W_REMOVED_CARD", "SCARD_W_RESET_CARD",
        "SCARD_W_UNPOWERED_CARD", "SCARD_E_NO_SMARTCARD", "CARD HAS BEEN REMOVED"};

    private PcscFailures() {
    }

    static PivCardException classify(String doing, Throwable failure) {
        if (isCardGone(failure)) {
            return new PivCardException(PivCardError.CARD_REMOVED, "the card was removed (or reset by another"
                    + " program) while " + doing + ": insert it and open the token again", -1, -1, failure);
        }
        return new PivCardException(PivCardError.TRANSPORT, "PC/SC failed while " + doing + " (" + describe(failure)
                + "): check the reader and that pcscd is running", -1, -1, failure);
    }

    static boolean isCardGone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Smartcardio.JnaPCSCException) {
                long code = ((Smartcardio.JnaPCSCException) t).code & 0xFFFFFFFFL;
                if (code == SCARD_W_REMOVED_CARD || code == SCARD_W_RESET_CARD || code == SCARD_W_UNPOWERED_CARD
                        || code == SCARD_E_NO_SMARTCARD) {
                    return true;
                }
            }
            if (t instanceof javax.smartcardio.CardNotPresentException) {
                return true;
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toUpperCase(Locale.ROOT);
            for (String name : REMOVED_NAMES) {
                if (m.contains(name)) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The innermost message: PC/SC error names, never APDU contents. */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
