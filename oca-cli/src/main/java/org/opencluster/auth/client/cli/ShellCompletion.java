package org.opencluster.auth.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes the bash/zsh completion script of {@code oca} (picocli's generator over the CLI's own command tree), at
 * build time for the distribution's {@code completion/oca.bash}. Unlike {@code picocli.AutoComplete}'s main, a
 * failure fails the build.
 */
public final class ShellCompletion {
    private ShellCompletion() {
    }

    /** {@code ShellCompletion OUTPUT}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ShellCompletion OUTPUT");
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.writeString(out, AutoComplete.bash("oca", new CommandLine(new OcaCli())));
    }
}
