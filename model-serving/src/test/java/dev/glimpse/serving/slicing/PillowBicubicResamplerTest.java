package dev.glimpse.serving.slicing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PillowBicubicResamplerTest {

    private final PillowBicubicResampler resampler = new PillowBicubicResampler();

    @Test
    void fastPathsEqualThePlainPortOfPillowOnRandomSizesAndPixels() {
        Random random = new Random(3);
        for (int trial = 0; trial < 150; trial++) {
            int w = 1 + random.nextInt(70);
            int h = 1 + random.nextInt(70);
            int outW = random.nextInt(4) == 0 ? w : 1 + random.nextInt(90); // some one-pass cases
            int outH = random.nextInt(4) == 0 ? h : 1 + random.nextInt(90);
            byte[] px = new byte[w * h * 3];
            random.nextBytes(px);
            RgbImage source = RgbImage.wrap(w, h, px);

            RgbImage fast = resampler.resize(source, new ImageSize(outW, outH));
            RgbImage plain = PlainPillowResampler.resize(source, outW, outH);

            assertThat(fast.pixels())
                    .as("%dx%d -> %dx%d", w, h, outW, outH)
                    .isEqualTo(plain.pixels());
        }
    }

    @Test
    void resizingToSeveralSizesAtOnceEqualsSeparateResizes() {
        Random random = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int w = 1 + random.nextInt(60);
            int h = trial % 4 == 0 ? 100 + random.nextInt(400) : 1 + random.nextInt(60);
            byte[] px = new byte[w * h * 3];
            random.nextBytes(px);
            RgbImage source = RgbImage.wrap(w, h, px);
            java.util.List<ImageSize> targets =
                    java.util.List.of(
                            new ImageSize(1 + random.nextInt(70), 1 + random.nextInt(70)),
                            new ImageSize(1 + random.nextInt(70), h),
                            new ImageSize(w, 1 + random.nextInt(300)),
                            new ImageSize(1 + random.nextInt(70), 1 + random.nextInt(70)));

            java.util.List<RgbImage> together = resampler.resizeAll(source, targets);

            for (int t = 0; t < targets.size(); t++) {
                ImageSize size = targets.get(t);
                assertThat(together.get(t).pixels())
                        .as("%dx%d -> %s", w, h, size)
                        .isEqualTo(
                                PlainPillowResampler.resize(source, size.width(), size.height())
                                        .pixels());
            }
        }
    }

    @Test
    void theSameSizeReturnsTheSourceUnchanged() {
        RgbImage source = RgbImage.wrap(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(resampler.resize(source, new ImageSize(2, 1))).isSameAs(source);
    }

    @Test
    void aFlatColourStaysFlatAtAnyScale() {
        byte[] px = new byte[37 * 23 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 17;
            px[i + 2] = (byte) 255;
        }
        RgbImage out = resampler.resize(RgbImage.wrap(37, 23, px), new ImageSize(101, 5));
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 101; x++) {
                assertThat(out.rgb(x, y)).isEqualTo(200 << 16 | 17 << 8 | 255);
            }
        }
    }
}
