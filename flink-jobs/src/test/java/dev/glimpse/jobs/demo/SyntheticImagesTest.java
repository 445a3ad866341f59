package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.operators.gate.DifferenceHash;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generated pictures decode and behave as the demo relies on (FrameGate, slicing). */
class SyntheticImagesTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    @Test
    void aCameraRepeatsItsSceneWithNearDuplicateFramesThatTheFrameGateSkips() throws Exception {
        CameraFeed camera = new CameraFeed("camera-1", new Random(7));
        int duplicates = 0;
        int changes = 0;
        Long previous = null;
        for (int i = 0; i < 60; i++) {
            CameraFeed.Frame f = camera.next();
            long hash = hash(Png.encode(f.image()));
            if (previous != null) {
                int distance = DifferenceHash.distance(previous, hash);
                if (f.changed()) {
                    changes++;
                } else {
                    duplicates++;
                    assertThat(distance)
                            .as("frame %d of the same scene (%s)", i, f.caption())
                            .isLessThanOrEqualTo(6);
                }
            }
            previous = hash;
        }
        assertThat(duplicates).isGreaterThan(changes);
        assertThat(changes).isGreaterThan(5);
    }

    @Test
    void textPagesIncludeLinesWiderThanOneSlice() throws Exception {
        TextPageGenerator pages = new TextPageGenerator(new Random(3));
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            TextPageGenerator.TextPage p = pages.next(i);
            kinds.add(p.kind());
            var decoded = decoder.decode(Png.encode(p.image()), p.kind()).pixels();
            if (!p.kind().equals("word")) {
                assertThat(decoded.width() * decoded.height())
                        .as("%s '%s' needs slicing", p.kind(), p.text())
                        .isGreaterThan(112 * 112);
            }
        }
        assertThat(kinds).contains("word", "line", "page");
        assertThat(DemoFonts.isDejaVu()).as("DejaVu Sans is installed").isTrue();
    }

    @Test
    void moderationImagesShowTheSymbolOnlyWhenAsked() {
        ModerationImageGenerator gen = new ModerationImageGenerator(new Random(5));
        assertThat(gen.next(true).symbol()).isIn(ModerationImageGenerator.SYMBOLS.keySet());
        assertThat(gen.next(false).symbol()).isNull();
    }

    private long hash(byte[] png) throws Exception {
        return DifferenceHash.of(decoder.decode(png, "frame").pixels());
    }
}
