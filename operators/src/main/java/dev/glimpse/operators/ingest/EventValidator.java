package dev.glimpse.operators.ingest;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import java.time.Clock;
import java.util.Optional;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First operator after the source: passes well-formed events on and sends everything else to the
 * dead-letter side output ({@link DeadLetters#OUTPUT}) — records the source could not decode, an
 * unknown task, a missing image, inline bytes over the payload cap.
 */
public final class EventValidator extends ProcessFunction<IngestedRecord, ImageEvent> {

    private static final long serialVersionUID = 1L;

    private final long maxInlineBytes;
    private transient Clock clock;

    /**
     * @param maxInlineBytes largest inline image accepted (larger ones must travel by URI)
     */
    public EventValidator(long maxInlineBytes) {
        if (maxInlineBytes < 1) {
            throw new IllegalArgumentException(
                    "maxInlineBytes must be >= 1, was " + maxInlineBytes);
        }
        this.maxInlineBytes = maxInlineBytes;
    }

    @Override
    public void processElement(IngestedRecord record, Context ctx, Collector<ImageEvent> out) {
        if (record.isRejected()) {
            ctx.output(DeadLetters.OUTPUT, record.getDeadLetter());
            return;
        }
        ImageEvent event = record.getEvent();
        Optional<Rejection> rejection = check(event);
        if (rejection.isPresent()) {
            ctx.output(
                    DeadLetters.OUTPUT,
                    DeadLetters.forEvent(
                            event,
                            FailureStage.VALIDATE,
                            rejection.get().reason(),
                            rejection.get().message(),
                            clock().instant()));
        } else {
            out.collect(event);
        }
    }

    /** The first problem with {@code event}, if any. */
    Optional<Rejection> check(ImageEvent event) {
        String id = event.getEventId();
        if (parseTask(event.getTask()).isEmpty()) {
            return Optional.of(
                    new Rejection(
                            ReasonCode.UNKNOWN_TASK,
                            "event "
                                    + id
                                    + ": unknown task '"
                                    + event.getTask()
                                    + "'; expected one of CAPTION, OCR, MODERATION"));
        }
        Object image = event.getImage();
        if (image instanceof InlineImage inline) {
            int size = inline.getData().remaining();
            if (size == 0) {
                return Optional.of(
                        new Rejection(
                                ReasonCode.MISSING_IMAGE,
                                "event " + id + ": inline image is empty"));
            }
            if (size > maxInlineBytes) {
                return Optional.of(
                        new Rejection(
                                ReasonCode.PAYLOAD_TOO_LARGE,
                                String.format(
                                        "event %s: inline image of %d bytes exceeds the %d-byte cap; send it by URI",
                                        id, size, maxInlineBytes)));
            }
        } else if (image instanceof ImageReference ref && ref.getUri().isBlank()) {
            return Optional.of(
                    new Rejection(
                            ReasonCode.MISSING_IMAGE, "event " + id + ": image URI is blank"));
        }
        return Optional.empty();
    }

    /** The task named by an event, if it is one Glimpse knows. */
    public static Optional<AnalysisTask> parseTask(String task) {
        if (task == null) {
            return Optional.empty();
        }
        for (AnalysisTask t : AnalysisTask.values()) {
            if (t.name().equals(task)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private Clock clock() {
        if (clock == null) {
            clock = Clock.systemUTC();
        }
        return clock;
    }

    /** Why an event is rejected. */
    record Rejection(ReasonCode reason, String message) {}
}
