package dev.glimpse.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of docs/design.md §2, checked on the compiled classes of every module (this
 * module's test classpath holds all of them). model-serving's own rules (no Flink, ONNX Runtime
 * only in its executor) are in its {@code EngineArchitectureTest}.
 */
class ArchitectureRulesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importGlimpseClasses() {
        // Only our own classes: resolving every referenced Flink/Kafka class would take ~20 s.
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        classes = new ClassFileImporter().importPackages("dev.glimpse");
    }

    @Test
    void everyModuleIsImported() {
        assertThat(classes.containPackage("dev.glimpse.schemas")).isTrue();
        assertThat(classes.containPackage("dev.glimpse.jobs.kafka")).isTrue();
    }

    @Test
    void onlyModelServingTouchesOnnxRuntime() {
        assertNoViolations(
                noClasses()
                        .that()
                        .resideInAnyPackage("dev.glimpse.operators..", "dev.glimpse.jobs..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("ai.onnxruntime..")
                        .because("only model-serving's ModelExecutor touches ONNX Runtime")
                        .allowEmptyShould(true));
    }

    @Test
    void nothingUsesJUnit4() {
        assertNoViolations(
                noClasses()
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                "junit..", "org.junit", "org.junit.runner..", "org.junit.rules..")
                        .because(
                                "tests use JUnit 5; the vintage engine is banned by the enforcer"));
    }

    private static void assertNoViolations(ArchRule rule) {
        EvaluationResult result = rule.evaluate(classes);
        assertThat(result.getFailureReport().getDetails()).as(rule.getDescription()).isEmpty();
    }
}
