package org.opencluster.auth.server.login;

import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.ENVELOPE;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.OPRF_CREDENTIAL_RESPONSE;
import static org.opencluster.auth.protocol.handshake.HandshakeCommandIds.PROOF_KIND;

import java.util.ArrayList;
import java.util.List;
import org.opencluster.auth.protocol.handshake.ProofKind;
import org.opencluster.auth.protocol.risp.RispCommand;
import org.opencluster.auth.server.store.EnrolmentCode;

/**
 * A LOGIN_CHALLENGE as one verifier made it, with what its check of LOGIN_PROOF needs later: the ephemerals (whose
 * private halves it owns until {@link #close}) and, for an enrolment, the codes that may enrol the name.
 *
 * @param fields ENVELOPE, OPRF_CREDENTIAL_RESPONSE when asked, PROOF_KIND, the ephemerals, then what the kind
 *               adds (WEBAUTHN_OPTIONS), in wire order
 */
record ProofChallenge(ProofKind asked, List<RispCommand> fields, ProofEphemerals ephemerals,
        List<EnrolmentCode> enrolmentCandidates) implements AutoCloseable {

    ProofChallenge {
        fields = List.copyOf(fields);
        enrolmentCandidates = List.copyOf(enrolmentCandidates);
    }

    /** The challenge laid out in wire order: the parts every kind has, then the kind's own fields. */
    static ProofChallenge of(ProofKind asked, byte[] envelopeField, ProofEphemerals ephemerals,
            List<RispCommand> kindFields, List<EnrolmentCode> enrolmentCandidates) {
        List<RispCommand> fields = new ArrayList<>();
        fields.add(RispCommand.string(ENVELOPE, envelopeField));
        fields.add(RispCommand.integer(PROOF_KIND, asked.wireValue()));
        fields.addAll(ephemerals.fields());
        fields.addAll(kindFields);
        return new ProofChallenge(asked, fields, ephemerals, enrolmentCandidates);
    }

    /** This challenge with OPRF_CREDENTIAL_RESPONSE right after ENVELOPE (section 5.3.7). */
    ProofChallenge withOprfResponse(byte[] response) {
        List<RispCommand> more = new ArrayList<>(fields);
        more.add(1, RispCommand.string(OPRF_CREDENTIAL_RESPONSE, response));
        return new ProofChallenge(asked, more, ephemerals, enrolmentCandidates);
    }

    @Override
    public void close() {
        ephemerals.close();
    }
}
