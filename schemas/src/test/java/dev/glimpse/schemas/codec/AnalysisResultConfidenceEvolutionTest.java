package dev.glimpse.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.OcrText;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** AnalysisResult version 3 (answer confidences) next to the versions before it. */
class AnalysisResultConfidenceEvolutionTest {

    private final AvroCodec<AnalysisResult> codec = AvroCodec.of(AnalysisResult.class);

    @Test
    void currentWriterWritesVersionThree() throws Exception {
        assertThat(SchemaHistory.currentVersion(AnalysisResult.class)).isEqualTo(3);
        AnalysisResult ocr = (AnalysisResult) GoldenSamples.v3().get("AnalysisResult/ocr-sliced");

        byte[] bytes = codec.encode(ocr);

        assertThat(codec.decode(bytes, 3)).isEqualTo(ocr);
    }

    @Test
    void versionOneAndTwoOcrResultsDecodeWithoutConfidenceLinesOrReview() throws Exception {
        for (int version : new int[] {1, 2}) {
            OcrText ocr =
                    (OcrText)
                            codec.decode(
                                            read(
                                                    "/golden/AnalysisResult/v"
                                                            + version
                                                            + "/ocr-sliced.bin"),
                                            version)
                                    .getOutput();

            assertThat(ocr.getText()).isEqualTo("INVOICE 2026-11 TOTAL 42.00");
            assertThat(ocr.getConfidence()).isNull();
            assertThat(ocr.getLines()).isEmpty();
            assertThat(ocr.getNeedsReview()).isFalse();
        }
    }

    @Test
    void versionThreeGoldenSamplesKeepTheirConfidences() throws Exception {
        OcrText ocr =
                (OcrText)
                        codec.decode(read("/golden/AnalysisResult/v3/ocr-sliced.bin"), 3)
                                .getOutput();
        Caption caption =
                (Caption)
                        codec.decode(read("/golden/AnalysisResult/v3/caption.bin"), 3).getOutput();

        assertThat(caption.getConfidence().getMean()).isEqualTo(0.875);
        assertThat(caption.getConfidence().getMin()).isEqualTo(0.5);
        assertThat(ocr.getConfidence().getMin()).isEqualTo(0.25);
        assertThat(ocr.getLines())
                .extracting(l -> l.getText())
                .containsExactly("INVOICE 2026-11", "TOTAL 42.00");
        assertThat(ocr.getLines().get(1).getWords())
                .extracting(w -> w.getText() + ":" + w.getMin())
                .containsExactly("TOTAL:1.0", "42.00:0.25");
        assertThat(ocr.getNeedsReview()).isTrue();
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in =
                AnalysisResultConfidenceEvolutionTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
