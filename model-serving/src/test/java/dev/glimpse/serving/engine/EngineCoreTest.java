package dev.glimpse.serving.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.metrics.EngineMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The step's outcome as a value, driven step by step on the test's thread. */
class EngineCoreTest {
    private final FakeModelExecutor model = new FakeModelExecutor();
    private final EngineConfig config =
            EngineConfig.builder()
                    .maxNumBatchedTokens(64)
                    .maxNumSeqs(1)
                    .blockSize(4)
                    .numKvBlocks(64)
                    .prefixCaching(false)
                    .validateInvariants(true)
                    .build();
    private final FakePrompts prompts = new FakePrompts();
    private final EngineCore core =
            new EngineCore(
                    config,
                    model,
                    prompts,
                    new EngineMetrics(new PrometheusRegistry(), "fake", "concat"),
                    new EngineCounters(),
                    Runnable::run,
                    new AtomicInteger(2),
                    System::nanoTime);
    private final RequestAdmission admission = new RequestAdmission(config, prompts, model.shape());

    private ActiveRequest add(String id, int maxNew) {
        ActiveRequest req =
                admission.admit(
                        EngineRequest.builder(id, FakePrompts.image(id, 2, 0, 0), Task.CAPTION)
                                .maxNewTokens(maxNew)
                                .build(),
                        System.nanoTime(),
                        0);
        core.add(req);
        return req;
    }

    @Test
    void stepsReportNoWorkCommittedAndFailedWithTheirCulprits() {
        assertThat(core.step()).isEqualTo(StepOutcome.NO_WORK);

        ActiveRequest a = add("a", 2);
        ActiveRequest b = add("b", 2);
        List<StepOutcome> outcomes = new ArrayList<>();
        model.poison("b", ExecutionStage.PREFILL);
        for (int i = 0; i < 4; i++) {
            outcomes.add(core.step());
        }
        // a prefills (b waits: one sequence at a time), a decodes its last token, then b fails
        assertThat(outcomes)
                .containsExactly(
                        StepOutcome.COMMITTED,
                        StepOutcome.COMMITTED,
                        StepOutcome.failed(List.of("b")),
                        StepOutcome.NO_WORK);
        assertThat(a.future.join().tokenIds()).hasSize(2);
        assertThat(b.future).isCompletedExceptionally();
    }
}
