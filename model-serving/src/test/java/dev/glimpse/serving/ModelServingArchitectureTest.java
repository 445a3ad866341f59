package dev.glimpse.serving;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** model-serving is usable from any JVM service: no Flink, and tests on JUnit 5 only. */
class ModelServingArchitectureTest {

    private static final JavaClasses CLASSES =
            new ClassFileImporter()
                    // this module's own main and test classes (the working directory is the module)
                    .importPaths(Path.of("target/classes"), Path.of("target/test-classes"));

    private static final ArchRule modelServingDoesNotDependOnFlink =
            noClasses()
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.apache.flink..")
                    .because("model-serving must be usable outside Flink (DESIGN.md §2)")
                    .allowEmptyShould(true);

    private static final ArchRule testsDoNotUseJUnit4 =
            noClasses()
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "junit..", "org.junit", "org.junit.runner..", "org.junit.rules..")
                    .because("tests use JUnit 5 (Jupiter)")
                    .allowEmptyShould(true);

    @Test
    void modelServingDoesNotDependOnFlink() {
        modelServingDoesNotDependOnFlink.check(CLASSES);
    }

    @Test
    void testsDoNotUseJUnit4() {
        testsDoNotUseJUnit4.check(CLASSES);
    }
}
