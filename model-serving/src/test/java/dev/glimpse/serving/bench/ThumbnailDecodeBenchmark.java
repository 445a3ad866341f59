package dev.glimpse.serving.bench;

import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.image.ImageDecoder;
import dev.glimpse.serving.image.ImageRejectedException;
import dev.glimpse.serving.image.RgbImage;
import java.util.concurrent.TimeUnit;
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
 * What the FrameGate pays per camera frame to hash it: a full decode next to the thumbnail decode
 * it uses ({@code ImageDecoder.decodeThumbnail} with the gate's shorter side of 128), in the same
 * run. Command and results: docs/benchmarks.md, section "FrameGate hashing".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g", "-Djava.awt.headless=true"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ThumbnailDecodeBenchmark {

    /** The FrameGate's {@code HASH_MIN_SIDE} (operators module). */
    private static final int GATE_MIN_SIDE = 128;

    @Param({"frame-1280x720-jpeg", "frame-1920x1080-jpeg", "frame-1280x720-png"})
    public String input;

    private byte[] encoded;
    private ImageDecoder decoder;

    @Setup
    public void setUp() {
        String[] size = input.split("-")[1].split("x");
        int width = Integer.parseInt(size[0]);
        int height = Integer.parseInt(size[1]);
        encoded =
                input.endsWith("png")
                        ? BenchmarkImages.photoPng(width, height)
                        : BenchmarkImages.photoJpeg(width, height);
        decoder = new ImageDecoder(DecodeLimits.DEFAULTS);
    }

    @Benchmark
    public RgbImage fullDecode() throws ImageRejectedException {
        return decoder.decode(encoded, input).pixels();
    }

    @Benchmark
    public RgbImage thumbnailDecode() throws ImageRejectedException {
        return decoder.decodeThumbnail(encoded, input, GATE_MIN_SIDE).pixels();
    }

    /** Runs this benchmark; JMH command-line options (e.g. {@code -f 2 -i 3}) override defaults. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        JmhMain.run(ThumbnailDecodeBenchmark.class, args);
    }
}
