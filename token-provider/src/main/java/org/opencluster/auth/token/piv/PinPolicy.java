package org.opencluster.auth.token.piv;

/**
 * When a {@link PivToken} asks its {@link org.opencluster.auth.token.PinSource} for the PIN. The PIN itself is
 * never kept by this code: it is read, sent in one VERIFY and wiped. What differs is how long the card stays
 * verified.
 */
public enum PinPolicy {
    /**
     * The default: every operation reads the PIN, verifies it, uses the key and then tells the card to forget the
     * verification (VERIFY with P1=FF), all inside one PC/SC transaction.
     */
    EVERY_OPERATION,
    /**
     * Opt-in: the first operation verifies the PIN and the card stays verified until the token is closed or the
     * card is removed or reset; later operations ask for the PIN again only if the card says it is no longer
     * verified. Other programs using the same card in that time share its verified state (PC/SC semantics).
     */
    KEEP_CARD_VERIFIED
}
