package org.opencluster.auth.server.login;

import java.util.Optional;
import org.opencluster.auth.server.dispatch.Caller;

/**
 * What a proven login gives its session: who calls, the key a re-authentication must prove again (empty for an
 * enrolment and a security-key login), and whether the session re-authenticates at all (not an enrolment).
 */
record LoginGrant(Caller caller, Optional<AccountProof> accountProof, boolean reauthenticationDue) {
}
