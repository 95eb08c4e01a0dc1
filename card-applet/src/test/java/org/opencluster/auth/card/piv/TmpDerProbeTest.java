package org.opencluster.auth.card.piv;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivSlot;

class TmpDerProbeTest {
    @Test
    void probe() throws Exception {
        for (PivAlgorithm alg : new PivAlgorithm[] {PivAlgorithm.EC_P256, PivAlgorithm.EC_P384}) {
            SimCard c = new SimCard().selected();
            c.admin.authenticateManagementKey(org.opencluster.auth.token.piv.PivClient.defaultManagementKey());
            c.admin.generateKey(PivSlot.AUTHENTICATION, alg);
            c.admin.verifyPin("123456".toCharArray());
            int bad = 0;
            for (int i = 0; i < 400; i++) {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) i, (byte) (i >> 8)});
                byte[] sig = c.admin.sign(PivSlot.AUTHENTICATION, alg, hash);
                org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(sig);
                byte[] again = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    new org.bouncycastle.asn1.ASN1Integer(new java.math.BigInteger(1,
                        ((org.bouncycastle.asn1.ASN1Integer) seq.getObjectAt(0)).getValue().toByteArray())),
                    new org.bouncycastle.asn1.ASN1Integer(((org.bouncycastle.asn1.ASN1Integer) seq.getObjectAt(1))
                        .getValue())}).getEncoded();
                if (!java.util.Arrays.equals(sig, again)) {
                    bad++;
                    if (bad < 5) System.out.println("NONDER " + alg + " " + java.util.HexFormat.of().formatHex(sig));
                }
            }
            System.out.println("PROBE " + alg + " nonstrict=" + bad + "/400");
        }
    }
}
