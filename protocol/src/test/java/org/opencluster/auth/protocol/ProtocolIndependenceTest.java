package org.opencluster.auth.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol} is the wire and its cryptography alone (issue 17 item 7): it knows no token, no server and no
 * client, so each of those can change without touching what both ends must agree on.
 */
class ProtocolIndependenceTest {
    @Test
    void protocolDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("org.opencluster.auth.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("org.opencluster.auth.token..",
                        "org.opencluster.auth.server..", "org.opencluster.auth.client..",
                        "org.opencluster.auth.card..", "org.opencluster.auth.softhsm..",
                        "org.opencluster.auth.demo..", "org.opencluster.auth.bench..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("org.opencluster.auth.protocol"));
    }
}
