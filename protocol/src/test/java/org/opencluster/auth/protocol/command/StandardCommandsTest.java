package org.opencluster.auth.protocol.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencluster.auth.protocol.risp.CommandRegistry;
import org.opencluster.auth.protocol.risp.CommandSpec;
import org.opencluster.auth.protocol.risp.Direction;

/** {@link StandardCommands} holds every command this package declares, so no command class can be left out of it. */
class StandardCommandsTest {
    @Test
    void everyCommandDeclaredInThisPackageIsStandard() throws ReflectiveOperationException {
        List<String> missing = new ArrayList<>();
        int declared = 0;
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(StandardCommands.class.getPackageName())) {
            for (JavaField f : c.getFields()) {
                if (f.getModifiers().contains(JavaModifier.STATIC) && f.getRawType().isEquivalentTo(CommandSpec.class)) {
                    java.lang.reflect.Field field = f.reflect();
                    field.setAccessible(true);
                    CommandSpec spec = (CommandSpec) field.get(null);
                    declared++;
                    if (!spec.equals(StandardCommands.registry().lookup(spec.id()))) {
                        missing.add(c.getSimpleName() + "." + f.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        assertEquals(declared, StandardCommands.registry().all().size(), "no command is registered twice or twice named");
    }

    @Test
    void anEmbeddersCommandIsAddedAndAClashRefused() {
        CommandSpec own = CommandSpec.none(0x78f0, "EMBEDDED_ONLY", Direction.CLIENT_TO_SERVER);
        CommandRegistry with = StandardCommands.with(CommandRegistry.builder().register(own).build());
        assertEquals(StandardCommands.registry().all().size() + 1, with.all().size());
        assertEquals(own, with.lookup(own.id()));
        CommandSpec clash = CommandSpec.none(CoreCommands.PING.id(), "MY_PING", Direction.CLIENT_TO_SERVER);
        assertThrows(IllegalArgumentException.class,
                () -> StandardCommands.with(CommandRegistry.builder().register(clash).build()));
    }
}
