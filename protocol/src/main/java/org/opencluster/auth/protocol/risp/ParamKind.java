package org.opencluster.auth.protocol.risp;

/** The three parameter kinds of RISP v4; the kind of a command is fixed by the top bits of its id. */
public enum ParamKind {
    /** No parameter: ids 0x7000-0x7fff and 0xc000-0xffff. */
    NONE,
    /** Big-endian integer of 1, 2, 4, 8, 16, 32 or 64 bytes: ids 0x0000-0x6fff. */
    INTEGER,
    /** Length-prefixed byte string with a 1, 2, 4 or 8 byte big-endian prefix: ids 0x8000-0xbfff. */
    STRING
}
