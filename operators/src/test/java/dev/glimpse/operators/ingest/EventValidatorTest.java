package dev.glimpse.operators.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.TestEvents;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ReasonCode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

    private static final int CAP = 100;

    private OneInputStreamOperatorTestHarness<IngestedRecord, ImageEvent> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new EventValidator(CAP));
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(DeadLetters.OUTPUT);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private DeadLetter onlyDeadLetterOf(ImageEvent event) throws Exception {
        harness.processElement(IngestedRecord.of(event), 0L);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).hasSize(1);
        return deadLetters().get(0);
    }

    @Test
    void aWellFormedEventOfEachTaskPassesUnchanged() throws Exception {
        ImageEvent caption = TestEvents.inline("e1", "cam-1", "CAPTION", new byte[CAP]);
        ImageEvent ocr = TestEvents.byUri("e2", "scanner", "OCR", "file:///tmp/page.png");
        ImageEvent moderation = TestEvents.inline("e3", "upload", "MODERATION", new byte[] {1});

        harness.processElement(IngestedRecord.of(caption), 1L);
        harness.processElement(IngestedRecord.of(ocr), 2L);
        harness.processElement(IngestedRecord.of(moderation), 3L);

        assertThat(harness.extractOutputValues()).containsExactly(caption, ocr, moderation);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aRecordTheSourceCouldNotDecodeGoesToTheSideOutputUnchanged() throws Exception {
        DeadLetter fromSource =
                DeadLetters.forRawRecord(
                        "glimpse.images",
                        2,
                        41L,
                        new byte[] {1, 2, 3},
                        1024,
                        ReasonCode.MALFORMED_RECORD,
                        "glimpse.images-2@41: not Avro",
                        Instant.parse("2026-11-26T10:00:00Z"));

        harness.processElement(IngestedRecord.rejected(fromSource), 0L);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).containsExactly(fromSource);
    }

    @Test
    void anUnknownTaskIsRejectedAsUnknownTaskWithTheExactMessage() throws Exception {
        // Dead letters carry Avro timestamp-millis: compare at that precision.
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        DeadLetter dl =
                onlyDeadLetterOf(TestEvents.inline("e-7", "cam-1", "caption", new byte[] {1}));

        assertThat(dl.getReason()).isEqualTo(ReasonCode.UNKNOWN_TASK);
        assertThat(dl.getStage()).isEqualTo(FailureStage.VALIDATE);
        assertThat(dl.getMessage())
                .isEqualTo(
                        "event e-7: unknown task 'caption'; expected one of CAPTION, OCR, MODERATION");
        assertThat(dl.getEventId()).isEqualTo("e-7");
        assertThat(dl.getSourceId()).isEqualTo("cam-1");
        assertThat(dl.getFailedAt()).isBetween(before, Instant.now());
        assertThat(dl.getOriginalBytes()).isNull();
        assertThat(dl.getOriginalReference()).isNull();
    }

    @Test
    void anEmptyInlineImageIsRejectedAsMissingImage() throws Exception {
        DeadLetter dl = onlyDeadLetterOf(TestEvents.inline("e-8", "cam-1", "OCR", new byte[0]));

        assertThat(dl.getReason()).isEqualTo(ReasonCode.MISSING_IMAGE);
        assertThat(dl.getStage()).isEqualTo(FailureStage.VALIDATE);
        assertThat(dl.getMessage()).isEqualTo("event e-8: inline image is empty");
    }

    @Test
    void anInlineImageOneByteOverTheCapIsRejectedAsPayloadTooLargeNamingBothSizes()
            throws Exception {
        DeadLetter dl =
                onlyDeadLetterOf(TestEvents.inline("e-9", "cam-1", "CAPTION", new byte[CAP + 1]));

        assertThat(dl.getReason()).isEqualTo(ReasonCode.PAYLOAD_TOO_LARGE);
        assertThat(dl.getStage()).isEqualTo(FailureStage.VALIDATE);
        assertThat(dl.getMessage())
                .isEqualTo(
                        "event e-9: inline image of 101 bytes exceeds the 100-byte cap; send it by URI");
    }

    @Test
    void theCapCountsTheRemainingBytesOfTheBufferNotItsCapacity() throws Exception {
        // position 100, limit 200 of a 400-byte array: 100 bytes remain
        ByteBuffer view = ByteBuffer.wrap(new byte[CAP * 4], CAP, CAP);
        ImageEvent event = TestEvents.inline("e-10", "cam-1", "CAPTION", new byte[1]);
        event.setImage(new InlineImage(view));

        harness.processElement(IngestedRecord.of(event), 0L);

        assertThat(harness.extractOutputValues()).containsExactly(event);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aBlankUriIsRejectedAsMissingImageAndKeepsTheReference() throws Exception {
        DeadLetter dl = onlyDeadLetterOf(TestEvents.byUri("e-11", "scanner", "OCR", "  "));

        assertThat(dl.getReason()).isEqualTo(ReasonCode.MISSING_IMAGE);
        assertThat(dl.getStage()).isEqualTo(FailureStage.VALIDATE);
        assertThat(dl.getMessage()).isEqualTo("event e-11: image URI is blank");
        assertThat(dl.getOriginalReference()).isEqualTo("  ");
    }

    @Test
    void theUnknownTaskIsReportedBeforeAnImageProblem() throws Exception {
        DeadLetter dl = onlyDeadLetterOf(TestEvents.inline("e-12", "cam-1", "OTHER", new byte[0]));

        assertThat(dl.getReason()).isEqualTo(ReasonCode.UNKNOWN_TASK);
    }

    @Test
    void aDeadLetterCarriesTheKafkaOriginOfItsEvent() throws Exception {
        ImageEvent event =
                TestEvents.fromKafka(
                        TestEvents.inline("e-13", "cam-2", "CAPTION", new byte[CAP + 50]),
                        "glimpse.images",
                        7,
                        123_456_789_012L);

        DeadLetter dl = onlyDeadLetterOf(event);

        assertThat(dl.getReason()).isEqualTo(ReasonCode.PAYLOAD_TOO_LARGE);
        assertThat(dl.getOriginalTopic()).isEqualTo("glimpse.images");
        assertThat(dl.getOriginalPartition()).isEqualTo(7);
        assertThat(dl.getOriginalOffset()).isEqualTo(123_456_789_012L);
    }

    @Test
    void aDeadLetterOfAnEventWithoutKafkaOriginHasNoOrigin() throws Exception {
        DeadLetter dl = onlyDeadLetterOf(TestEvents.inline("e-14", "cam-1", "X", new byte[1]));

        assertThat(dl.getOriginalTopic()).isNull();
        assertThat(dl.getOriginalPartition()).isNull();
        assertThat(dl.getOriginalOffset()).isNull();
    }

    @Test
    void parseTaskKnowsExactlyTheUpperCaseTaskNames() {
        assertThat(EventValidator.parseTask("CAPTION")).contains(AnalysisTask.CAPTION);
        assertThat(EventValidator.parseTask("OCR")).contains(AnalysisTask.OCR);
        assertThat(EventValidator.parseTask("MODERATION")).contains(AnalysisTask.MODERATION);
        assertThat(EventValidator.parseTask("Ocr")).isEmpty();
        assertThat(EventValidator.parseTask("")).isEmpty();
        assertThat(EventValidator.parseTask(null)).isEmpty();
    }

    @Test
    void aCapBelowOneByteIsRefused() {
        assertThatThrownBy(() -> new EventValidator(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInlineBytes must be >= 1, was 0");
    }
}
