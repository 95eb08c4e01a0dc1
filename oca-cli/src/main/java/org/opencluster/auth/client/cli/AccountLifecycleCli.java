package org.opencluster.auth.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.KeyRotation;
import org.opencluster.auth.client.enrol.PassphraseStrength;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.Token;
import org.opencluster.auth.token.TokenException;
import org.opencluster.auth.token.envelope.PassphraseEnvelope;
import org.opencluster.auth.token.pkcs11.Pkcs11Connection;
import org.opencluster.auth.token.pkcs11.Pkcs11Tokens;
import org.opencluster.auth.token.software.SoftwareKeys;
import org.opencluster.auth.token.software.SoftwareToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oca passwd}, {@code oca rekey}, {@code oca admin delete-account / reset-account} (docs/PROTOCOL.md 8.3). */
final class AccountLifecycleCli {
    private AccountLifecycleCli() {
    }

    @Command(name = "passwd", description = "Change your passphrase: log in with the current one, then a new key is"
            + " made here and sealed under the new passphrase (checked for strength first); the old passphrase and"
            + " key stop working at once and every session of the account ends.")
    static final class Passwd extends OcaCli.SessionCommand {
        @Option(names = "--new-passphrase-file", description = "read the new passphrase from this file (scripts)")
        Path newFile;

        @Option(names = "--new-passphrase-env", description = "read the new passphrase from this variable")
        String newEnv;

        @Option(names = "--min-passphrase-score", description = "refuse a new passphrase whose zxcvbn strength"
                + " (0-4) is below this (default 3)")
        int minScore = PassphraseStrength.DEFAULT_MIN_SCORE;

        @Override
        void requireInputFiles() {
            CliErrors.requireReadable(newFile, "--new-passphrase-file");
        }

        @Override
        int work(OcaSession s, PrintWriter out) throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            char[] fresh = null;
            try {
                fresh = newPassphrase();
                PassphraseStrength.check(fresh, minScore, List.of(connection.user, connection.server));
                X509Certificate cert;
                try (Progress p = Progress.of(err, "sealing the new key under the new passphrase (Argon2id)")) {
                    cert = KeyRotation.newPassphrase(s, connection.user, fresh, KeyType.EC_P256,
                            PassphraseEnvelope.builder().build(), new SecureRandom());
                }
                out.println("passphrase changed for " + connection.user + " (new key, serial "
                        + cert.getSerialNumber().toString(16) + "); log in again with the new passphrase");
                return 0;
            } catch (PassphraseStrength.WeakPassphraseException e) {
                err.println("passphrase refused: " + e.getMessage());
                return OcaCli.REFUSED;
            } catch (TokenException e) {
                err.println("passphrase change failed: " + e.getMessage());
                return OcaCli.REFUSED;
            } finally {
                if (fresh != null) {
                    Arrays.fill(fresh, '\0');
                }
            }
        }

