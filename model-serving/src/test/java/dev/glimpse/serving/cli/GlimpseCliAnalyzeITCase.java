package dev.glimpse.serving.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glimpse.serving.model.ModelDirectory;
import dev.glimpse.serving.model.ModelManifest;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine commands of {@code glimpse.jar} on the bundled model (ONNX Runtime): outputs equal the
 * PyTorch reference of {@code golden/golden.json}.
 */
class GlimpseCliAnalyzeITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path model;
    private static JsonNode golden;

    /**
     * Visual tokens per image: the bundled model's {@code queryNum}, not a constant, so a re-export
     * may change it.
     */
    private static int queryNum;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void locateModel() throws Exception {
        model = ModelDirectory.locateBundled();
        assumeTrue(ModelDirectory.isComplete(model), "bundled model not present at " + model);
        golden = JSON.readTree(model.resolve("golden/golden.json").toFile()).get("cases");
        queryNum = ModelManifest.read(model.resolve("model.json")).vision().queryNum();
    }

    private int run(String... args) {
        return GlimpseCli.standard()
                .run(
                        List.of(args),
                        new BufferedReader(new StringReader("")),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String image(String name) {
        return model.resolve("golden").resolve(name).toString();
    }

    /** The golden case of an image and task (and category, for moderation). */
    private static JsonNode goldenCase(String image, String task, String category) {
        for (JsonNode c : golden) {
            if (c.get("image").asText().equals(image)
                    && c.get("task").asText().equals(task)
                    && (category == null || c.get("category").asText().equals(category))) {
                return c;
            }
        }
        return null;
    }

    @Test
    void captionPrintsTheGoldenTextsOfTwoGoldenImages() throws Exception {
        int code =
                run("caption", image("caption_112x112.png"), image("caption_210x150_sliced.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("file").asText()).isEqualTo(image("caption_112x112.png"));
        assertThat(lines.get(0).get("task").asText()).isEqualTo("caption");
        assertThat(lines.get(0).get("text").asText())
                .isEqualTo(
                        goldenCase("caption_112x112.png", "caption", null)
                                .get("outputText")
                                .asText());
        assertThat(lines.get(0).get("grid").isNull()).isTrue();
        assertThat(lines.get(0).get("tokens").get("visual").asInt()).isEqualTo(queryNum);
        // golden outputIds may end with the stop token, which the CLI does not count
        int goldenIds = goldenCase("caption_112x112.png", "caption", null).get("outputIds").size();
        assertThat(lines.get(0).get("tokens").get("generated").asInt())
                .isBetween(goldenIds - 1, goldenIds);
        assertThat(lines.get(1).get("text").asText())
                .isEqualTo(
                        goldenCase("caption_210x150_sliced.png", "caption", null)
                                .get("outputText")
                                .asText());
        assertThat(lines.get(1).get("grid").toString()).isEqualTo("[2,2]");
        assertThat(lines.get(1).get("tokens").get("visual").asInt()).isEqualTo(5 * queryNum);
        JsonNode timings = lines.get(1).get("timings");
        assertThat(timings.get("totalMs").asDouble()).isPositive();
        assertThat(timings.get("ttftMs").asDouble())
                .isLessThanOrEqualTo(timings.get("totalMs").asDouble());
    }

    @Test
    void ocrPrintsTheTextWithItsConfidencePerAnswerLineAndWord() throws Exception {
        int code = run("ocr", image("ocr_line_sliced.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode line = lines().get(0);
        String text = line.get("text").asText();
        double answerMin = line.get("confidence").get("min").asDouble();
        assertThat(answerMin).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(line.get("confidence").get("mean").asDouble()).isBetween(answerMin, 1.0);
        List<String> words = new ArrayList<>();
        for (JsonNode l : line.get("lines")) {
            assertThat(text).contains(l.get("text").asText());
            for (JsonNode w : l.get("words")) {
                words.add(w.get("text").asText());
                assertThat(w.get("min").asDouble())
                        .isBetween(l.get("min").asDouble(), w.get("mean").asDouble());
                assertThat(w.get("mean").asDouble()).isLessThanOrEqualTo(1.0);
            }
        }
        assertThat(words).containsExactly(text.trim().split("\\s+"));
    }

    @Test
    void ocrWithReviewBelowMarksTheAnswerExactlyWhenAPrintedWordMinIsUnderTheBar()
            throws Exception {
        // the greedy token is the argmax of 393: its probability is at least 1/393 > 0.001
        assertThat(run("ocr", "--review-below", "0.001", image("ocr_line_sliced.png"))).isZero();
        assertThat(run("ocr", "--review-below", "0.999", image("ocr_line_sliced.png"))).isZero();

        List<JsonNode> lines = lines();
        assertThat(lines.get(0).get("needsReview").asBoolean()).isFalse();
        double lowest = Double.MAX_VALUE;
        for (JsonNode l : lines.get(1).get("lines")) {
            for (JsonNode w : l.get("words")) {
                lowest = Math.min(lowest, w.get("min").asDouble());
            }
        }
        assertThat(lines.get(1).get("needsReview").asBoolean()).isEqualTo(lowest < 0.999);
        assertThat(lines.get(0).get("text")).isEqualTo(lines.get(1).get("text"));
    }

    @Test
    void captionPrintsItsConfidenceAndNoLines() throws Exception {
        int code = run("caption", image("caption_112x112.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode line = lines().get(0);
        assertThat(line.get("confidence").get("min").asDouble())
                .isGreaterThan(0)
                .isLessThanOrEqualTo(1);
        assertThat(line.has("lines")).isFalse();
    }

    @Test
    void ocrPrintsTheGoldenTextsOfTwoGoldenImages() throws Exception {
        int code = run("ocr", image("ocr_word.png"), image("ocr_line_sliced.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("task").asText()).isEqualTo("ocr");
        assertThat(lines.get(0).get("text").asText())
                .isEqualTo(goldenCase("ocr_word.png", "ocr", null).get("outputText").asText());
        assertThat(lines.get(0).get("grid").isNull()).isTrue();
        assertThat(lines.get(1).get("text").asText())
                .isEqualTo(
                        goldenCase("ocr_line_sliced.png", "ocr", null).get("outputText").asText());
        assertThat(lines.get(1).get("grid").toString()).isEqualTo("[3,1]");
        int lineIds = goldenCase("ocr_line_sliced.png", "ocr", null).get("outputIds").size();
        assertThat(lines.get(1).get("tokens").get("generated").asInt())
                .isBetween(lineIds - 1, lineIds);
    }

    @Test
    void maxNewTokensCapsTheCaption() throws Exception {
        int code = run("caption", "--max-new-tokens", "1", image("caption_112x112.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode line = lines().get(0);
        assertThat(line.get("text").asText()).isEqualTo("a");
        assertThat(line.get("tokens").get("generated").asInt()).isEqualTo(1);
    }

    @Test
    void moderatePrintsTheManifestCategoriesWithTheGoldenProbabilities() throws Exception {
        List<String> images =
                List.of("moderation_scene_skull.png", "moderation_page_biohazard.png");
        int code = run("moderate", image(images.get(0)), image(images.get(1)));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        int compared = 0;
        for (int i = 0; i < 2; i++) {
            JsonNode line = lines.get(i);
            assertThat(line.get("task").asText()).isEqualTo("moderation");
            assertThat(line.has("text")).isFalse();
            JsonNode verdict = line.get("verdict");
            List<String> categories = new ArrayList<>();
            List<String> flagged = new ArrayList<>();
            for (JsonNode s : verdict.get("scores")) {
                String category = s.get("category").asText();
                double p = s.get("probability").asDouble();
                categories.add(category);
                assertThat(s.get("flagged").asBoolean()).isEqualTo(p >= 0.5);
                if (p >= 0.5) {
                    flagged.add(category);
                }
                JsonNode c = goldenCase(images.get(i), "moderation", category);
                if (c != null) {
                    assertThat(p).as(category).isCloseTo(c.get("pYes").asDouble(), within(1e-4));
                    compared++;
                }
            }
            assertThat(categories).containsExactly("skull", "radiation", "biohazard", "weapons");
            assertThat(verdict.get("flaggedCategories").toString())
                    .isEqualTo(JSON.valueToTree(flagged).toString());
            assertThat(verdict.get("flagged").asBoolean()).isEqualTo(!flagged.isEmpty());
            assertThat(line.get("tokens").get("generated").asInt()).isEqualTo(4);
        }
        assertThat(compared).isEqualTo(4);
    }

    @Test
    void moderateScoresOnlyTheRequestedCategories() throws Exception {
        int code =
                run(
                        "moderate",
                        "--categories",
                        "radiation,skull",
                        image("moderation_scene_skull.png"));

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode scores = lines().get(0).get("verdict").get("scores");
        assertThat(scores).hasSize(2);
        assertThat(scores.get(0).get("category").asText()).isEqualTo("radiation");
        assertThat(scores.get(0).get("probability").asDouble())
                .isCloseTo(
                        goldenCase("moderation_scene_skull.png", "moderation", "radiation")
                                .get("pYes")
                                .asDouble(),
                        within(1e-4));
        assertThat(scores.get(1).get("category").asText()).isEqualTo("skull");
        assertThat(scores.get(1).get("probability").asDouble())
                .isCloseTo(
                        goldenCase("moderation_scene_skull.png", "moderation", "skull")
                                .get("pYes")
                                .asDouble(),
                        within(1e-4));
    }

    @Test
    void aCorruptFilePrintsAnErrorLineTheOthersStillRunAndTheExitCodeIsOne(@TempDir Path dir)
            throws Exception {
        byte[] png = Files.readAllBytes(Path.of(image("ocr_word.png")));
        for (int i = 40; i < png.length - 16; i++) {
            png[i] = (byte) 0x5a;
        }
        Path corrupt = dir.resolve("corrupt.png");
        Files.write(corrupt, png);

        int code = run("ocr", corrupt.toString(), image("ocr_word.png"));

        assertThat(code).isEqualTo(1);
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("file").asText()).isEqualTo(corrupt.toString());
        assertThat(lines.get(0).get("error").get("reason").asText()).isEqualTo("CORRUPT");
        assertThat(lines.get(0).get("error").get("message").asText())
                .startsWith(corrupt + ": CORRUPT: ");
        assertThat(lines.get(0).has("text")).isFalse();
        assertThat(lines.get(1).get("text").asText())
                .isEqualTo(goldenCase("ocr_word.png", "ocr", null).get("outputText").asText());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void aDeviceAFifoAndAnOversizedFileGetErrorLinesWithoutBeingReadAndTheOthersStillRun(
            @TempDir Path dir) throws Exception {
        Path fifo = InputFilesTest.mkfifo(dir.resolve("pipe.png"));
        Path big = dir.resolve("big.png");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(4L * 1024 * 1024 * 1024); // sparse
        }

        int code =
                run(
                        "ocr",
                        "--timeout",
                        "120",
                        "/dev/zero",
                        fifo.toString(),
                        big.toString(),
                        image("ocr_word.png"));

        assertThat(code).isEqualTo(1);
        List<JsonNode> lines = lines();
        assertThat(lines)
                .extracting(l -> l.get("file").asText())
                .containsExactly(
                        "/dev/zero", fifo.toString(), big.toString(), image("ocr_word.png"));
        assertThat(lines.subList(0, 3))
                .extracting(l -> l.get("error").get("reason").asText())
                .containsExactly("NOT_A_REGULAR_FILE", "NOT_A_REGULAR_FILE", "TOO_LARGE");
        assertThat(lines.get(3).get("text").asText())
                .isEqualTo(goldenCase("ocr_word.png", "ocr", null).get("outputText").asText());
    }

    @Test
    void benchPrintsOneLinePerConcurrencyWithPositiveThroughput() throws Exception {
        int code = run("bench", "--images", "4", "--concurrency", "1,4", "--max-new-tokens", "4");

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("concurrency").asInt()).isEqualTo(1);
        assertThat(lines.get(1).get("concurrency").asInt()).isEqualTo(4);
        for (JsonNode line : lines) {
            assertThat(line.get("task").asText()).isEqualTo("caption");
            assertThat(line.get("images").asInt()).isEqualTo(4);
            assertThat(line.get("maxNewTokens").asInt()).isEqualTo(4);
            assertThat(line.get("imagesPerSecond").asDouble()).isPositive();
            assertThat(line.get("tokensPerSecond").asDouble())
                    .isCloseTo(
                            line.get("imagesPerSecond").asDouble() * 4,
                            within(0.01 * line.get("tokensPerSecond").asDouble() + 0.01));
        }
    }
}
