package dev.glimpse.serving.bench;

import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.ImageRejectedException;
import dev.glimpse.serving.image.RgbImage;
import dev.glimpse.serving.slicing.ImageSlicer;
import dev.glimpse.serving.slicing.PatchPacker;
import dev.glimpse.serving.slicing.PatchStrip;
import dev.glimpse.serving.slicing.PixelNormalization;
import dev.glimpse.serving.slicing.SliceConfig;
import dev.glimpse.serving.slicing.SlicePlanner;
import dev.glimpse.serving.slicing.SlicedImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;

/**
 * Decode + slice + resize + normalise/pack of one picture at the MiniCPM-V defaults (448/14/9): the
 * Pillow-exact pipeline next to a naive Graphics2D pipeline, in the same run. Command and results:
 * docs/benchmarks.md, section "Preprocessing".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g", "-Djava.awt.headless=true"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PreprocessingBenchmark {

    @Param({"photo-1920x1080-jpeg", "page-2480x3508-jpeg"})
    public String input;

    private byte[] encoded;
    private ImageDecoder decoder;
    private ImageSlicer slicer;
    private PatchPacker packer;
    private NaiveGraphics2dPipeline naive;
    private RgbImage decoded; // for the stages-after-decoding pair
    private BufferedImage decodedForNaive;

    @Setup
    public void setUp() {
        encoded =
                input.startsWith("photo")
                        ? BenchmarkImages.photoJpeg()
                        : BenchmarkImages.pageJpeg();
        SliceConfig config = SliceConfig.MINICPM_V;
        decoder = new ImageDecoder(DecodeLimits.DEFAULTS);
        slicer = new ImageSlicer(config);
        packer = new PatchPacker(config.patchSize(), PixelNormalization.MINICPM_V);
        naive = new NaiveGraphics2dPipeline(new SlicePlanner(config));
        try {
            decoded = decoder.decode(encoded, input).pixels();
            decodedForNaive = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (ImageRejectedException | IOException e) {
            throw new IllegalStateException("benchmark input " + input + " does not decode", e);
        }
    }

    @Benchmark
    public List<PatchStrip> glimpsePillowExact() throws ImageRejectedException {
        SlicedImage sliced = slicer.slice(decoder.decode(encoded, input).pixels());
        List<PatchStrip> strips = new ArrayList<>(sliced.images().size());
        for (RgbImage image : sliced.images()) {
            strips.add(packer.pack(image));
        }
        return strips;
    }

    @Benchmark
    public List<float[]> naiveGraphics2dBicubic() throws IOException {
        return naive.run(encoded);
    }

    /** The same pipelines without decoding (shared cost), to show the resize/pack speed-up. */
    @Benchmark
    public List<PatchStrip> afterDecodeGlimpsePillowExact() {
        SlicedImage sliced = slicer.slice(decoded);
        List<PatchStrip> strips = new ArrayList<>(sliced.images().size());
        for (RgbImage image : sliced.images()) {
            strips.add(packer.pack(image));
        }
        return strips;
    }

    @Benchmark
    public List<float[]> afterDecodeNaiveGraphics2dBicubic() {
        return naive.process(decodedForNaive);
    }

    /** Runs this benchmark; JMH command-line options (e.g. {@code -f 2 -i 3}) override defaults. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        JmhMain.run(PreprocessingBenchmark.class, args);
    }
}
