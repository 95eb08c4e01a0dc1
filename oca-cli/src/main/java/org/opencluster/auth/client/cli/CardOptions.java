package org.opencluster.auth.client.cli;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.opencluster.auth.client.enrol.CardProvisioning;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.piv.PivAlgorithm;
import org.opencluster.auth.token.piv.PivCards;
import org.opencluster.auth.token.piv.PivClient;
import org.opencluster.auth.token.piv.PivSlot;
import picocli.CommandLine;

/** The card-provisioning options {@code oca enrol --card} and {@code oca rekey --new-card} share, read one way. */
final class CardOptions {
    private CardOptions() {
    }

    /** {@code --card-key} / {@code --new-card-key} (already checked by {@link CliConverters.CardKeyAlgorithm}). */
    static PivAlgorithm algorithm(String name) {
        switch (name) {
            case "ECCP384": return PivAlgorithm.EC_P384;
            case "RSA2048": return PivAlgorithm.RSA_2048;
            default: return PivAlgorithm.EC_P256;
        }
    }

    /** {@code --management-key}: 48 hex digits, or the well-known factory key when absent. */
    static byte[] managementKey(CommandLine.Model.CommandSpec spec, String hex) {
        if (hex == null) {
            return PivClient.defaultManagementKey();
        }
        if (!hex.matches("[0-9A-Fa-f]{48}")) {
            // Not echoed: the value is a secret.
            throw new CommandLine.ParameterException(spec.commandLine(), "--management-key: expected 48 hex digits"
                    + " (a 3DES key)");
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * Provisions {@code slotHex} of the card {@code cards} chooses with a new {@code keyName} key that
     * {@code certifier} has the server certify; a usage error (before anything touches the card) for a 9D key
     * other than ECCP256.
     */
    static X509Certificate provision(CommandLine.Model.CommandSpec spec, PivCards cards, String slotHex,
            String keyName, String managementKeyHex, CardProvisioning.Certifier certifier)
            throws IOException, TokenException {
        PivSlot slot = PivSlot.fromHex(slotHex);
        PivAlgorithm algorithm = algorithm(keyName);
        if (!CardProvisioning.supported(slot, algorithm)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "slot 9D proves possession by key"
                    + " agreement, which needs the card key ECCP256");
        }
        byte[] management = managementKey(spec, managementKeyHex);
        try (Progress p = Progress.of(spec.commandLine().getErr(), "generating the key on the card and"
                + " certifying it")) {
            return CardProvisioning.provision(cards, slot, algorithm, management, certifier);
        }
    }
}
