package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.TestEvents;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ReasonCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch stage in Flink's async operator, as the job wires it. */
class ImageFetchTest {

    @TempDir Path root;

    private List<FetchOutcome> run(ImageUriPolicy policy, ImageEvent... events) throws Exception {
        ImageFetchSettings settings =
                new ImageFetchSettings(policy, Duration.ofSeconds(30), 3, Duration.ofMillis(10), 2);
        try (OneInputStreamOperatorTestHarness<ImageEvent, FetchOutcome> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                new ImageFetch(settings, 1 << 20),
                                settings.asyncTimeout().toMillis(),
                                settings.capacity(),
                                AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(ImageEvent.class)
                                .createSerializer(new SerializerConfigImpl()))) {
            harness.open();
            for (ImageEvent e : events) {
                harness.processElement(e, 0L);
            }
            harness.endInput(); // waits for every event in flight
            return harness.extractOutputValues();
        }
    }

    private ImageUriPolicy allowRoot() {
        return ImageUriPolicy.allowing(List.of(root.toUri().toString()));
    }

    @Test
    void anInlineImagePassesThroughWithNothingFetched() throws Exception {
        ImageEvent event = TestEvents.inline("in", "cam", "CAPTION", new byte[] {1, 2, 3});

        List<FetchOutcome> out = run(ImageUriPolicy.INLINE_ONLY, event);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).isFailed()).isFalse();
        assertThat(out.get(0).getEvent()).isEqualTo(event);
        assertThat(out.get(0).getFetchedBytes()).isNull();
    }

    @Test
    void aUriUnderAnAllowedRootIsFetched() throws Exception {
        Files.write(root.resolve("a.png"), new byte[] {9, 8, 7});
        ImageEvent event = TestEvents.byUri("u", "up", "OCR", root.toUri() + "a.png");

        List<FetchOutcome> out = run(allowRoot(), event);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).getEvent()).isEqualTo(event);
        assertThat(out.get(0).getFetchedBytes()).containsExactly(9, 8, 7);
    }

    @Test
    void byDefaultEveryUriIsDeadLetteredAsNotAllowedWithTheSameWordsWhetherItExistsOrNot()
            throws Exception {
        ImageEvent exists =
                TestEvents.fromKafka(
                        TestEvents.byUri("a", "up", "OCR", "file:///etc/passwd"), "images", 1, 5L);
        ImageEvent missing =
                TestEvents.fromKafka(
                        TestEvents.byUri("a", "up", "OCR", "file:///etc/no-such-file-here"),
                        "images",
                        1,
                        6L);

        DeadLetter a = run(ImageUriPolicy.INLINE_ONLY, exists).get(0).getDeadLetter();
        DeadLetter b = run(ImageUriPolicy.INLINE_ONLY, missing).get(0).getDeadLetter();

        assertThat(a.getStage()).isEqualTo(FailureStage.FETCH);
        assertThat(a.getReason()).isEqualTo(ReasonCode.URI_NOT_ALLOWED);
        assertThat(a.getMessage())
                .isEqualTo(
                        "event a: image URI 'file:///etc/passwd' is not under an allowed prefix"
                                + " (images.allowedUris); send the image inline or under an"
                                + " allowed prefix");
        assertThat(b.getReason()).isEqualTo(ReasonCode.URI_NOT_ALLOWED);
        assertThat(b.getMessage().replace("no-such-file-here", "passwd")).isEqualTo(a.getMessage());
        assertThat(a.getOriginalReference()).isEqualTo("file:///etc/passwd");
        assertThat(a.getOriginalTopic()).isEqualTo("images");
        assertThat(a.getOriginalOffset()).isEqualTo(5L);
    }

    @Test
    void aMissingFileUnderAnAllowedRootIsFetchFailedAndEveryEventGetsExactlyOneOutcome()
            throws Exception {
        Files.write(root.resolve("ok.png"), new byte[] {1});
        String gone = root.toUri() + "gone.png";

        List<FetchOutcome> out =
                run(
                        allowRoot(),
                        TestEvents.byUri("gone", "up", "OCR", gone),
                        TestEvents.byUri("ok", "up", "OCR", root.toUri() + "ok.png"),
                        TestEvents.inline("in", "cam", "CAPTION", new byte[] {2}),
                        TestEvents.byUri("rel", "up", "OCR", "gone.png"));

        assertThat(out).hasSize(4);
        DeadLetter missing =
                out.stream()
                        .filter(FetchOutcome::isFailed)
                        .map(FetchOutcome::getDeadLetter)
                        .filter(d -> d.getEventId().equals("gone"))
                        .findFirst()
                        .orElseThrow();
        assertThat(missing.getReason()).isEqualTo(ReasonCode.FETCH_FAILED);
        assertThat(missing.getMessage())
                .isEqualTo("event gone: cannot read image at " + gone + ": no such file");
        assertThat(
                        out.stream()
                                .filter(FetchOutcome::isFailed)
                                .map(o -> o.getDeadLetter().getEventId()))
                .containsExactlyInAnyOrder("gone", "rel");
    }
}
