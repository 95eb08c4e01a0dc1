package org.opencluster.auth.card.vpcd;

import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import org.opencluster.auth.card.admin.ApduTransport;
import org.opencluster.auth.card.admin.PivCardError;
import org.opencluster.auth.card.admin.PivCardException;

/** {@link ApduTransport} over a javax.smartcardio channel (PC/SC: pcscd, real readers, vpcd). */
public final class SmartcardioTransport implements ApduTransport {
    private final CardChannel channel;

    public SmartcardioTransport(CardChannel channel) {
        this.channel = channel;
    }

    @Override
    public byte[] transmit(byte[] command) throws PivCardException {
        try {
            ResponseAPDU r = channel.transmit(new CommandAPDU(command));
            return r.getBytes();
        } catch (CardException | IllegalStateException e) {
            throw new PivCardException(PivCardError.TRANSPORT,
                    "PC/SC transmit failed (card removed or pcscd stopped?): " + e.getMessage(), -1, -1, e);
        }
    }
}
