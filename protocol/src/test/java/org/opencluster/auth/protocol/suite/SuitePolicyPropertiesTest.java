package org.opencluster.auth.protocol.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SuitePolicyPropertiesTest {
    private final SuiteRegistry registry = SuiteRegistry.standard();

    /** Any sequence of admin operations yields a policy that encodes, parses back equal, and counted versions. */
    @Property(tries = 300)
    void adminOperationsKeepThePolicyValidAndVersioned(@ForAll long seed, @ForAll @IntRange(max = 20) int steps)
            throws Exception {
        Random random = new Random(seed);
        SuitePolicy policy = SuitePolicy.initial(registry);
        int changes = 0;
        for (int i = 0; i < steps; i++) {
            List<Integer> enabled = new ArrayList<>(policy.enabledIds());
            List<Integer> disabled = new ArrayList<>();
            for (CipherSuite s : registry.all()) {
                if (!enabled.contains(s.id())) {
                    disabled.add(s.id());
                }
            }
            switch (random.nextInt(3)) {
                case 0:
                    Collections.shuffle(enabled, random);
                    policy = policy.reorder(enabled);
                    changes++;
                    break;
                case 1:
                    if (enabled.size() > 1) {
                        policy = policy.disable(enabled.get(random.nextInt(enabled.size())));
                        changes++;
                    }
                    break;
                default:
                    if (!disabled.isEmpty()) {
                        policy = policy.enable(disabled.get(random.nextInt(disabled.size())),
                                random.nextInt(enabled.size() + 1));
                        changes++;
                    }
                    break;
            }
            assertEquals(policy, SuitePolicy.parse(registry, policy.encode()));
            assertTrue(!policy.enabledIds().isEmpty());
        }
        assertEquals(1 + changes, policy.version());
    }

    /** Random bytes never parse into anything but a valid policy or a SuiteException. */
    @Property(tries = 500)
    void arbitraryBytesEitherParseStrictlyOrAreRefused(@ForAll byte[] bytes) {
        try {
            SuitePolicy p = SuitePolicy.parse(registry, bytes);
            assertEquals(bytes.length, p.encode().length);
        } catch (SuiteException expected) {
            assertTrue(expected.getMessage().startsWith(expected.error().name()));
        }
    }
}
