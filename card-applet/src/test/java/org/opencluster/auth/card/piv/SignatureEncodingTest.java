package org.opencluster.auth.card.piv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.math.BigInteger;
import java.security.MessageDigest;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;

/**
 * The applet's ECDSA signatures (jCardSim's) are strict DER, byte for byte what a DER encoder makes of their r and
 * s: the host's EcdsaDer accepts nothing else (issue 13 item 8), so a card that emitted BER would fail loudly.
 */
class SignatureEncodingTest {
    @ParameterizedTest
    @EnumSource(value = PivAlgorithm.class, names = {"EC_P256", "EC_P384"})
    void everySignatureIsStrictDer(PivAlgorithm alg) throws Exception {
        SimCard c = new SimCard().selected();
        c.admin.authenticateManagementKey(PivClient.defaultManagementKey());
        c.admin.generateKey(PivSlot.AUTHENTICATION, alg);
        c.admin.verifyPin("123456".toCharArray());
        for (int i = 0; i < 300; i++) {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) i, (byte) (i >> 8)});
            byte[] sig = c.admin.sign(PivSlot.AUTHENTICATION, alg, hash);
            ASN1Sequence seq = ASN1Sequence.getInstance(sig);
            BigInteger r = ((ASN1Integer) seq.getObjectAt(0)).getValue();
            BigInteger s = ((ASN1Integer) seq.getObjectAt(1)).getValue();
            byte[] der = new DERSequence(new ASN1Encodable[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded();
            assertArrayEquals(der, sig, "signature " + i);
        }
    }
}
