package dev.glimpse.serving.testing;

import dev.glimpse.serving.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;

/** Reads the committed 8-bit RGB PNG fixtures straight from the raster (no colour conversion). */
public final class TestPng {

    private TestPng() {}

    public static RgbImage readResource(String name) throws IOException {
        try (InputStream in = TestPng.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            BufferedImage image = ImageIO.read(in);
            Raster raster = image.getRaster();
            if (raster.getNumBands() != 3) {
                throw new IOException(
                        name + ": expected an RGB PNG, got " + raster.getNumBands() + " bands");
            }
            int[] samples =
                    raster.getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
            byte[] pixels = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                pixels[i] = (byte) samples[i];
            }
            return RgbImage.wrap(image.getWidth(), image.getHeight(), pixels);
        }
    }

    /** Largest absolute per-channel difference; sizes must match. */
    public static int maxAbsDifference(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("sizes differ: " + a + " vs " + b);
        }
        byte[] pa = a.pixels();
        byte[] pb = b.pixels();
        int max = 0;
        for (int i = 0; i < pa.length; i++) {
            max = Math.max(max, Math.abs((pa[i] & 0xff) - (pb[i] & 0xff)));
        }
        return max;
    }

    /** Number of channel samples that differ at all. */
    public static int differingSamples(RgbImage a, RgbImage b) {
        byte[] pa = a.pixels();
        byte[] pb = b.pixels();
        int n = 0;
        for (int i = 0; i < pa.length; i++) {
            if (pa[i] != pb[i]) {
                n++;
            }
        }
        return n;
    }
}
