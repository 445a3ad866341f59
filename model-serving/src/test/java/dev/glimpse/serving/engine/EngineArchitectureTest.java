package dev.glimpse.serving.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Layering rules of the engine (STYLE.md §3, DESIGN.md §4). */
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
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("dev.glimpse.serving.model.OrtModelExecutor")
                .and()
                .doNotHaveFullyQualifiedName("dev.glimpse.serving.model.OrtModelExecutor$RunScope")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("ai.onnxruntime..")
                .check(classes);
    }

    @Test
    void engineDoesNotDependOnTheModelDirectoryOrPreprocessing() {
        noClasses()
                .that()
                .resideInAPackage("dev.glimpse.serving.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.glimpse.serving.model..",
                        "dev.glimpse.serving.image..",
                        "dev.glimpse.serving.slicing..",
                        "ai.djl..")
                .check(classes);
    }

    @Test
    void modelServingHasNoFlinkDependency() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.flink..")
                .check(classes);
    }
}