        private char[] newPassphrase() throws TokenException {
            if (newFile != null || newEnv != null) {
                return OcaCli.Connection.secret(newFile, newEnv, "");
            }
            char[] first = OcaCli.Connection.secret(null, null, "New passphrase for " + connection.user + ": ");
            char[] again = OcaCli.Connection.secret(null, null, "The new passphrase again: ");
            try {
                if (!Arrays.equals(first, again)) {
                    Arrays.fill(first, '\0');
                    throw new TokenException(org.opencluster.auth.token.TokenError.PIN_UNAVAILABLE,
                            "the two new passphrases differ");
                }
                return first;
            } finally {
                Arrays.fill(again, '\0');
            }
        }
    }

    @Command(name = "rekey", description = "Move your account to a new key: log in with the current key (--token,"
            + " --card, --key-file or the passphrase), then with --new-token generate the new key in that PKCS#11"
            + " token (a service's new token), with --new-card on a new PIV card (a person's replacement card), or"
            + " with --new-key-file here, into a new owner-only file (a software key your client keeps: unencrypted"
            + " PKCS#8 PEM, log in with --key-file); the new key proves possession in this session, its certificate"
            + " is written next to it (token, card), and the old key and passphrase stop working at once.")
    static final class Rekey extends OcaCli.SessionCommand {
        /** Exactly one destination for the new key. */
        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Destination destination;

        static final class Destination {
            @Option(names = "--new-token", required = true, description = "PKCS#11 URI of the token for the new key")
            String newToken;

            @Option(names = "--new-card", arity = "0..1", fallbackValue = "", required = true, description = "put the"
                    + " new key on a PIV card (optionally: part of its reader's name; another reader than --card's"
                    + " when the old card is still inserted)")
            String newCard;

            @Option(names = "--new-key-file", paramLabel = "FILE", required = true, description = "generate the new"
                    + " key here and write it to the new file FILE (created owner-only, 0600, before the server"
                    + " learns of the key; never over an existing file): unencrypted PKCS#8 PEM, for --key-file (no"
                    + " passphrase: its owner-only permissions protect it, as an ssh key without one). If"
                    + " the server refuses the key, FILE is removed; if the outcome is unknown (the connection"
                    + " ended), FILE is kept and the message says how to tell")
            Path newKeyFile;
        }

        @Option(names = "--new-key-type", description = "with --new-key-file: the key generated, P256 (default),"
                + " P384, ED25519, X25519 (proves possession by key agreement) or RSA3072",
                converter = CliConverters.SoftwareKeyType.class)
        KeyType newKeyType = KeyType.EC_P256;

        @Option(names = "--new-key-label", description = "with --new-token: label of the new key (default login-key)")
        String newKeyLabel = "login-key";

        @Option(names = "--new-card-serial", description = "with --new-card: the new card's serial, when several"
                + " cards are inserted")
        String newCardSerial;

        @Option(names = "--new-slot", description = "with --new-card: PIV slot of the new key, 9A (signature proof)"
                + " or 9D (key agreement); default: --slot", converter = CliConverters.PivSlotName.class)
        String newSlot;

        @Option(names = "--new-card-key", description = "with --new-card: the key generated on the new card, ECCP256"
                + " (default), ECCP384 or RSA2048", converter = CliConverters.CardKeyAlgorithm.class)
        String newCardKey = "ECCP256";

        @Option(names = "--management-key", description = "with --new-card: the new card's 9B management key (3DES,"
                + " 48 hex digits); default: the well-known factory key, which a real card should no longer have")
        String managementKey;

        @Option(names = "--new-pin-source", description = "with --new-card or --new-token: where the new card's or"
                + " token's PIN comes from (prompt, file:PATH, env:VARIABLE); default: --pin-source")
        String newPinSource;

        private org.opencluster.auth.token.PinSource newPins(String prompt) throws TokenException {
            return OcaCli.Connection.pins(newPinSource != null ? newPinSource : connection.pinSource, prompt);
        }

        /** Before the login: a key file would never be overwritten, so an existing one is a usage error now. */
        @Override
        void requireInputFiles() {
            if (destination.newKeyFile != null) {
                KeyFiles.requireAbsent(destination.newKeyFile, "--new-key-file", spec.commandLine());
            }
        }

        @Override
        int work(OcaSession s, PrintWriter out) throws IOException {
            try {
                if (destination.newCard != null) {
                    return toCard(s, out);
                }
                if (destination.newKeyFile != null) {
                    return toKeyFile(s, out);
                }
                Pkcs11Tokens tokens = Pkcs11Tokens.builder().defaultPinSource(newPins("PIN for the new token: "))
                        .build();
                try (Pkcs11Connection token = tokens.connect(destination.newToken)) {
                    Token key = token.generateKeyPair(KeyType.EC_P256, newKeyLabel);
                    X509Certificate cert = KeyRotation.toToken(s, connection.user, key);
                    token.storeCertificateChain(newKeyLabel, List.of(cert));
                }
                out.println("rekeyed " + connection.user + " to the key " + newKeyLabel + " of "
                        + destination.newToken);
                return 0;
            } catch (TokenException e) {
                spec.commandLine().getErr().println("rekey failed: " + e.getMessage());
                return OcaCli.REFUSED;
            }
        }

        private int toCard(OcaSession s, PrintWriter out) throws IOException, TokenException {
            String slot = newSlot != null ? newSlot : connection.slot;
            X509Certificate cert = CardOptions.provision(spec, OcaCli.Connection.cards(destination.newCard,
                    newCardSerial, newPins("PIN for the new card: ")), slot, newCardKey, managementKey,
                    org.opencluster.auth.client.enrol.CardProvisioning.rotation(s, connection.user));
            out.println("rekeyed " + connection.user + " to the new card's slot " + slot + " (serial "
                    + cert.getSerialNumber().toString(16) + "); the old card no longer logs in");
            return 0;
        }

        private int toKeyFile(OcaSession s, PrintWriter out) throws TokenException {
            return rotateToKeyFile(s, connection.user, newKeyType, destination.newKeyFile, out,
                    spec.commandLine().getErr());
        }
    }

    /**
     * {@code rekey --new-key-file}: a new software key of {@code type}, generated here and written to its new
     * owner-only {@code file} before the server hears of it (a crash after the server's certificate must not lose
     * the account's only key), then rotated to in {@code session} as a token key is. A rotation the server refused,
     * or that never reached it, removes the file; one whose outcome is unknown (the proof was sent, no answer came)
     * keeps it and says how to find out. Returns the exit code.
     */
    static int rotateToKeyFile(CommandChannel session, String user, KeyType type, Path file, PrintWriter out,
            PrintWriter err) throws TokenException {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(type, new SecureRandom());
        X509Certificate cert;
        try (SoftwareToken key = SoftwareToken.fromPkcs8(user, pkcs8, List.of())) {
            try {
                KeyFiles.createPem(file, pkcs8);
            } catch (IOException e) { // e.g. created meanwhile (FileAlreadyExistsException), or no such folder
                throw new CliErrors.InputFileException("--new-key-file: cannot create " + file.toAbsolutePath()
                        + " (" + e + "); nothing changed");
            }
            WatchedChannel watched = new WatchedChannel(session);
            try {
                cert = type == KeyType.X25519 ? KeyRotation.toKeyAgreementToken(watched, user, key)
                        : KeyRotation.toToken(watched, user, key);
            } catch (IOException | TokenException | RuntimeException e) {
                if (watched.mayHaveRotated()) {
                    err.println("rekey outcome unknown: " + e.getMessage() + "; " + file + " is kept: if `oca login"
                            + " --key-file " + file + "` succeeds it is your key now, else the old key or passphrase"
                            + " still logs in and " + file + " can be deleted");
                    return OcaCli.IO;
                }
                String removed;
                try {
                    Files.delete(file);
                    removed = file + " removed";
                } catch (IOException d) {
                    removed = "but " + file + " could not be removed (" + d + "): delete it, it is no key of yours";
                }
                err.println("rekey failed: " + e.getMessage() + "; nothing changed, " + removed);
                return watched.refused() ? OcaCli.REFUSED : OcaCli.IO;
            }
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        out.println("rekeyed " + user + " to the " + CliConverters.SoftwareKeyType.nameOf(type) + " key in " + file
                + " (serial " + cert.getSerialNumber().toString(16) + "); log in with --key-file " + file + ": the old"
                + " key and passphrase no longer log in");
        return 0;
    }

    /**
     * The session as the rotation uses it, watched: whether the new key's proof was sent and what came back tells a
     * failed rotation (refused, or never sent) from one whose outcome is unknown.
     */
    static final class WatchedChannel implements CommandChannel {
        private final CommandChannel session;
        private boolean proofSent;
        /** The answer to the proof (null: not sent, or no answer came). */
        private List<RispCommand> proofAnswer;
        /** The last answer of any step. */
        private List<RispCommand> lastAnswer = List.of();

        WatchedChannel(CommandChannel session) {
            this.session = session;
        }

        @Override
        public List<RispCommand> exec(RispCommand... commands) throws IOException {
            boolean proof = Arrays.stream(commands).anyMatch(c -> c.id() == AccountLifecycleCommands.REKEY_SIGNED.id()
                    || c.id() == AccountLifecycleCommands.REKEY_BY_AGREEMENT.id());
            proofSent |= proof;
            List<RispCommand> reply = session.exec(commands);
            lastAnswer = reply;
            if (proof) {
                proofAnswer = reply;
            }
            return reply;
        }

        @Override
        public byte[] sessionId() {
            return session.sessionId();
        }

        /** The proof went out and either no answer came or the answer was a certificate. */
        boolean mayHaveRotated() {
            return proofSent && (proofAnswer == null || !proofAnswer.isEmpty()
                    && proofAnswer.get(0).id() == EnrolCommands.ISSUED_CERTIFICATE.id());
        }

        /** The server answered a step of the rotation with ERROR. */
        boolean refused() {
            return ErrorReply.read(lastAnswer).isPresent();
        }
    }

    /** An admin command whose one parameter is an account name. */
    abstract static class AccountNameCommand extends OcaCli.SessionCommand {
        @Parameters(index = "0", description = "the account")
        String name;

        private final org.opencluster.auth.protocol.risp.CommandSpec command;

        AccountNameCommand(org.opencluster.auth.protocol.risp.CommandSpec command) {
            this.command = command;
        }

        @Override
        int work(OcaSession s, PrintWriter out) throws IOException {
            return OcaCli.print(s.exec(RispCommand.string(command.id(), name.getBytes(StandardCharsets.UTF_8))),
                    out, spec.commandLine().getErr());
        }
    }

    @Command(name = "delete-account", description = "Delete an account: its live sessions end; the name comes"
            + " back only through a new enrolment code.")
    static final class DeleteAccount extends AccountNameCommand {
        DeleteAccount() {
            super(AccountLifecycleCommands.ADMIN_ACCOUNT_DELETE);
        }
    }

    @Command(name = "reset-account", description = "Reset an account: its key, envelope and security keys stop"
            + " working at once, its sessions end, and a one-time code (printed) re-enrols the same name.")
    static final class ResetAccount extends AccountNameCommand {
        ResetAccount() {
            super(AccountLifecycleCommands.ADMIN_ACCOUNT_RESET);
        }
    }
}
