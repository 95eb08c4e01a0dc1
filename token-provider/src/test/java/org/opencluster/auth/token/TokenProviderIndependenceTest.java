package org.opencluster.auth.token;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * {@code token-provider} is keys in tokens alone (issue 17 item 7): it knows neither the wire protocol nor the
 * server or client that use it (its tests borrow the protocol's test support, its code nothing).
 */
class TokenProviderIndependenceTest {
    @Test
    void tokenProviderDependsOnNeitherProtocolNorServerNorClient() {
        noClasses().that().resideInAPackage("org.opencluster.auth.token..")
                .should().dependOnClassesThat().resideInAnyPackage("org.opencluster.auth.protocol..",
                        "org.opencluster.auth.server..", "org.opencluster.auth.client..",
                        "org.opencluster.auth.card..", "org.opencluster.auth.demo..", "org.opencluster.auth.bench..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("org.opencluster.auth.token"));
    }
}
