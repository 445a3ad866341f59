package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ModelInfo;
import dev.glimpse.schemas.OcrLine;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.OcrWord;
import dev.glimpse.schemas.Timings;
import dev.glimpse.schemas.TokenConfidence;
import dev.glimpse.schemas.TokenCounts;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AvroRecordSerializerTest {

    @Test
    void resultsTopicCarriesSchemaVersionThreeWithTheConfidences() throws Exception {
        OcrText ocr =
                new OcrText(
                        "TOTAL 42",
                        new TokenConfidence(0.75, 0.5),
                        List.of(
                                new OcrLine(
                                        "TOTAL 42",
                                        0.75,
                                        0.5,
                                        List.of(
                                                new OcrWord("TOTAL", 1.0, 1.0),
                                                new OcrWord("42", 0.5, 0.5)))),
                        true);
        AnalysisResult result =
                AnalysisResult.newBuilder()
                        .setEventId("evt-1")
                        .setSourceId("scanner")
                        .setEventTime(Instant.parse("2026-12-07T06:00:00Z"))
                        .setTask(AnalysisTask.OCR)
                        .setOutput(ocr)
                        .setModel(new ModelInfo("glimpse-tiny", "0.4.1"))
                        .setTokens(new TokenCounts(10, 32, 0, 4))
                        .setTimings(new Timings(0.0, 1.0, 2.0, 3.0, 4.0))
                        .setAttributes(Map.of())
                        .build();
        var serializer =
                new AvroRecordSerializer<>(
                        AnalysisResult.class, "glimpse.results", AnalysisResult::getEventId);

        ProducerRecord<byte[], byte[]> record = serializer.serialize(result, null, 5L);

        String version =
                new String(
                        record.headers().lastHeader(SchemaHistory.VERSION_HEADER).value(),
                        StandardCharsets.US_ASCII);
        assertThat(version).isEqualTo("3");
        AnalysisResult decoded = AvroCodec.of(AnalysisResult.class).decode(record.value(), 3);
        assertThat(decoded).isEqualTo(result);
        assertThat(((OcrText) decoded.getOutput()).getNeedsReview()).isTrue();
    }
}
