package org.opencluster.auth.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layers of the server (issue 17 item 7), checked on the compiled classes: no package cycles, and the two
 * transports share only transport-neutral types. {@code server.dispatch} and {@code server.store} imported each
 * other until an account's role moved to {@code store.Account.Role}; {@code server.config} reached
 * {@code server.boot} through {@code server.rest} and back until the public-origins rule moved to {@code server.config}.
 */
class ServerPackagesTest {
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.opencluster.auth.server");

    @Test
    void serverPackagesAreFreeOfCycles() {
        slices().matching("org.opencluster.auth.server.(*)..").should().beFreeOfCycles().check(SERVER);
    }

    /** The store is the bottom layer: it knows accounts, codes and policies, never who asks or how. */
    @Test
    void theStoreDependsOnNoOtherServerPackage() {
        noClasses().that().resideInAPackage("org.opencluster.auth.server.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.opencluster.auth.server.dispatch..",
                        "org.opencluster.auth.server.login..", "org.opencluster.auth.server.session..",
                        "org.opencluster.auth.server.net..", "org.opencluster.auth.server.rest..",
                        "org.opencluster.auth.server.enrol..", "org.opencluster.auth.server.admin..",
                        "org.opencluster.auth.server.webauthn..", "org.opencluster.auth.server.boot..")
                .check(SERVER);
    }

    /**
     * TCP ({@code net}) never reaches into REST; REST uses of {@code net} only the transport-neutral contract a
     * session is written against ({@code Connection}, {@code ConnectionFactory}, {@code Outbound}, and the
     * pre-authentication limits both transports enforce), never the Netty pipeline.
     */
    @Test
    void transportsShareOnlyTransportNeutralTypes() {
        noClasses().that().resideInAPackage("org.opencluster.auth.server.net..")
                .should().dependOnClassesThat().resideInAPackage("org.opencluster.auth.server.rest..")
                .check(SERVER);
        noClasses().that().resideInAPackage("org.opencluster.auth.server.rest..")
                .should().dependOnClassesThat().haveFullyQualifiedName("org.opencluster.auth.server.net.RispServer")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("org.opencluster.auth.server.net.ConnectionHandler")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("org.opencluster.auth.server.net.RispFrameDecoder")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("org.opencluster.auth.server.net.RispFrameEncoder")
                .orShould().dependOnClassesThat()
                .haveFullyQualifiedName("org.opencluster.auth.server.net.FileDescriptorBudget")
                .check(SERVER);
    }
}
