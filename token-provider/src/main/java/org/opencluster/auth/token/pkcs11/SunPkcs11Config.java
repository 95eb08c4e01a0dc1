package org.opencluster.auth.token.pkcs11;

import java.nio.file.Path;

/**
 * Builds the SunPKCS11 configuration for one token. Users never see it: they give a URI.
 *
 * <p>The {@code attributes(generate, ...)} templates make keys generated through this provider persistent token
 * objects that are private, sensitive and never extractable, with the usages the handshake needs; ECDH results
 * (generic secrets derived by C_DeriveKey) are session objects that may be read, because
 * {@link org.opencluster.auth.token.Token#agree} returns the raw shared secret. AES keys (the secret-wrap key of
 * {@link Pkcs11Connection#sealSecret}) are generated sensitive and never extractable; the key store then copies
 * them into a labelled token object.
 */
final class SunPkcs11Config {
    private SunPkcs11Config() {
    }

    static String forSlot(Path module, long slotId) {
        String lib = module.toAbsolutePath().toString();
        if (lib.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\')) {
            throw new IllegalArgumentException("module path contains characters SunPKCS11 cannot take");
        }
        return "--name = oca-slot-" + slotId + "\n"
                + "library = \"" + lib + "\"\n"
                + "slot = " + slotId + "\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_TOKEN = true\n  CKA_PRIVATE = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_PRIVATE = false\n}\n"
                + "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {\n  CKA_SIGN = true\n  CKA_DERIVE = true\n}\n"
                + "attributes(generate, CKO_PRIVATE_KEY, CKK_RSA) = {\n  CKA_SIGN = true\n  CKA_DECRYPT = true\n}\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_TOKEN = false\n  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n  CKA_ENCRYPT = true\n  CKA_DECRYPT = true\n}\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {\n"
                + "  CKA_TOKEN = false\n  CKA_SENSITIVE = false\n  CKA_EXTRACTABLE = true\n}\n";
    }
}
