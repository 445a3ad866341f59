package dev.glimpse.operators;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ReasonCode;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Counts dead letters by reason ({@code glimpse_pipeline.dead_letters{reason=...}},
 * docs/metrics.md) on their way to the sink.
 */
public final class DeadLetterCounter extends RichMapFunction<DeadLetter, DeadLetter> {

    private static final long serialVersionUID = 1L;
    private transient Map<ReasonCode, Counter> counters;

    @Override
    public void open(OpenContext openContext) {
        counters = new EnumMap<>(ReasonCode.class);
        for (ReasonCode reason : ReasonCode.values()) {
            counters.put(
                    reason,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("glimpse_pipeline")
                            .addGroup("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                            .counter("dead_letters"));
        }
    }

    @Override
    public DeadLetter map(DeadLetter deadLetter) {
        counters.get(deadLetter.getReason()).inc();
        return deadLetter;
    }
}
