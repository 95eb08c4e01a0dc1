package org.opencluster.auth.token.piv;

import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import org.opencluster.auth.token.PinSource;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Opens PIV cards (YubiKeys, PIV smartcards, the project's virtual card) as {@link PivToken}s.
 *
 * <p>Reader choice: with {@link Builder#reader(String)}, the readers whose PC/SC name contains that text (ignoring
 * case); without, all readers. With {@link Builder#serial(String)}, the card among those whose serial matches;
 * without, exactly one of them must hold a card: none is {@link TokenError#TOKEN_ABSENT}, several is
 * {@link TokenError#TOKEN_AMBIGUOUS}; the messages list the readers (and serials) seen.
 *
 * <pre>{@code
 * PivCards cards = PivCards.builder().reader("Yubico").pinSource(PinSource.prompt("PIV PIN: ")).build();
 * try (PivToken auth = cards.open(PivSlot.AUTHENTICATION)) { byte[] sig = auth.sign(scheme, message); }
 * }</pre>
 */
public final class PivCards {
    private final PcscProvider provider;
    private final String readerFragment;
    private final String serial;
    private final PinSource pinSource;
    private final PinPolicy pinPolicy;

    private PivCards(Builder b) {
        this.provider = b.provider;
        this.readerFragment = b.readerFragment;
        this.serial = b.serial;
        this.pinSource = b.pinSource;
        this.pinPolicy = b.pinPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configuration; defaults: {@link PcscProvider#AUTO}, any reader, {@link PinPolicy#EVERY_OPERATION}. */
    public static final class Builder {
        private PcscProvider provider = PcscProvider.AUTO;
        private String readerFragment;
        private String serial;
        private PinSource pinSource;
        private PinPolicy pinPolicy = PinPolicy.EVERY_OPERATION;

        private Builder() {
        }

        public Builder provider(PcscProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Only readers whose name contains {@code nameFragment} (case-insensitive), e.g. "Yubico" or "PCD 00 01". */
        public Builder reader(String nameFragment) {
            if (nameFragment == null || nameFragment.isBlank()) {
                throw new IllegalArgumentException("a reader name fragment must not be empty");
            }
            this.readerFragment = nameFragment;
            return this;
        }

        /**
         * Only the card with this serial ({@link PivClient#serial()}: a YubiKey's decimal serial number, or the
         * CHUID GUID as 32 hex digits, or its last 16 as {@code pkcs11-tool -L} shows them; dashes, spaces and
         * case are ignored), among the readers chosen by {@link #reader}.
         * With several cards present this picks one without naming its reader.
         */
        public Builder serial(String serial) {
            String s = normaliseSerial(Objects.requireNonNull(serial, "serial"));
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a card serial must not be empty");
            }
            this.serial = s;
            return this;
        }

        /** Where the PIN comes from (required for {@link #open}; not for {@link #connect}). */
        public Builder pinSource(PinSource pinSource) {
            this.pinSource = Objects.requireNonNull(pinSource, "pinSource");
            return this;
        }

        public Builder pinPolicy(PinPolicy pinPolicy) {
            this.pinPolicy = Objects.requireNonNull(pinPolicy, "pinPolicy");
            return this;
        }

        public PivCards build() {
            return new PivCards(this);
        }
    }

    /**
     * The key in {@code slot}, described by the slot's certificate.
     *
     * @throws TokenException {@link TokenError#CERTIFICATE_NOT_FOUND} when the slot has no certificate (use
     *                        {@link #open(PivSlot, ECPublicKey)} right after generating a key)
     */
    public PivToken open(PivSlot slot) throws TokenException {
        return open(slot, null);
    }

    /**
     * The key in {@code slot} with a known public key (e.g. from GENERATE, before a certificate exists; EC or
     * RSA); the
     * slot's certificate becomes the chain only if it certifies this key.
     */
    public PivToken open(PivSlot slot, PublicKey publicKey) throws TokenException {
        Objects.requireNonNull(slot, "slot");
        if (pinSource == null) {
            throw new IllegalStateException("PivCards.builder().pinSource(...) is required to open a token");
        }
        PivConnection connection = connect();
        String reader = connection.readerName();
        boolean handedOver = false;
        try {
            Optional<byte[]> der = connection.transact(c -> c.readCertificate(slot));
            X509Certificate cert = der.isPresent() ? parse(der.get(), slot, connection.readerName()) : null;
            PublicKey key;
            List<X509Certificate> chain;
            if (publicKey != null) {
                key = publicKey;
                chain = cert != null && java.util.Arrays.equals(cert.getPublicKey().getEncoded(), publicKey.getEncoded())
                        ? List.of(cert) : List.of();
            } else if (cert != null) {
                key = cert.getPublicKey();
                chain = List.of(cert);
            } else {
                throw new TokenException(TokenError.CERTIFICATE_NOT_FOUND, "slot " + slot.hex() + " of the card in '"
                        + connection.readerName() + "' has no certificate: import one (yubico-piv-tool -a"
                        + " import-certificate -s " + slot.hex().toLowerCase(Locale.ROOT) + ") or pass the public key");
            }
            PivAlgorithm algorithm = PivAlgorithm.of(key).orElseThrow(() -> new TokenException(
                    TokenError.MECHANISM_UNSUPPORTED, "slot " + slot.hex() + " of the card in '"
                    + reader + "' holds a " + key.getAlgorithm()
                    + " key; PIV tokens support EC P-256, P-384 and RSA 2048"));
            PivToken token = new PivToken(connection, slot, algorithm, key, chain, pinSource, pinPolicy);
            handedOver = true;
            return token;
        } catch (PivCardException e) {
            throw PivToken.toTokenException("open slot " + slot.hex(), e);
        } finally {
            if (!handedOver) {
                connection.close();
            }
        }
    }

    /** A connection to the chosen card, e.g. for provisioning with {@link PivConnection#transact}. */
    public PivConnection connect() throws TokenException {
        List<CardTerminal> candidates = readersWithCard();
        if (serial == null) {
            if (candidates.size() > 1) {
                List<String> names = new ArrayList<>();
                candidates.forEach(t -> names.add(t.getName()));
                throw new TokenException(TokenError.TOKEN_AMBIGUOUS, "cards in several of " + where() + ": " + names
                        + "; choose one with reader(...) or serial(...)");
            }
            return connect(candidates.get(0));
        }
        List<String> seen = new ArrayList<>();
        for (CardTerminal t : candidates) {
            PivConnection c = connect(t);
            boolean match = false;
            try {
                Optional<String> s = c.transact(PivClient::serial);
                seen.add(t.getName() + ": " + s.orElse("no serial"));
                match = s.isPresent() && serialMatches(normaliseSerial(s.get()));
            } catch (PivCardException e) {
                seen.add(t.getName() + ": unreadable (" + e.getMessage() + ")");
            } finally {
                if (!match) {
                    c.close();
                }
            }
            if (match) {
                return c;
            }
        }
        throw new TokenException(TokenError.TOKEN_ABSENT, "no card with serial " + serial + " in " + where()
                + ": insert it (cards seen: " + seen + ")");
    }

    /** The full serial, or for a GUID its last 16 hex digits: the token serial OpenSC's tools show. */
    private boolean serialMatches(String cardSerial) {
        return cardSerial.equals(serial) || cardSerial.length() == 32 && serial.length() == 16
                && cardSerial.endsWith(serial);
    }

    private static String normaliseSerial(String s) {
        return s.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    }

    private String where() {
        return readerFragment == null ? "any reader" : "readers matching '" + readerFragment + "'";
    }

    private PivConnection connect(CardTerminal terminal) throws TokenException {
        try {
            Card card = terminal.connect("*");
            return new PivConnection(terminal, card);
        } catch (CardException | RuntimeException e) {
            if (PcscFailures.isCardGone(e)) {
                throw new TokenException(TokenError.TOKEN_ABSENT, "the card left '" + terminal.getName()
                        + "' while connecting: insert it again", e);
            }
            throw new TokenException(TokenError.DEVICE_ERROR, "cannot connect to the card in '" + terminal.getName()
                    + "' (" + PcscFailures.describe(e) + ")", e);
        }
    }

    /** The chosen readers that hold a card; at least one. */
    private List<CardTerminal> readersWithCard() throws TokenException {
        List<CardTerminal> all;
        try {
            TerminalFactory factory = provider.terminalFactory();
            all = factory.terminals().list();
        } catch (PivCardException | CardException | RuntimeException e) {
            throw new TokenException(TokenError.TOKEN_ABSENT, "cannot list smartcard readers ("
                    + PcscFailures.describe(e) + "): is pcscd running?", e);
        }
        List<String> seen = new ArrayList<>();
        List<CardTerminal> withCard = new ArrayList<>();
        for (CardTerminal t : all) {
            seen.add(t.getName());
            if (readerFragment != null && !t.getName().toLowerCase(Locale.ROOT)
                    .contains(readerFragment.toLowerCase(Locale.ROOT))) {
                continue;
            }
            try {
                if (t.isCardPresent()) {
                    withCard.add(t);
                }
            } catch (CardException | RuntimeException e) {
                // a reader that cannot report its state holds no usable card
            }
        }
        if (withCard.isEmpty()) {
            throw new TokenException(TokenError.TOKEN_ABSENT, "no card in " + where() + ": insert the card (readers: "
                    + seen + ")");
        }
        return withCard;
    }

    private static X509Certificate parse(byte[] der, PivSlot slot, String reader) throws TokenException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new TokenException(TokenError.CERTIFICATE_NOT_FOUND, "the certificate in slot " + slot.hex()
                    + " of the card in '" + reader + "' is not a valid X.509 certificate", e);
        }
    }

    @Override
    public String toString() {
        return "PivCards[" + provider + ", reader=" + (readerFragment == null ? "any" : readerFragment) + ", "
                + pinSource + ", " + pinPolicy + "]";
    }
}
