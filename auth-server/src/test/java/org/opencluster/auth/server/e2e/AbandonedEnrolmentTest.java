package org.opencluster.auth.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opencluster.auth.client.OcaSession;
import org.opencluster.auth.client.enrol.Enroller;
import org.opencluster.auth.client.login.LoginException;
import org.opencluster.auth.token.KeyType;

/**
 * Issue 15 item 4: enrolment is atomic from the user's point of view. The one-time code is used up by the
 * transaction that creates the account (ENROL_ACCOUNT), not by the enrolment login: a client or server that dies in
 * between leaves the code usable, and two sessions racing with one code still make exactly one account.
 */
class AbandonedEnrolmentTest {
    @RegisterExtension
    final Clusters clusters = new Clusters();

    private static X509Certificate enrolPerson(OcaSession session, String name, TestCluster c) throws Exception {
        return Enroller.person(session, name, (name + " pass").toCharArray(), KeyType.EC_P256, c.envelopes(),
                new SecureRandom());
    }

    /**
     * The client logs in with the code and vanishes before ENROL_ACCOUNT (the socket just closes, as when the
     * process dies or the server restarts); it then enrols with the same code. The old code had used the code up at
     * the login: the second login failed with LOGIN_FAILED, no account existed, and an admin had to issue a new code.
     */
    @Test
    void aClientThatDiesAfterTheEnrolmentLoginEnrolsAgainWithTheSameCode() throws Exception {
        TestCluster c = clusters.in().start();
        String code = c.server.issueFirstAdminCode().orElseThrow();
        OcaSession abandoned = OcaSession.enrol(c.address(), "root", code, c.pinned(), new OcaSession.Options());
        abandoned.close();
        assertTrue(c.store.findAccount("root").isEmpty());

        try (OcaSession again = OcaSession.enrol(c.address(), "root", code, c.pinned(), new OcaSession.Options())) {
            assertTrue(enrolPerson(again, "root", c).getSubjectX500Principal().getName().contains("CN=root"));
        }
        assertTrue(c.store.findAccount("root").isPresent());
        assertThrows(LoginException.class, () -> OcaSession.enrol(c.address(), "other", code, c.pinned(),
                new OcaSession.Options()), "once the account exists the code is used up");
    }

    /**
     * Two clients log in with one first-admin code (which enrols any name) and both send ENROL_ACCOUNT at once, for
     * different names: exactly one account is made, the other is refused with CONFLICT.
     */
    @Test
    void twoSessionsRacingWithOneCodeMakeExactlyOneAccount() throws Exception {
        TestCluster c = clusters.in().start();
        String code = c.server.issueFirstAdminCode().orElseThrow();
        List<String> names = List.of("first", "second");
        List<OcaSession> sessions = new ArrayList<>();
        for (String name : names) {
            sessions.add(OcaSession.enrol(c.address(), name, code, c.pinned(), new OcaSession.Options()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        int enrolled = 0;
        List<String> refusals = new ArrayList<>();
        try {
            List<Future<X509Certificate>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                OcaSession s = sessions.get(i);
                String name = names.get(i);
                results.add(pool.submit(() -> {
                    go.await();
                    return enrolPerson(s, name, c);
                }));
            }
            go.countDown();
            for (Future<X509Certificate> f : results) {
                try {
                    f.get();
                    enrolled++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof IOException, e.toString());
                    refusals.add(e.getCause().getMessage());
                }
            }
        } finally {
            pool.shutdownNow();
            for (OcaSession s : sessions) {
                s.close();
            }
        }
        assertEquals(1, enrolled, "refusals: " + refusals);
        assertTrue(refusals.get(0).contains("code"), refusals.get(0));
        long accounts = names.stream().filter(n -> c.store.findAccount(n).isPresent()).count();
        assertEquals(1, accounts, "one code, one account");
    }
}
