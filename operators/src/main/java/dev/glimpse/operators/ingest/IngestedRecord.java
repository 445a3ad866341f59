package dev.glimpse.operators.ingest;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.util.Objects;

/**
 * What the Kafka source emits per record: the decoded event, or the dead letter of a record that
 * could not be decoded (so a malformed record never fails the job). Exactly one is set.
 */
public final class IngestedRecord {

    private ImageEvent event;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer; use the factories. */
    public IngestedRecord() {}

    private IngestedRecord(ImageEvent event, DeadLetter deadLetter) {
        this.event = event;
        this.deadLetter = deadLetter;
    }

    public static IngestedRecord of(ImageEvent event) {
        return new IngestedRecord(Objects.requireNonNull(event, "event"), null);
    }

    public static IngestedRecord rejected(DeadLetter deadLetter) {
        return new IngestedRecord(null, Objects.requireNonNull(deadLetter, "deadLetter"));
    }

    public ImageEvent getEvent() {
        return event;
    }

    public void setEvent(ImageEvent event) {
        this.event = event;
    }

    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }

    public boolean isRejected() {
        return deadLetter != null;
    }
}
