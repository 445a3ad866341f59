package dev.glimpse.schemas.codec;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.CategoryScore;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrLine;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.OcrWord;
import dev.glimpse.schemas.ReasonCode;
import dev.glimpse.schemas.SliceGrid;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.schemas.TokenCounts;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The records behind the golden binary files, built deterministically. A golden file {@code
 * golden/<Type>/v<N>/<name>.bin} holds {@code of(Type, N).get("<Type>/<name>")} encoded with the
 * v<N> writer schema; {@link GoldenSamplesWriter} wrote them and must never overwrite a published
 * version. Versions before a record's fields existed hold the {@link #v1()} records (the current
 * reader fills the later fields with their defaults).
 */
final class GoldenSamples {

    static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

    private GoldenSamples() {}

    /** The samples of {@code type} as its version {@code version} golden files hold them. */
    static Map<String, SpecificRecord> of(Class<? extends SpecificRecord> type, int version) {
        Map<String, SpecificRecord> all =
                type == AnalysisResult.class && version >= 3 ? v3() : v1();
        Map<String, SpecificRecord> out = new TreeMap<>();
        all.forEach(
                (name, record) -> {
                    if (name.startsWith(type.getSimpleName() + "/")) {
                        out.put(name, record);
                    }
                });
        return out;
    }

    /**
     * The v1 samples with AnalysisResult version 3's confidences: the caption and OCR answers carry
     * their token confidence, the OCR text its lines and words, one word under review.
     */
    static Map<String, SpecificRecord> v3() {
        Map<String, SpecificRecord> samples = v1();
        AnalysisResult caption = captionResult();
        caption.setOutput(
                new Caption("a red circle left of a blue square", new TokenConfidence(0.875, 0.5)));
        samples.put("AnalysisResult/caption", caption);
        AnalysisResult ocr = ocrResult();
        ocr.setOutput(
                new OcrText(
                        "INVOICE 2026-11\nTOTAL 42.00",
                        new TokenConfidence(0.8125, 0.25),
                        List.of(
                                new OcrLine(
                                        "INVOICE 2026-11",
                                        0.9375,
                                        0.75,
                                        List.of(
                                                new OcrWord("INVOICE", 1.0, 1.0),
                                                new OcrWord("2026-11", 0.875, 0.75))),
                                new OcrLine(
                                        "TOTAL 42.00",
                                        0.625,
                                        0.25,
                                        List.of(
                                                new OcrWord("TOTAL", 1.0, 1.0),
                                                new OcrWord("42.00", 0.5, 0.25)))),
                        true));
        samples.put("AnalysisResult/ocr-sliced", ocr);
        return samples;
    }

    static Map<String, SpecificRecord> v1() {
        Map<String, SpecificRecord> samples = new TreeMap<>();
        samples.put("ImageEvent/inline-caption", inlineCaption());
        samples.put("ImageEvent/uri-ocr", uriOcr());
        samples.put("ImageEvent/moderation-with-categories", moderation());
        samples.put("AnalysisResult/caption", captionResult());
        samples.put("AnalysisResult/ocr-sliced", ocrResult());
        samples.put("AnalysisResult/moderation", moderationResult());
        samples.put("DeadLetter/decoded-event", decodedDeadLetter());
        samples.put("DeadLetter/malformed-record", malformedDeadLetter());
        return samples;
    }

    static ImageEvent inlineCaption() {
        return ImageEvent.newBuilder()
                .setEventId("evt-0001")
                .setSourceId("camera-7")
                .setEventTime(T0)
                .setTask("CAPTION")
                .setImage(
                        new InlineImage(
                                ByteBuffer.wrap(
                                        new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})))
                .setContentType("image/png")
                .setAttributes(Map.of("site", "gate-2"))
                .build();
    }

    static ImageEvent uriOcr() {
        return ImageEvent.newBuilder()
                .setEventId("evt-0002")
                .setSourceId("scanner-1")
                .setEventTime(T0.plusMillis(1500))
                .setTask("OCR")
                .setImage(new ImageReference("file:///data/pages/page-0002.png"))
                .setAttributes(Map.of())
                .build();
    }

    static ImageEvent moderation() {
        return ImageEvent.newBuilder()
                .setEventId("evt-0003")
                .setSourceId("uploads")
                .setEventTime(T0.plusSeconds(60))
                .setTask("MODERATION")
                .setPrompt("Is anything unsafe here?")
                .setModerationCategories(List.of("skull", "weapons"))
                .setImage(
                        new InlineImage(
                                ByteBuffer.wrap(
                                        new byte[] {
                                            (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9
                                        })))
                .setContentType("image/jpeg")
                .setAttributes(Map.of("user", "u-42", "channel", "web"))
                .build();
    }

    static AnalysisResult captionResult() {
        return result(
                "evt-0001",
                "camera-7",
                AnalysisTask.CAPTION,
                new Caption("a red circle left of a blue square", null),
                null);
    }

    static AnalysisResult ocrResult() {
        return result(
                "evt-0002",
                "scanner-1",
                AnalysisTask.OCR,
                new OcrText("INVOICE 2026-11 TOTAL 42.00", null, List.of(), false),
                new SliceGrid(2, 4));
    }

    static AnalysisResult moderationResult() {
        ModerationVerdict verdict =
                ModerationVerdict.newBuilder()
                        .setFlagged(true)
                        .setFlaggedCategories(List.of("skull"))
                        .setScores(
                                List.of(
                                        new CategoryScore("skull", 0.93, 0.5, true),
                                        new CategoryScore("weapons", 0.04, 0.5, false)))
                        .build();
        return result("evt-0003", "uploads", AnalysisTask.MODERATION, verdict, null);
    }

    private static AnalysisResult result(
            String id, String source, AnalysisTask task, Object output, SliceGrid grid) {
        return AnalysisResult.newBuilder()
                .setEventId(id)
                .setSourceId(source)
                .setEventTime(T0)
                .setTask(task)
                .setOutput(output)
                .setModel(new ModelInfo("glimpse-tiny", "0.1.0"))
                .setSliceGrid(grid)
                .setTokens(new TokenCounts(120, 96, 16, 9))
                .setTimings(new Timings(1.5, 12.25, 8.0, 40.75, 70.5))
                .setAttributes(Map.of())
                .build();
    }

    static DeadLetter decodedDeadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalTopic("glimpse.images")
                .setOriginalPartition(3)
                .setOriginalOffset(12345L)
                .setEventId("evt-0009")
                .setSourceId("camera-7")
                .setOriginalReference("file:///data/broken.jpg")
                .setStage(FailureStage.DECODE)
                .setReason(ReasonCode.TRUNCATED_IMAGE)
                .setMessage("image evt-0009: JPEG is truncated (Missing EOI marker)")
                .setFailedAt(T0.plusSeconds(2))
                .build();
    }

    static DeadLetter malformedDeadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalTopic("glimpse.images")
                .setOriginalPartition(0)
                .setOriginalOffset(7L)
                .setOriginalBytes(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xFE}))
                .setStage(FailureStage.DESERIALIZE)
                .setReason(ReasonCode.MALFORMED_RECORD)
                .setMessage("ImageEvent v1 payload of 4 bytes is not valid Avro")
                .setFailedAt(T0.plusSeconds(3))
                .build();
    }
}
