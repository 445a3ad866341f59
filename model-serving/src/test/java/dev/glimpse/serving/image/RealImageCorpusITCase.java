package dev.glimpse.serving.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Decodes every file of the shared real-image corpus and checks the outcome its README expects:
 * "decodes" gives pixels of the observed size, "must be rejected cleanly" gives an {@link
 * ImageRejectedException}, "either" allows both, and nothing else may escape. Runs in its own
 * surefire execution with {@code -Xmx256m} to show that hostile headers are not allocated.
 *
 * <p>The corpus lives next to the repository ({@code ../shared/testdata/real-images} from the
 * repository root), resolved from the module directory; the test fails if it is missing.
 */
class RealImageCorpusITCase {

    private static final Pattern ROW =
            Pattern.compile("^\\| (\\d+) \\| `([^`]+)` \\|.*\\| ([^|]+) \\| ([^|]+) \\|$");
    private static final Pattern OBSERVED_SIZE = Pattern.compile("^decodes (\\d+)x(\\d+)");

    private record Row(int number, String path, String expected, String observed) {}

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULTS);

    static Path corpus() {
        Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dir = moduleDir.resolve("../../shared/testdata/real-images").normalize();
        if (!Files.isRegularFile(dir.resolve("README.md"))) {
            fail(
                    "real-image corpus not found at "
                            + dir
                            + " (expected ../shared/testdata/real-images next to the repository root)");
        }
        return dir;
    }

    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line :
                Files.readAllLines(corpus().resolve("README.md"), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(
                        new Row(
                                Integer.parseInt(m.group(1)),
                                m.group(2),
                                m.group(3).trim(),
                                m.group(4).trim()));
            }
        }
        return rows;
    }

    @Test
    void readmeListsEveryFileOfTheCorpus() throws IOException {
        List<String> listed = rows().stream().map(Row::path).sorted().toList();
        List<String> present;
        try (Stream<Path> files = Files.walk(corpus())) {
            present =
                    files.filter(Files::isRegularFile)
                            .map(p -> corpus().relativize(p).toString().replace('\\', '/'))
                            .filter(p -> !p.equals("README.md"))
                            .sorted()
                            .toList();
        }
        assertThat(listed).hasSize(118).isEqualTo(present);
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
    Stream<DynamicTest> everyFileGetsTheOutcomeItsReadmeExpects() throws IOException {
        return rows().stream()
                .filter(r -> !r.expected().equals("n/a"))
                .map(
                        r ->
                                DynamicTest.dynamicTest(
                                        "#" + r.number() + " " + r.path() + " " + r.expected(),
                                        () -> check(r)));
    }

    private void check(Row row) throws IOException {
        byte[] bytes = Files.readAllBytes(corpus().resolve(row.path()));
        switch (row.expected()) {
            case "decodes" -> {
                DecodedImage decoded;
                try {
                    decoded = decoder.decode(bytes, row.path());
                } catch (ImageRejectedException e) {
                    throw new AssertionError(
                            row.path() + " should decode but was rejected: " + e.getMessage(), e);
                }
                Matcher size = OBSERVED_SIZE.matcher(row.observed());
                if (size.find()) {
                    int w = Integer.parseInt(size.group(1));
                    int h = Integer.parseInt(size.group(2));
                    boolean swap = decoded.orientation().swapsSides();
                    assertThat(decoded.pixels().width())
                            .as(row.path() + " width")
                            .isEqualTo(swap ? h : w);
                    assertThat(decoded.pixels().height())
                            .as(row.path() + " height")
                            .isEqualTo(swap ? w : h);
                }
            }
            case "**must be rejected cleanly**" ->
                    assertThatThrownBy(() -> decoder.decode(bytes, row.path()))
                            .as(row.path())
                            .isInstanceOf(ImageRejectedException.class)
                            .hasMessageStartingWith(row.path() + ": ");
            case "either" -> {
                try {
                    decoder.decode(bytes, row.path());
                } catch (ImageRejectedException e) {
                    assertThat(e.getMessage()).startsWith(row.path() + ": ");
                }
            }
            default -> fail("unknown expectation '" + row.expected() + "' for " + row.path());
        }
    }
}
