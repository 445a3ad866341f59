package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decoded pixels of the corpus's lossless files (PNG, BMP, GIF, TIFF) equal what MiniCPM-V's Python
 * side sees: Pillow 9.4's {@code exif_transpose(open(f)).convert("RGB")}, compared by {@link
 * ContentHash} against {@code src/test/resources/decoding/pillow-hashes.tsv} (command in the README
 * next to it). Files we reject on purpose are not compared; the deliberate divergences are listed
 * with their reason.
 */
class DecodedPixelsMatchPillowITCase {

    /** Files where Pillow's pixels are not the ones we want, and why. */
    private static final Map<String, String> DELIBERATE_DIVERGENCES =
            Map.of(
                    "png/pngsuite/basn0g16.png",
                    "Pillow opens 16-bit grey as mode I and convert('RGB') clips values to 255"
                            + " (an almost white picture); we keep the high byte",
                    "png/pngsuite/ftbwn0g16.png",
                    "16-bit grey, same Pillow clipping as basn0g16",
                    "bmp/bmpsuite/g/pal4rle.bmp",
                    "Pillow 9.4 misreads RLE4 (every second pixel becomes palette entry 0);"
                            + " TwelveMonkeys decodes it as BMP Suite intends",
                    "bmp/bmpsuite/b/badrle.bmp",
                    "invalid RLE8 data (BMP Suite 'bad'): the decoders recover differently");

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    @Test
    void losslessCorpusFilesDecodeToPillowsPixels() throws IOException {
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (String[] row : pillowRows()) {
            String path = row[0];
            DecodedImage decoded;
            try {
                decoded =
                        decoder.decode(
                                Files.readAllBytes(RealImageCorpus.dir().resolve(path)), path);
            } catch (ImageRejectedException e) {
                continue; // rejections are checked against expected.tsv by RealImageCorpusITCase
            }
            String hash = ContentHash.of(decoded.pixels()).hex();
            boolean equal = hash.equals(row[3]);
            if (DELIBERATE_DIVERGENCES.containsKey(path)) {
                assertThat(equal).as(path + " is listed as diverging but now matches").isFalse();
                continue;
            }
            compared++;
            if (!equal) {
                mismatches.add(path + " (" + decoded.format() + ", " + decoded.pixels() + ")");
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(compared).isGreaterThanOrEqualTo(45);
    }

    private static List<String[]> pillowRows() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in =
                DecodedPixelsMatchPillowITCase.class.getResourceAsStream(
                        "/decoding/pillow-hashes.tsv")) {
            assertThat(in).as("decoding/pillow-hashes.tsv on the test classpath").isNotNull();
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
        }
        return rows;
    }
}
