package org.opencluster.auth.client.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * How {@code oca} ends when something is wrong before or around the work: one line on stderr (never a stack trace)
 * and an exit code per class of mistake, so scripts can tell them apart. The classes the commands themselves report
 * (refused 1, login failed 3, untrusted server 4, I/O 5, token missing 6) are in {@link OcaCli}, whose
 * {@code exitCodeList} is the list {@code oca --help} prints.
 */
final class CliErrors {
    /** A bad command line: unknown option, malformed value ({@code -s localhost:abc}, {@code --slot 9Z}). */
    static final int USAGE = 2;
    /** EX_SOFTWARE (sysexits.h): anything unexpected; the line names the exception class (a bug: report it). */
    static final int SOFTWARE = 70;
    /** EX_CONFIG (sysexits.h): a file named on the command line is missing or unreadable. */
    static final int CONFIG = 78;

    private CliErrors() {
    }

    /** A local input the command was told to use cannot be used; exit {@link #CONFIG}. */
    static final class InputFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputFileException(String message) {
            super(message);
        }
    }

    /** Checks, before anything connects, that a file given with {@code option} can be read. */
    static void requireReadable(Path file, String option) {
        if (file != null && !Files.isReadable(file)) {
            throw new InputFileException(option + ": cannot read " + file.toAbsolutePath()
                    + (Files.exists(file) ? " (permission denied)" : " (no such file)"));
        }
    }

    /** Parse errors: one line, and where the usage is, instead of picocli's error plus the whole usage text. */
    static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("oca: " + oneLine(e.getMessage()) + " (see '" + cl.getCommandSpec().qualifiedName()
                + " --help')");
        err.flush();
        return USAGE;
    }

    /** Exceptions out of a command's work that it did not turn into an exit code itself. */
    static int unexpected(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        String line;
        if (e instanceof CommandLine.ParameterException) {
            code = USAGE;
            line = e.getMessage();
        } else if (e instanceof InputFileException) {
            code = CONFIG;
            line = e.getMessage();
        } else {
            code = SOFTWARE;
            line = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        err.println("oca: " + oneLine(line));
        err.flush();
        return code;
    }

    /** Control characters (a value may come from the command line or a file) become spaces. */
    static String oneLine(String s) {
        return String.valueOf(s).replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    }
}
