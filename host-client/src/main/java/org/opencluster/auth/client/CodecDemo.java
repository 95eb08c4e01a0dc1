package org.opencluster.auth.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.opencluster.auth.protocol.risp.CommandIds;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.protocol.risp.RispDecoder;
import org.opencluster.auth.protocol.risp.RispEncoder;
import org.opencluster.auth.protocol.risp.RispProtocolException;

/**
 * The main job until the server lands: shows RISP v4 framing end to end. Encodes the seed's command shapes, decodes
 * them back one byte at a time, and shows a hostile length being refused.
 */
public final class CodecDemo {
    private CodecDemo() {
    }

    public static void main(String[] args) {
        HexFormat hex = HexFormat.of();
        RispCommand[] commands = {
            RispCommand.none(0x7001),
            RispCommand.string(0x8001, "alice".getBytes(StandardCharsets.UTF_8)),
            RispCommand.fixed(0x5001, new byte[32]),
            RispCommand.integer(0x2001, 11),
            RispCommand.string(0xa001, "sealed bytes here".getBytes(StandardCharsets.UTF_8)),
        };
        byte[] wire = RispEncoder.toBytes(commands);
        System.out.println("encoded " + commands.length + " commands into " + wire.length + " bytes:");
        System.out.println("  " + hex.formatHex(wire));

        RispDecoder decoder = RispDecoder.framingOnly();
        List<RispCommand> decoded = new ArrayList<>();
        for (byte b : wire) {
            decoder.feed(ByteBuffer.wrap(new byte[] {b}), decoded::add);
        }
        decoder.finish();
        System.out.println("decoded one byte at a time:");
        for (RispCommand c : decoded) {
            System.out.println("  " + c);
        }
        if (!decoded.equals(List.of(commands))) {
            throw new IllegalStateException("round trip failed");
        }

        byte[] hostile = hex.parseHex("b0014000000000000000");
        try {
            RispDecoder.framingOnly().feed(hostile);
            throw new IllegalStateException("a 2^62-byte claim was accepted");
        } catch (RispProtocolException e) {
            System.out.println("hostile " + CommandIds.hex(0xb001) + " claiming 2^62 bytes -> " + e.getMessage());
        }
        System.out.println("OK");
    }
}
