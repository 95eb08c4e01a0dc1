package org.opencluster.auth.card.piv;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The applet runs on a Java Card (issue 17 item 7): its package may use the Java Card API ({@code javacard.*},
 * {@code javacardx.*}), {@code java.lang} and itself, nothing of the JDK a card does not have. The simulator
 * bridge ({@code card.vpcd}) is host code and outside the rule.
 */
class AppletImportsTest {
    @Test
    void theAppletUsesOnlyTheJavaCardApi() {
        classes().that().resideInAPackage("org.opencluster.auth.card.piv")
                .should().onlyDependOnClassesThat().resideInAnyPackage("org.opencluster.auth.card.piv",
                        "javacard..", "javacardx..", "java.lang")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("org.opencluster.auth.card.piv"));
    }
}
