package dev.glimpse.serving.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Layering rules of the engine (docs/design.md §4). */
class EngineArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.glimpse.serving");
    }

    @Test
    void onlyTheOrtExecutorTouchesOnnxRuntimeSessionsAndTensors() {
        assertNoViolations(
                noClasses()
                        .that()
                        // the executor, the tensors of its runs and the types it reads from graphs
                        .haveNameNotMatching(
                                "dev\\.glimpse\\.serving\\.model\\."
                                        + "(OrtModelExecutor|RunScope|GraphTypes)(\\$.*)?")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("ai.onnxruntime.."));
    }

    @Test
    void engineDoesNotDependOnTheModelDirectoryOrPreprocessing() {
        assertNoViolations(
                noClasses()
                        .that()
                        .resideInAPackage("dev.glimpse.serving.engine..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                "dev.glimpse.serving.model..",
                                "dev.glimpse.serving.image..",
                                "dev.glimpse.serving.slicing..",
                                "ai.djl.."));
    }

    @Test
    void modelServingHasNoFlinkDependency() {
        assertNoViolations(
                noClasses().should().dependOnClassesThat().resideInAPackage("org.apache.flink.."));
    }

    private static void assertNoViolations(ArchRule rule) {
        assertThat(rule.evaluate(classes).getFailureReport().getDetails())
                .as(rule.getDescription())
                .isEmpty();
    }
}
