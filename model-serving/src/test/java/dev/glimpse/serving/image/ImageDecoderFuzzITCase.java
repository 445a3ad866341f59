package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged variants of valid corpus files (flipped bytes, truncation, overwritten header fields)
 * either decode or are rejected with {@link ImageRejectedException}: nothing else may escape.
 * Seeded, so a failure reproduces.
 */
class ImageDecoderFuzzITCase {

    private static final List<String> SEEDS =
            List.of(
                    "png/pngsuite/basn2c08.png",
                    "png/pngsuite/ibasn3p08.png",
                    "jpeg/libjpeg-turbo/testorig.jpg",
                    "jpeg/libjpeg-turbo/testimgp.jpg",
                    "gif/pillow/hopper.gif",
                    "bmp/bmpsuite/g/pal4rle.bmp",
                    "bmp/bmpsuite/g/rgb24.bmp",
                    "tiff/golang-image/video-001-paletted.tiff",
                    "tiff/golang-image/bw-packbits.tiff",
                    "webp/libwebp-test-data/test.webp",
                    "webp/libwebp-test-data/very_short.webp");

    // A small pixel budget keeps damaged headers that claim big-but-allowed sizes cheap.
    private final ImageDecoder decoder =
            new ImageDecoder(new DecodeLimits(1_000_000, 4096, 4096, 4_000_000, 1, 1));

    @Test
    void damagedFilesDecodeOrAreRejectedButNeverThrowAnythingElseWholeOrSubsampled()
            throws IOException {
        Random random = new Random(20261126);
        List<String> escaped = new ArrayList<>();
        int decoded = 0;
        int rejected = 0;
        for (String seed : SEEDS) {
            byte[] original = Files.readAllBytes(RealImageCorpus.dir().resolve(seed));
            for (int i = 0; i < 25; i++) {
                byte[] damaged = mutate(original, random);
                String label = seed + "#" + i;
                // the full decode and the subsampled one the FrameGate hashes from
                for (boolean thumbnail : new boolean[] {false, true}) {
                    try {
                        if (thumbnail) {
                            decoder.decodeThumbnail(damaged, label, 8);
                        } else {
                            decoder.decode(damaged, label);
                        }
                        decoded++;
                    } catch (ImageRejectedException e) {
                        assertThat(e.getMessage()).startsWith(label + ": ");
                        rejected++;
                    } catch (Throwable t) {
                        escaped.add(label + (thumbnail ? " (thumbnail): " : ": ") + t);
                    }
                }
            }
        }
        assertThat(escaped).isEmpty();
        assertThat(decoded + rejected).isEqualTo(SEEDS.size() * 25 * 2);
        assertThat(rejected).isPositive();
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // a few random bytes anywhere
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> { // header damage: the first 64 bytes hold sizes, offsets, counts
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    b[random.nextInt(Math.min(64, b.length))] = (byte) random.nextInt(256);
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, 1 + random.nextInt(b.length - 1)); // cut
            default -> { // a run of 0xff (huge values) in the header area
                int at = random.nextInt(Math.min(48, b.length - 4));
                for (int k = 0; k < 4; k++) {
                    b[at + k] = (byte) 0xff;
                }
            }
        }
        return b;
    }
}
