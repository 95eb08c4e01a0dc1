package org.opencluster.auth.token.piv;

import java.util.Objects;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;

/**
 * {@link ApduTransport} over a javax.smartcardio channel (PC/SC: pcscd, real readers, vpcd). A failure that means
 * the card is gone is reported as {@link PivCardError#CARD_REMOVED}, anything else as {@link PivCardError#TRANSPORT}.
 */
public final class SmartcardioTransport implements ApduTransport {
    private final CardChannel channel;

    public SmartcardioTransport(CardChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public byte[] transmit(byte[] command) throws PivCardException {
        try {
            ResponseAPDU r = channel.transmit(new CommandAPDU(command));
            return r.getBytes();
        } catch (CardException | IllegalStateException e) {
            throw PcscFailures.classify("sending a command to the card", e);
        }
    }
}
