package org.opencluster.auth.token.pkcs11;

import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.opencluster.auth.softhsm.SoftHsmFixture;
import org.opencluster.auth.testsupport.RealComponent;
import org.opencluster.auth.token.SignatureScheme;

/** Shared bits of the SoftHSM2 tests. */
final class SoftHsmSupport {
    static final Provider BC = new BouncyCastleProvider();
    static final String SO_PIN = "87654321";

    private SoftHsmSupport() {
    }

    static SoftHsmFixture fixture(Class<?> testClass) throws Exception {
        RealComponent.require(SoftHsmFixture.softHsmInstalled(), "SoftHSM2 (apt-get install softhsm2)");
        return SoftHsmFixture.forTestClass(testClass);
    }

    static String uri(SoftHsmFixture hsm, String selection, String pinSource) {
        return "pkcs11:" + selection + "?module-path=" + hsm.module() + "&pin-source=" + pinSource;
    }

    /** Verifies with Bouncy Castle's provider, independent of SunPKCS11 and of our code. */
    static boolean verify(SignatureScheme scheme, PublicKey key, byte[] message, byte[] signature) throws Exception {
        Signature v = Signature.getInstance(scheme.jcaAlgorithm(), BC);
        if (scheme.jcaParameters().isPresent()) {
            v.setParameter(scheme.jcaParameters().get());
        }
        v.initVerify(key);
        v.update(message);
        return v.verify(signature);
    }
}
