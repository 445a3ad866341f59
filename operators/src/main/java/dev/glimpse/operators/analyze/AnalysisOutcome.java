package dev.glimpse.operators.analyze;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import java.util.Objects;

/** What Analyze emits per event: a result, or the dead letter of a failed analysis. */
public final class AnalysisOutcome {

    private AnalysisResult result;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer; use the factories. */
    public AnalysisOutcome() {}

    public static AnalysisOutcome of(AnalysisResult result) {
        AnalysisOutcome o = new AnalysisOutcome();
        o.result = Objects.requireNonNull(result, "result");
        return o;
    }

    public static AnalysisOutcome failed(DeadLetter deadLetter) {
        AnalysisOutcome o = new AnalysisOutcome();
        o.deadLetter = Objects.requireNonNull(deadLetter, "deadLetter");
        return o;
    }

    public AnalysisResult getResult() {
        return result;
    }

    public void setResult(AnalysisResult result) {
        this.result = result;
    }

    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }
}
