package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Decodes every file of the repository's real-image corpus ({@link RealImageCorpus}) and checks the
 * outcome its {@code expected.tsv} gives: "decodes" gives pixels of the listed size, "rejected"
 * gives an {@link ImageRejectedException}, "either" allows both, and nothing else may escape. Runs
 * in its own surefire execution with {@code -Xmx256m} to show that hostile headers are not
 * allocated.
 */
class RealImageCorpusITCase {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    @Test
    void expectedTsvListsEveryFileOfTheCorpusWithItsExactSize() throws IOException {
        Path dir = RealImageCorpus.dir();
        List<String> listed =
                RealImageCorpus.entries().stream()
                        .map(RealImageCorpus.Entry::path)
                        .sorted()
                        .toList();
        List<String> present;
        try (Stream<Path> files = Files.walk(dir)) {
            present =
                    files.filter(Files::isRegularFile)
                            .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                            .filter(p -> !p.equals("README.md") && !p.equals("expected.tsv"))
                            .sorted()
                            .toList();
        }
        assertThat(listed).hasSize(118).isEqualTo(present);
        for (RealImageCorpus.Entry e : RealImageCorpus.entries()) {
            assertThat(Files.size(dir.resolve(e.path()))).as(e.path()).isEqualTo(e.bytes());
        }
    }

    @Test
    void runsWithTheSmallHeapOfItsOwnExecution() {
        String limitMb = System.getProperty("glimpse.corpus.heapLimitMb");
        if (limitMb != null) {
            assertThat(Runtime.getRuntime().maxMemory())
                    .isLessThanOrEqualTo(Long.parseLong(limitMb) * 1024 * 1024);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFileGetsTheOutcomeItsExpectedTsvGives() {
        return RealImageCorpus.entries().stream()
                .filter(e -> e.expected() != RealImageCorpus.Expected.N_A)
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        "#" + e.number() + " " + e.path() + " " + e.expected(),
                                        () -> check(e)));
    }

    private void check(RealImageCorpus.Entry entry) throws IOException {
        String path = entry.path();
        byte[] bytes = Files.readAllBytes(RealImageCorpus.dir().resolve(path));
        switch (entry.expected()) {
            case DECODES -> {
                DecodedImage decoded;
                try {
                    decoded = decoder.decode(bytes, path);
                } catch (ImageRejectedException e) {
                    throw new AssertionError(
                            path + " should decode but was rejected: " + e.getMessage(), e);
                }
                boolean swap = decoded.orientation().swapsSides();
                assertThat(decoded.pixels().width())
                        .as(path + " width")
                        .isEqualTo(swap ? entry.height() : entry.width());
                assertThat(decoded.pixels().height())
                        .as(path + " height")
                        .isEqualTo(swap ? entry.width() : entry.height());
            }
            case REJECTED ->
                    assertThatThrownBy(() -> decoder.decode(bytes, path))
                            .as(path)
                            .isInstanceOf(ImageRejectedException.class)
                            .hasMessageStartingWith(path + ": ");
            case EITHER -> {
                try {
                    decoder.decode(bytes, path);
                } catch (ImageRejectedException e) {
                    assertThat(e.getMessage()).startsWith(path + ": ");
                }
            }
            case N_A -> throw new AssertionError(path + " is not an image");
        }
    }
}
