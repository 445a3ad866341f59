package dev.glimpse.operators.preprocess;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.util.Objects;

/**
 * What {@link ImageFetch} emits per event: the event with its image bytes at hand (inline, or
 * fetched from its URI), or the dead letter of a fetch that failed. Exactly one of {@code event}
 * and {@code deadLetter} is set; {@code fetchedBytes} only for an event whose image came by URI.
 */
public final class FetchOutcome {

    private ImageEvent event;
    private byte[] fetchedBytes;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer; use the factories. */
    public FetchOutcome() {}

    /** An event whose image is inline: nothing was fetched. */
    public static FetchOutcome inline(ImageEvent event) {
        FetchOutcome o = new FetchOutcome();
        o.event = Objects.requireNonNull(event, "event");
        return o;
    }

    /** An event whose image was read from its URI. */
    public static FetchOutcome fetched(ImageEvent event, byte[] bytes) {
        FetchOutcome o = inline(event);
        o.fetchedBytes = Objects.requireNonNull(bytes, "bytes");
        return o;
    }

    public static FetchOutcome failed(DeadLetter deadLetter) {
        FetchOutcome o = new FetchOutcome();
        o.deadLetter = Objects.requireNonNull(deadLetter, "deadLetter");
        return o;
    }

    public boolean isFailed() {
        return deadLetter != null;
    }

    public ImageEvent getEvent() {
        return event;
    }

    public void setEvent(ImageEvent event) {
        this.event = event;
    }

    public byte[] getFetchedBytes() {
        return fetchedBytes;
    }

    public void setFetchedBytes(byte[] fetchedBytes) {
        this.fetchedBytes = fetchedBytes;
    }

    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }
}
