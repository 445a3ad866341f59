package dev.glimpse.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.FailureStage;
import dev.glimpse.schemas.ReasonCode;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TailResultsTest {

    @Test
    void deadLettersArePrintedWithoutTheirRawBytes() {
        DeadLetter d =
                DeadLetter.newBuilder()
                        .setEventId("scan-5")
                        .setSourceId("scanner-1")
                        .setOriginalBytes(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
                        .setStage(FailureStage.DECODE)
                        .setReason(ReasonCode.TRUNCATED_IMAGE)
                        .setMessage("cut off")
                        .setFailedAt(Instant.parse("2026-11-26T10:00:00Z"))
                        .build();
        String line = TailResults.json(d);
        assertThat(line)
                .startsWith("{\"deadLetter\": {")
                .contains("\"eventId\": \"scan-5\"", "\"reason\": \"TRUNCATED_IMAGE\"")
                .contains("\"originalBytes\": null")
                .endsWith(", \"originalBytesLength\": 4}");
    }
}
