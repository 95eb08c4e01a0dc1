package org.opencluster.auth.server.login;

import org.opencluster.auth.protocol.handshake.KeySchedule;

/**
 * Everything a verifier checks a LOGIN_PROOF against: the login, the challenge it got, the answer, the key schedule
 * and the transcript hash through SERVER_FINISHED the proof is bound to, and whether CLIENT_FINISHED verified (every
 * check runs whatever it says, so the answer's timing says as little as its bytes).
 */
record ProofCheck(LoginSubject subject, ProofChallenge challenge, ProofAnswer answer, KeySchedule schedule,
        byte[] transcriptThroughServerFinished, boolean finishedOk) {
}
