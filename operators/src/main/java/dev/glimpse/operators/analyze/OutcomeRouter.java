package dev.glimpse.operators.analyze;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.schemas.AnalysisResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Splits Analyze's outcomes: results go on, failed analyses to the dead-letter side output. Also
 * records the pipeline's end-to-end latency (event time to result) as the histogram {@code
 * glimpse_pipeline.end_to_end_latency_ms} (docs/metrics.md).
 */
public final class OutcomeRouter extends ProcessFunction<AnalysisOutcome, AnalysisResult> {

    private static final long serialVersionUID = 1L;
    private transient Histogram endToEnd;

    @Override
    public void open(OpenContext openContext) {
        endToEnd =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("glimpse_pipeline")
                        .histogram(
                                "end_to_end_latency_ms",
                                new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void processElement(
            AnalysisOutcome outcome, Context ctx, Collector<AnalysisResult> out) {
        if (outcome.getDeadLetter() != null) {
            ctx.output(DeadLetters.OUTPUT, outcome.getDeadLetter());
            return;
        }
        AnalysisResult result = outcome.getResult();
        endToEnd.update((long) result.getTimings().getEndToEndMs());
        out.collect(result);
    }
}
