package org.opencluster.auth.protocol.risp;

import java.util.Objects;

/**
 * The one definition of a command: id, name, direction, parameter kind and the largest parameter it accepts.
 *
 * <p>The id's type bits must agree with {@code kind}; a mismatch is refused here, at registration, so a command can
 * never be declared as a string and framed as an integer.
 *
 * @param maxLength for strings the largest accepted length; for integers the width in bytes; 0 for no parameter
 */
public record CommandSpec(int id, String name, Direction direction, ParamKind kind, long maxLength) {

    public CommandSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(kind, "kind");
        if (!name.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("command names are UPPER_SNAKE_CASE: '" + name + "'");
        }
        ParamKind fromId = CommandIds.kindOf(id);
        if (fromId != kind) {
            throw new IllegalArgumentException(name + ": id " + CommandIds.hex(id) + " frames a " + fromId
                    + " parameter but the command is declared " + kind);
        }
        switch (kind) {
            case NONE:
                if (maxLength != 0) {
                    throw new IllegalArgumentException(name + ": a command without parameter has maxLength 0");
                }
                break;
            case INTEGER:
                if (maxLength != CommandIds.integerWidth(id)) {
                    throw new IllegalArgumentException(name + ": id " + CommandIds.hex(id) + " carries "
                            + CommandIds.integerWidth(id) + " bytes, declared " + maxLength);
                }
                break;
            default:
                if (maxLength < 0 || maxLength > CommandIds.maxEncodableLength(id)) {
                    throw new IllegalArgumentException(name + ": maxLength " + maxLength + " does not fit the "
                            + CommandIds.lengthPrefixWidth(id) + "-byte length prefix of " + CommandIds.hex(id));
                }
        }
    }

    public static CommandSpec none(int id, String name, Direction direction) {
        return new CommandSpec(id, name, direction, ParamKind.NONE, 0);
    }

    public static CommandSpec integer(int id, String name, Direction direction) {
        return new CommandSpec(id, name, direction, ParamKind.INTEGER, CommandIds.integerWidth(id));
    }

    public static CommandSpec string(int id, String name, Direction direction, long maxLength) {
        return new CommandSpec(id, name, direction, ParamKind.STRING, maxLength);
    }

    @Override
    public String toString() {
        return name + "(" + CommandIds.hex(id) + ")";
    }
}
