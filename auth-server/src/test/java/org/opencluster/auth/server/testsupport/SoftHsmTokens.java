package org.opencluster.auth.server.testsupport;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;

/**
 * One SoftHSM2 for a test class, its tokens made before the first test and everything removed after the last: the
 * set-up and tear-down the SoftHSM2 test classes share. Register it in a static field:
 * <pre>{@code
 * @RegisterExtension
 * static final SoftHsmTokens HSM = SoftHsmTokens.withPkcs11Tool((hsm, tokens) -> hsm.initToken("t", SO_PIN, PIN));
 * }</pre>
 * SoftHSM2 sees only the tokens that exist when the JVM first loads it (its first connect), so the set-up makes
 * them all before it connects. Missing
 * SoftHSM2 (or OpenSC's pkcs11-tool, when asked for) skips the class locally and fails it under {@code CI=true}
 * ({@link RealComponent}).
 */
public final class SoftHsmTokens implements BeforeAllCallback, AfterAllCallback {
    /** The security officer's PIN of every test token. */
    public static final String SO_PIN = "12345678";

    /** The tokens and keys a test class needs, made in its SoftHSM2 before any test runs. */
    @FunctionalInterface
    public interface SetUp {
        void run(SoftHsmFixture hsm, Pkcs11Tokens tokens) throws Exception;
    }

    private final boolean needsPkcs11Tool;
    private final SetUp setUp;
    private SoftHsmFixture hsm;
    private Pkcs11Tokens tokens;

    private SoftHsmTokens(boolean needsPkcs11Tool, SetUp setUp) {
        this.needsPkcs11Tool = needsPkcs11Tool;
        this.setUp = Objects.requireNonNull(setUp);
    }

    /** SoftHSM2 alone. */
    public static SoftHsmTokens of(SetUp setUp) {
        return new SoftHsmTokens(false, setUp);
    }

    /** SoftHSM2 and OpenSC's pkcs11-tool (keys made as an operator would, with a script step). */
    public static SoftHsmTokens withPkcs11Tool(SetUp setUp) {
        return new SoftHsmTokens(true, setUp);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        RealComponent.require(SoftHsmFixture.softHsmInstalled()
                && (!needsPkcs11Tool || SoftHsmFixture.pkcs11ToolInstalled()),
                needsPkcs11Tool ? "SoftHSM2 and OpenSC (apt-get install softhsm2 opensc)"
                        : "SoftHSM2 (apt-get install softhsm2)");
        hsm = SoftHsmFixture.forTestClass(context.getRequiredTestClass());
        // Loads nothing yet: the module is loaded at the first connect, after the set-up made the tokens it needs.
        tokens = Pkcs11Tokens.builder().defaultModule(hsm.module()).build();
        setUp.run(hsm, tokens);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (hsm != null) {
            hsm.close();
            hsm = null;
        }
    }

    /** This class's SoftHSM2 (its module, token directory and tools). */
    public SoftHsmFixture fixture() {
        return Objects.requireNonNull(hsm, "SoftHSM2 is set up before the first test");
    }

    /** PKCS#11 access through this class's SoftHSM2 module. */
    public Pkcs11Tokens tokens() {
        return Objects.requireNonNull(tokens, "SoftHSM2 is set up before the first test");
    }
}
