package dev.glimpse.serving.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlimpseCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        return GlimpseCli.standard()
                .run(
                        List.of(args),
                        new BufferedReader(new StringReader(stdin)),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void slicesPrintsOneJsonObjectPerSizeArgumentPair() {
        int code = run("", "slices", "1920", "1080", "448", "448");

        assertThat(code).isZero();
        assertThat(stdout())
                .isEqualTo(
                        "{\"width\":1920,\"height\":1080,\"grid\":[4,2],\"overview\":[602,336],\"slice\":[420,476],\"tokens\":576}\n"
                                + "{\"width\":448,\"height\":448,\"grid\":null,\"overview\":[448,448],\"slice\":null,\"tokens\":64}\n");
    }

    @Test
    void slicesReadsSizesFromStdinWhenNoneAreGiven() {
        int code = run("2480 3508\n\n100 100\n", "slices");

        assertThat(code).isZero();
        assertThat(stdout().lines())
                .containsExactly(
                        "{\"width\":2480,\"height\":3508,\"grid\":[2,4],\"overview\":[378,532],\"slice\":[532,378],\"tokens\":576}",
                        "{\"width\":100,\"height\":100,\"grid\":null,\"overview\":[448,448],\"slice\":null,\"tokens\":64}");
    }

    @Test
    void slicesFlagsChangeScaleBudgetAndQueries() {
        int code =
                run(
                        "",
                        "slices",
                        "--scale",
                        "112",
                        "--max-slices=4",
                        "--query-num",
                        "16",
                        "640",
                        "480");

        assertThat(code).isZero();
        assertThat(stdout())
                .isEqualTo(
                        "{\"width\":640,\"height\":480,\"grid\":[2,2],\"overview\":[126,98],\"slice\":[126,98],\"tokens\":80}\n");
    }

    @Test
    void aBadStdinLineIsAUsageErrorNamingTheLine() {
        int code = run("640 480\n12 x\n", "slices");

        assertThat(code).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith(
                        "glimpse slices: stdin line 2: expected two positive integers W H, got '12 x'\n")
                .contains("usage: glimpse slices");
    }

    @Test
    void anInvalidConfigurationIsAUsageError() {
        int code = run("", "slices", "--scale", "112", "--patch", "224", "10", "10");

        assertThat(code).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith(
                        "glimpse slices: patchSize must be in [1, scaleResolution=112] pixels, got 224");
    }

    @Test
    void anUnknownCommandListsTheCommands() {
        int code = run("", "summarize");

        assertThat(code).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith(
                        "glimpse: unknown command 'summarize'\nusage: java -jar glimpse.jar <command> [args]")
                .contains("  slices ");
    }

    @Test
    void noCommandPrintsTheUsageAsAnError() {
        assertThat(run("")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr()).contains("commands:");
    }

    @Test
    void theUsageListsTheEngineCommands() {
        assertThat(run("", "--help")).isZero();
        assertThat(stdout())
                .contains("  caption ", "  ocr ", "  moderate ", "  analyze ", "  bench ");
    }

    @Test
    void captionWithoutFilesIsAUsageError() {
        assertThat(run("", "caption")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse caption: no image files given\n")
                .contains("usage: glimpse caption [options] FILE...");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void aPromptIsNotAnOptionOfModerate() {
        assertThat(run("", "moderate", "--prompt", "why?", "a.png"))
                .isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr()).startsWith("glimpse moderate: unknown option --prompt\n");
    }

    @Test
    void reviewBelowIsAnOptionOfOcrOnlyAndANumberBetweenZeroAndOne() {
        assertThat(run("", "caption", "--review-below", "0.3", "a.png"))
                .isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr()).startsWith("glimpse caption: unknown option --review-below\n");
        err.reset();
        assertThat(run("", "ocr", "--review-below", "1", "a.png")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith(
                        "glimpse ocr: --review-below expects a number between 0 and 1"
                                + " (exclusive), got '1'\n");
    }

    @Test
    void aNonPositiveMaxNewTokensIsAUsageError() {
        assertThat(run("", "ocr", "--max-new-tokens", "0", "a.png"))
                .isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse ocr: --max-new-tokens expects a positive integer, got '0'\n");
    }

    @Test
    void aModelDirectoryWithoutModelFilesIsAUsageError() {
        assertThat(run("", "caption", "--model", "no/such/model", "a.png"))
                .isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse caption: not a complete model directory")
                .contains("no/such/model");
    }

    @Test
    void analyzeWithoutARequestsFileIsAUsageError() {
        assertThat(run("", "analyze")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse analyze: --requests FILE is required\n")
                .contains("usage: glimpse analyze --requests FILE.jsonl");
    }

    @Test
    void aRequestsFileThatIsNotARegularFileIsAUsageErrorAndIsNotRead() {
        assertThat(run("", "analyze", "--requests", "/dev/zero")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith(
                        "glimpse analyze: NOT_A_REGULAR_FILE: /dev/zero: a device, pipe or socket;");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void theTimeoutMustBeAPositiveNumberOfSeconds() {
        assertThat(run("", "caption", "--timeout", "0", "a.png")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse caption: --timeout expects a positive integer, got '0'\n");
    }

    @Test
    void benchRejectsAnUnknownTask() {
        assertThat(run("", "bench", "--task", "moderation")).isEqualTo(GlimpseCli.EXIT_USAGE);
        assertThat(stderr())
                .startsWith("glimpse bench: --task expects caption or ocr, got 'moderation'\n");
    }
}
