package org.opencluster.auth.client.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.client.CommandChannel;
import org.opencluster.auth.protocol.command.AccountLifecycleCommands;
import org.opencluster.auth.protocol.command.EnrolCommands;
import org.opencluster.auth.protocol.command.ErrorCode;
import org.opencluster.auth.protocol.command.ErrorReply;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.token.KeyType;
import org.opencluster.auth.token.software.SoftwareKeys;

/**
 * {@code --key-file} and {@code rekey --new-key-file} without a server: what is refused before anything connects
 * (a key file its group may read, an encrypted or foreign file, a second login option, an existing target), how
 * the new file is written, and what a failed rotation leaves behind. Before, neither option existed (exit 2).
 */
class KeyFilesTest extends CliRunTest {
    private Path newKey(String name) throws IOException {
        Path file = dir.resolve(name);
        KeyFiles.createPem(file, SoftwareKeys.generatePkcs8(KeyType.EC_P256, new SecureRandom()));
        return file;
    }

    /** {@code oca login --key-file FILE more...} against a listening port that must see no connection. */
    private int loginNothingConnects(Path file, String... more) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            server.setSoTimeout(300);
            List<String> args = new ArrayList<>(List.of("login", "-s", "127.0.0.1:" + server.getLocalPort(), "-u",
                    "bob", "--known-servers", dir.resolve("known").toString(), "--key-file", file.toString()));
            args.addAll(List.of(more));
            int rc = oca(args.toArray(String[]::new));
            assertThrowsTimeout(server);
            return rc;
        }
    }

    @Test
    void theNewFileIsOwnerOnlyPemAndNeverOverwritten() throws Exception {
        byte[] pkcs8 = SoftwareKeys.generatePkcs8(KeyType.ED25519, new SecureRandom());
        Path file = dir.resolve("k.pem");
        KeyFiles.createPem(file, pkcs8);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertArrayEquals(pkcs8, KeyFiles.readPkcs8(file, "--key-file"), "PEM");
        Path der = Files.write(dir.resolve("k.der"), pkcs8);
        assertArrayEquals(pkcs8, KeyFiles.readPkcs8(der, "--key-file"), "DER");
        byte[] before = Files.readAllBytes(file);
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.createPem(file, new byte[] {0x30, 0}));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aKeyFileItsGroupMayReadIsAUsageErrorBeforeConnecting() throws Exception {
        Path file = newKey("open.pem");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(CliErrors.USAGE, loginNothingConnects(file));
        assertOneLine("--key-file: the permissions rw-r----- of", "are too open", "chmod 600");
    }

    @Test
    void aKeyFileOthersMayWriteIsRefusedToo() throws Exception {
        Path file = newKey("open.pem");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-----w-"));
        assertEquals(CliErrors.USAGE, loginNothingConnects(file));
        assertOneLine("too open");
    }

    @Test
    void theKeyFileIsTheOnlyLoginOption() throws Exception {
        Path file = newKey("k.pem");
        assertEquals(CliErrors.USAGE, loginNothingConnects(file, "--passphrase-env", "HOME"));
        assertOneLine("cannot be combined with --token, --card, --passphrase-file or --passphrase-env");
    }

    @Test
    void anEncryptedKeyIsRefusedAndSaysWhy() throws Exception {
        Path file = dir.resolve("enc.pem");
        Files.writeString(file, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(CliErrors.CONFIG, loginNothingConnects(file));
        assertOneLine("an encrypted key (ENCRYPTED PRIVATE KEY)", "unencrypted PKCS#8 keys only");
    }

    @Test
    void aFileThatIsNoKeyIsAConfigurationErrorShowingNoneOfItsContent() throws Exception {
        for (String content : List.of("secret words, not a key\n", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n",
                "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
                "0".repeat(KeyFiles.MAX_BYTES + 1))) {
            Path file = dir.resolve("bad.pem");
            Files.deleteIfExists(file);
            Files.writeString(file, content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            err.getBuffer().setLength(0);
            assertEquals(CliErrors.CONFIG, loginNothingConnects(file), content);
            assertOneLine("--key-file: " + file.toAbsolutePath() + " is ");
            assertFalse(err.toString().contains("secret") || err.toString().contains("MAA="), err.toString());
        }
    }

    @Test
    void enrolDoesNotTakeAKeyFile() throws Exception {
        Path file = newKey("k.pem");
        assertEquals(CliErrors.USAGE, oca("enrol", "-s", "127.0.0.1:4700", "-u", "bob", "--code", "X", "--key-file",
                file.toString()));
        assertOneLine("oca rekey --new-key-file");
    }

    @Test
    void rekeyNeverOverwritesAnExistingFile() throws Exception {
        Path file = Files.writeString(dir.resolve("existing"), "keep\n");
        assertEquals(CliErrors.USAGE, oca("rekey", "-s", "127.0.0.1:4700", "-u", "bob", "--passphrase-env", "HOME",
                "--new-key-file", file.toString()));
        assertOneLine("exists; oca never overwrites a key file");
        assertEquals("keep\n", Files.readString(file));
        assertEquals(CliErrors.USAGE, oca("rekey", "-s", "127.0.0.1:4700", "-u", "bob", "--new-key-file",
                dir.resolve("n").toString(), "--new-token", "pkcs11:token=x"));
    }

    /** A session that answers REKEY_BEGIN with a challenge and the proof with {@code proofAnswer}. */
    private static CommandChannel server(ProofAnswer proofAnswer) {
        return new CommandChannel() {
            @Override
            public List<RispCommand> exec(RispCommand... commands) throws IOException {
                if (commands[0].id() == AccountLifecycleCommands.REKEY_BEGIN.id()) {
                    return List.of(new AccountLifecycleCommands.RekeyChallenge(new byte[32], new byte[0])
                            .toCommand());
                }
                return proofAnswer.answer();
            }

            @Override
            public byte[] sessionId() {
                return new byte[32];
            }
        };
    }

    private interface ProofAnswer {
        List<RispCommand> answer() throws IOException;
    }

    private int rotate(CommandChannel session, Path file) throws Exception {
        return AccountLifecycleCli.rotateToKeyFile(session, "bob", KeyType.EC_P256, file, new PrintWriter(out, true),
                new PrintWriter(err, true));
    }

    @Test
    void aRefusedRotationRemovesTheNewFile() throws Exception {
        Path file = dir.resolve("new.pem");
        assertEquals(OcaCli.REFUSED, rotate(server(() -> ErrorReply.of(ErrorCode.FORBIDDEN, "no")), file));
        assertFalse(Files.exists(file), "no file that looks like the account's key");
        assertOneLine("rekey failed", "nothing changed", "removed");
    }

    @Test
    void aRotationWhoseAnswerNeverCameKeepsTheFileAndSaysHowToTell() throws Exception {
        Path file = dir.resolve("new.pem");
        assertEquals(OcaCli.IO, rotate(server(() -> {
            throw new IOException("the connection ended");
        }), file));
        assertTrue(Files.exists(file), "the server may hold this key now");
        assertOneLine("rekey outcome unknown", "is kept", "oca login --key-file " + file);
    }

    @Test
    void aCertificateTheClientCannotReadStillMeansTheKeyChanged() throws Exception {
        Path file = dir.resolve("new.pem");
        assertEquals(OcaCli.IO, rotate(server(() -> List.of(RispCommand.string(EnrolCommands.ISSUED_CERTIFICATE.id(),
                "not DER".getBytes(StandardCharsets.US_ASCII)))), file));
        assertTrue(Files.exists(file));
        assertOneLine("rekey outcome unknown");
    }
}
