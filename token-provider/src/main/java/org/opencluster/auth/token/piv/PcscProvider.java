package org.opencluster.auth.token.piv;

import java.security.NoSuchAlgorithmException;
import javax.smartcardio.TerminalFactory;
import jnasmartcardio.Smartcardio;

/** Which javax.smartcardio implementation talks to PC/SC (pcscd on Linux, WinSCard, macOS PCSC). */
public enum PcscProvider {
    /**
     * jnasmartcardio when its native binding loads, else the JDK's. The default: jnasmartcardio reports a stopped
     * pcscd as an error and recovers when it starts, whereas the JDK's provider binds to "no readers" for the
     * life of the JVM if pcscd was down at its first use.
     */
    AUTO,
    /** jnasmartcardio (JNA binding to libpcsclite.so.1 / winscard.dll) only. */
    JNASMARTCARDIO,
    /** The JDK's own provider (SunPCSC, module java.smartcardio) only. */
    JDK;

    /** A fresh terminal factory (no global provider registration). */
    public TerminalFactory terminalFactory() throws PivCardException {
        switch (this) {
            case JNASMARTCARDIO:
                return jna();
            case JDK:
                return jdk();
            default:
                try {
                    return jna();
                } catch (PivCardException | LinkageError e) {
                    return jdk();
                }
        }
    }

    private static TerminalFactory jna() throws PivCardException {
        try {
            return TerminalFactory.getInstance("PC/SC", null, new Smartcardio());
        } catch (NoSuchAlgorithmException | RuntimeException | LinkageError e) {
            throw new PivCardException(PivCardError.TRANSPORT, "jnasmartcardio cannot load the PC/SC library ("
                    + PcscFailures.describe(e) + "): install libpcsclite1 (Debian) or pcsc-lite", -1, -1, e);
        }
    }

    private static TerminalFactory jdk() throws PivCardException {
        try {
            return TerminalFactory.getInstance("PC/SC", null);
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            throw new PivCardException(PivCardError.TRANSPORT, "the JDK's PC/SC provider is unavailable ("
                    + PcscFailures.describe(e) + "): install libpcsclite1 or set sun.security.smartcardio.library",
                    -1, -1, e);
        }
    }
}
