package dev.glimpse.operators;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Operators reach ONNX Runtime only through the engine's API, and tests use JUnit 5. */
class OperatorsArchitectureTest {

    private static final JavaClasses CLASSES =
            new ClassFileImporter()
                    // this module's own main and test classes (the working directory is the module)
                    .importPaths(Path.of("target/classes"), Path.of("target/test-classes"));

    private static final ArchRule operatorsDoNotTouchOnnxRuntime =
            noClasses()
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("ai.onnxruntime..")
                    .because("only model-serving's ModelExecutor touches ONNX Runtime")
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
    void operatorsDoNotTouchOnnxRuntime() {
        operatorsDoNotTouchOnnxRuntime.check(CLASSES);
    }

    @Test
    void testsDoNotUseJUnit4() {
        testsDoNotUseJUnit4.check(CLASSES);
    }
}
