package dev.taskweave.core.plugin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The runtime names no concrete plugin nor the serve module (it finds commands through CliExtension), and the SPI depends on nothing of the runtime. */
class ArchitectureTest {
    @Test
    void coreAndApiNameNoPlugin() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.taskweave.core", "dev.taskweave.api");
        noClasses().that().resideInAnyPackage("dev.taskweave.core..", "dev.taskweave.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.taskweave.plugins..", "dev.taskweave.serve..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.taskweave.api..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.taskweave.core..", "com.google.inject..",
                        "com.fasterxml.jackson.databind..", "io.micrometer..")
                .check(classes);
    }
}
