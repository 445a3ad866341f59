package dev.glimpse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.analyze.EngineSettings;
import dev.glimpse.operators.gate.FrameGateConfig;
import dev.glimpse.operators.preprocess.ImageFetchSettings;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.serving.engine.kv.KvStyle;
import dev.glimpse.serving.image.DecodeLimits;
import dev.glimpse.serving.model.ExecutorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlimpseJobConfigTest {

    private static final Map<String, String> REQUIRED =
            Map.of("kafka.bootstrapServers", "broker:9092", "model.dir", "/opt/model");

    private static GlimpseJobConfig config(String... keyValues) {
        Map<String, String> values = new HashMap<>(REQUIRED);
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return GlimpseJobConfig.from(ConfigSource.of(values));
    }

    private static void rejects(String message, String... keyValues) {
        assertThatThrownBy(() -> config(keyValues))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void onlyTheBrokersAndTheModelDirectoryAreRequiredEverythingElseHasItsDefault() {
        GlimpseJobConfig c = config();

        assertThat(c.kafka())
                .isEqualTo(
                        new GlimpseJobConfig.Kafka(
                                "broker:9092",
                                "glimpse.images",
                                "glimpse.results",
                                "glimpse.dlq",
                                "glimpse",
                                "glimpse",
                                Duration.ofMinutes(15),
                                Map.of(),
                                8_388_608L,
                                983_040));
        assertThat(c.modelDir()).isEqualTo("/opt/model");
        assertThat(c.tasks()).isEmpty();
        assertThat(c.engine())
                .isEqualTo(
                        EngineSettings.builder("/opt/model")
                                .maxNumSeqs(16)
                                .maxNumBatchedTokens(1024)
                                .maxQueuedRequests(256)
                                .maxImagesPerVisionRun(8)
                                .numKvBlocks(2048)
                                .prefixCaching(true)
                                .encoderCacheBytes(64L << 20)
                                .tryCuda(false)
                                .intraOpThreads(2)
                                .metricsPort(-1)
                                .metricsHost("127.0.0.1")
                                .decoderStyle(null)
                                .build());
        assertThat(c.frameGate()).isEqualTo(FrameGateConfig.DEFAULTS);
        assertThat(c.limits()).isEqualTo(DecodeLimits.DEFAULTS);
        assertThat(c.pipeline())
                .isEqualTo(
                        new GlimpseJobConfig.Pipeline(
                                1,
                                Duration.ofSeconds(10),
                                32,
                                Duration.ofSeconds(120),
                                Duration.ofSeconds(60),
                                "",
                                20,
                                Duration.ofMillis(50),
                                Duration.ofMinutes(10),
                                true));
    }

    @Test
    void missingBootstrapServersIsReported() {
        assertThatThrownBy(
                        () ->
                                GlimpseJobConfig.from(
                                        ConfigSource.of(Map.of("model.dir", "/opt/model"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kafka.bootstrapServers is required");
        assertThatThrownBy(
                        () ->
                                GlimpseJobConfig.from(
                                        ConfigSource.of(
                                                Map.of(
                                                        "kafka.bootstrapServers", " ",
                                                        "model.dir", "/m"))))
                .hasMessage("kafka.bootstrapServers is required");
    }

    @Test
    void missingModelDirIsReported() {
        assertThatThrownBy(
                        () ->
                                GlimpseJobConfig.from(
                                        ConfigSource.of(Map.of("kafka.bootstrapServers", "b:1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.dir is required");
    }

    @Test
    void anUnknownKeyIsRejectedByName() {
        rejects(
                "Unknown configuration key 'kafka.topic.images' (see the configuration reference in README.md)",
                "kafka.topic.images",
                "x");
        rejects(
                "Unknown configuration key 'tasks.captions.maxSlices' (see the configuration reference in README.md)",
                "tasks.captions.maxSlices",
                "2");
    }

    @Test
    void anUnknownTaskKeyIsRejectedNamingTheKeysOfThatTask() {
        rejects(
                "Unknown key tasks.caption.maxSlice; expected one of [deadline, maxSlices, priority, prompt]",
                "tasks.caption.maxSlice",
                "2");
        rejects(
                "Unknown key tasks.ocr.threshold; expected one of [deadline, maxSlices, priority, prompt, reviewBelow]",
                "tasks.ocr.threshold",
                "0.5");
        rejects(
                "Unknown key tasks.moderation.question; expected one of [categories, deadline, maxSlices, priority, prompt, threshold]",
                "tasks.moderation.question",
                "x");
    }

    @Test
    void badValuesAreRejectedNamingKeyAndValue() {
        rejects(
                "pipeline.checkpointInterval must be a duration such as '10 s', '500 ms' or '5 min', was 'often'",
                "pipeline.checkpointInterval",
                "often");
        rejects(
                "pipeline.parallelism must be an integer, was 'two'",
                "pipeline.parallelism",
                "two");
        rejects("pipeline.parallelism must be in [1, 32768], was 0", "pipeline.parallelism", "0");
        rejects(
                "engine.prefixCaching must be true or false, was 'yes'",
                "engine.prefixCaching",
                "yes");
        rejects("kafka.maxInlineBytes must be > 0, was 0", "kafka.maxInlineBytes", "0");
        rejects("engine.encoderCacheBytes must be >= 0, was -1", "engine.encoderCacheBytes", "-1");
        rejects(
                "engine.executionProvider must be CPU or CUDA, was 'TPU'",
                "engine.executionProvider",
                "TPU");
        rejects(
                "engine.decoderStyle must be auto, gqa or concat, was 'flash'",
                "engine.decoderStyle",
                "flash");
        rejects(
                "frameGate.tasks must list tasks of [CAPTION, OCR, MODERATION], was 'faces'",
                "frameGate.tasks",
                "caption,faces");
    }

    @Test
    void valuesAreTrimmedAndBooleansAndProvidersIgnoreCase() {
        GlimpseJobConfig c =
                config(
                        "engine.prefixCaching", " FALSE ",
                        "engine.executionProvider", "cuda",
                        "pipeline.parallelism", " 4 ");

        assertThat(c.engine().prefixCaching()).isFalse();
        assertThat(c.engine().tryCuda()).isTrue();
        assertThat(c.pipeline().parallelism()).isEqualTo(4);
    }

    @Test
    void theDecoderGraphIsTheModelsChoiceUnlessNamed() {
        assertThat(config().engine().decoderStyle()).isNull();
        assertThat(config("engine.decoderStyle", "AUTO").engine().decoderStyle()).isNull();
        assertThat(config("engine.decoderStyle", " concat ").engine().executorOptions(-1))
                .isEqualTo(new ExecutorOptions(false, 0, 2, KvStyle.CONCAT));
        assertThat(config("engine.decoderStyle", "gqa").engine().decoderStyle())
                .isEqualTo(KvStyle.SHARED);
    }

    @Test
    void aDeadLetterCopyCapBeyondAnIntIsRejectedRatherThanWrapped() {
        rejects(
                "kafka.maxDeadLetterBytes must be at most 2147483647, was 3000000000",
                "kafka.maxDeadLetterBytes",
                "3000000000");
    }

    @Test
    void aLargerDeadLetterCapNeedsALargerProducerRequest() {
        assertThat(
                        config(
                                        "kafka.maxDeadLetterBytes", "16711680",
                                        "kafka.properties.max.request.size", "16777216")
                                .kafka()
                                .maxDeadLetterBytes())
                .isEqualTo(16_711_680);
        assertThatThrownBy(() -> config("kafka.maxDeadLetterBytes", "16711680"))
                .hasMessageContaining("kafka.maxDeadLetterBytes (16711680)")
                .hasMessageContaining(
                        "kafka.properties.max.request.size (1048576, Kafka's default)");
    }

    @Test
    void theAsyncTimeoutMustExceedTheEngineRequestTimeoutPlusTheOverloadRetries() {
        rejects(
                "pipeline.asyncTimeout (PT1M1S) must exceed engine.requestTimeout (PT1M) plus engine.maxOverloadRetries x engine.overloadRetryDelay (PT1S) so that the engine gives up on a request first",
                "pipeline.asyncTimeout",
                "61 s");
        rejects(
                "pipeline.asyncTimeout (PT30S) must exceed engine.requestTimeout (PT1M) plus engine.maxOverloadRetries x engine.overloadRetryDelay (PT1S) so that the engine gives up on a request first",
                "pipeline.asyncTimeout",
                "30 s");
        assertThat(
                        config("pipeline.asyncTimeout", "62 s", "engine.requestTimeout", "1 min")
                                .pipeline()
                                .asyncTimeout())
                .isEqualTo(Duration.ofSeconds(62));
        assertThat(
                        config(
                                        "pipeline.asyncTimeout", "61 s",
                                        "engine.requestTimeout", "1 min",
                                        "engine.maxOverloadRetries", "0")
                                .pipeline()
                                .asyncTimeout())
                .isEqualTo(Duration.ofSeconds(61));
    }

    @Test
    void theAdmissionCapsAndTheKvMemoryBudgetReachTheEngine() {
        GlimpseJobConfig c =
                config(
                        "engine.maxCategories", "4",
                        "engine.maxCategoryChars", "20",
                        "engine.kvMemoryBytes", "67108864");
        assertThat(c.engine().engineConfig().maxCategories()).isEqualTo(4);
        assertThat(c.engine().engineConfig().maxCategoryChars()).isEqualTo(20);
        assertThat(c.engine().engineConfig().kvMemoryBytes()).isEqualTo(64L << 20);
        assertThat(config().engine().engineConfig().maxCategories()).isEqualTo(32);
        rejects("engine.maxCategories must be in [1, 4096], was 0", "engine.maxCategories", "0");
    }

    @Test
    void theOverloadRetriesAreConfigurable() {
        GlimpseJobConfig.Pipeline p =
                config("engine.maxOverloadRetries", "3", "engine.overloadRetryDelay", "2 s")
                        .pipeline();

        assertThat(p.maxOverloadRetries()).isEqualTo(3);
        assertThat(p.overloadRetryDelay()).isEqualTo(Duration.ofSeconds(2));
        rejects(
                "engine.maxOverloadRetries must be in [0, 100000], was -1",
                "engine.maxOverloadRetries",
                "-1");
        rejects(
                "engine.overloadRetryDelay must be at least 1 ms, was '0 ms'",
                "engine.overloadRetryDelay",
                "0 ms");
    }

    @Test
    void taskSectionsBecomeTaskSettings() {
        GlimpseJobConfig c =
                config(
                        "tasks.caption.maxSlices", "2",
                        "tasks.caption.prompt", "  What changed?  ",
                        "tasks.moderation.categories", "skull, weapons,,",
                        "tasks.moderation.threshold", "0.75",
                        "tasks.moderation.maxSlices", "1");

        assertThat(c.tasks())
                .containsOnlyKeys(AnalysisTask.CAPTION, AnalysisTask.MODERATION)
                .containsEntry(
                        AnalysisTask.CAPTION, new TaskSettings(2, "What changed?", List.of(), null))
                .containsEntry(
                        AnalysisTask.MODERATION,
                        new TaskSettings(1, "", List.of("skull", "weapons"), 0.75));
    }

    @Test
    void ocrReviewBelowMarksResultsUnderItAndMustBeAProbability() {
        assertThat(
                        config("tasks.ocr.reviewBelow", "0.35")
                                .tasks()
                                .get(AnalysisTask.OCR)
                                .reviewThreshold())
                .contains(0.35);
        rejects("tasks.ocr.reviewBelow must be in (0, 1), was 1.5", "tasks.ocr.reviewBelow", "1.5");
    }

    @Test
    void maxSlicesMustBeOneToNine() {
        rejects("tasks.ocr.maxSlices must be in [1, 9], was 0", "tasks.ocr.maxSlices", "0");
        rejects("tasks.ocr.maxSlices must be in [1, 9], was 10", "tasks.ocr.maxSlices", "10");
        assertThat(config("tasks.ocr.maxSlices", "9").tasks().get(AnalysisTask.OCR).maxSlices())
                .isEqualTo(9);
    }

    @Test
    void theThresholdMustBeAProbabilityStrictlyBetweenZeroAndOne() {
        rejects(
                "tasks.moderation.threshold must be in (0, 1), was 1.0",
                "tasks.moderation.threshold",
                "1");
        rejects(
                "tasks.moderation.threshold must be in (0, 1), was 0.0",
                "tasks.moderation.threshold",
                "0");
        rejects(
                "tasks.moderation.threshold must be a number, was 'high'",
                "tasks.moderation.threshold",
                "high");
    }

    @Test
    void aDisabledFrameGateLetsEverythingThroughEvenWithItsSettingsPresent() {
        assertThat(config("frameGate.enabled", "false").frameGate())
                .isEqualTo(FrameGateConfig.disabled());
        assertThat(
                        config(
                                        "frameGate.enabled", "false",
                                        "frameGate.maxAge", "1 min",
                                        "frameGate.tasks", "CAPTION,OCR")
                                .frameGate())
                .isEqualTo(FrameGateConfig.disabled());
    }

    @Test
    void frameGateSettingsAreParsed() {
        assertThat(
                        config(
                                        "frameGate.tasks", "caption, ocr",
                                        "frameGate.maxAge", "0 s",
                                        "frameGate.minInterval", "1 s",
                                        "frameGate.duplicateDistance", "-1")
                                .frameGate())
                .isEqualTo(
                        new FrameGateConfig(
                                EnumSet.of(AnalysisTask.CAPTION, AnalysisTask.OCR),
                                Duration.ZERO,
                                Duration.ofSeconds(1),
                                -1,
                                Duration.ofHours(1)));
    }

    @Test
    void kafkaPropertiesArePassedToEveryClientWithTheBootstrapServers() {
        GlimpseJobConfig c =
                config(
                        "kafka.properties.security.protocol", "SASL_SSL",
                        "kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
                        "kafka.properties.bootstrap.servers", "ignored:1");

        Properties p = c.kafka().clientProperties();

        assertThat(p)
                .containsOnly(
                        org.assertj.core.api.Assertions.entry("security.protocol", "SASL_SSL"),
                        org.assertj.core.api.Assertions.entry("sasl.mechanism", "SCRAM-SHA-512"),
                        org.assertj.core.api.Assertions.entry("bootstrap.servers", "broker:9092"));
    }

    @Test
    void everyDocumentedKeyIsAccepted() {
        Map<String, String> values = new HashMap<>();
        for (GlimpseOption<?> option : GlimpseOptions.ALL) {
            String name = option.key();
            if (name.contains("<task>")) {
                String value =
                        switch (name.substring(name.lastIndexOf('.') + 1)) {
                            case "maxSlices" -> "3";
                            case "priority" -> "5";
                            case "deadline" -> "30 s";
                            default -> "q";
                        };
                values.put(name.replace("<task>", "ocr"), value);
            } else if (name.endsWith(".*")) {
                values.put(name.replace("*", "client.id"), "glimpse");
            } else if (name.equals("tasks.moderation.categories")) {
                values.put(name, "skull");
            } else if (name.equals("tasks.moderation.threshold")) {
                values.put(name, "0.6");
            } else if (name.equals("tasks.ocr.reviewBelow")) {
                values.put(name, "0.4");
            } else if (name.equals("images.allowedUris")) {
                values.put(name, "file:///data/images/, S3://bucket/frames/");
            } else {
                String d = option.defaultValue();
                values.put(name, d == null || d.isEmpty() ? "x" : d);
            }
        }

        GlimpseJobConfig c = GlimpseJobConfig.from(ConfigSource.of(values));

        assertThat(c.tasks().get(AnalysisTask.OCR))
                .isEqualTo(
                        new TaskSettings(3, "q", List.of(), null, 5, Duration.ofSeconds(30), 0.4));
        assertThat(c.kafka().properties()).containsEntry("client.id", "glimpse");
        assertThat(c.images().allowedUris().prefixes())
                .containsExactly("file:///data/images/", "s3://bucket/frames/");
    }

    @Test
    void imageUrisAreRefusedUnlessAllowedAndFetchesHaveBoundedDefaults() {
        GlimpseJobConfig c = config();

        assertThat(c.images().allowedUris().allowsNothing()).isTrue();
        assertThat(c.images().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.images().maxAttempts()).isEqualTo(3);
        assertThat(c.images().backoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.images().threads()).isEqualTo(4);
        assertThat(c.images().asyncTimeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void anAllowedUriPrefixThatIsNotADirectoryUriIsRejectedByName() {
        assertThatThrownBy(() -> config("images.allowedUris", "file:///data/images/,/etc/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "images.allowedUris: allowed image URI prefix '/etc/' must be an absolute"
                                + " URI whose path ends in '/'");
    }

    @Test
    void theEngineKeysCarryTheNamesOfTheEngineFields() {
        EngineSettings e =
                config(
                                "engine.maxNumSeqs", "8",
                                "engine.maxNumBatchedTokens", "256",
                                "engine.maxQueuedRequests", "100",
                                "engine.maxImagesPerVisionRun", "4",
                                "engine.numKvBlocks", "512")
                        .engine();

        assertThat(e.engineConfig())
                .isEqualTo(
                        e.engineConfig().toBuilder()
                                .maxNumSeqs(8)
                                .maxNumBatchedTokens(256)
                                .maxQueuedRequests(100)
                                .maxImagesPerVisionRun(4)
                                .numKvBlocks(512)
                                .build());
        assertThat(e.maxQueuedRequests()).isEqualTo(100);
        assertThat(e.maxImagesPerVisionRun()).isEqualTo(4);
        assertThat(e.numKvBlocks()).isEqualTo(512);
    }

    @Test
    void theOldEngineKeysStillWorkAsDeprecatedAliasesAndAreReported() {
        Map<String, String> values = new HashMap<>(REQUIRED);
        values.put("engine.batching.maxNumSeqs", "8");
        values.put("engine.batching.maxNumBatchedTokens", "256");
        values.put("engine.batching.maxWaitingRequests", "100");
        values.put("engine.batching.maxEncoderBatchSize", "4");
        values.put("engine.kvBlocks", "512");
        OptionValues options = new OptionValues(values);

        EngineSettings e = GlimpseJobConfig.from(options).engine();

        assertThat(e.maxNumSeqs()).isEqualTo(8);
        assertThat(e.maxNumBatchedTokens()).isEqualTo(256);
        assertThat(e.maxQueuedRequests()).isEqualTo(100);
        assertThat(e.maxImagesPerVisionRun()).isEqualTo(4);
        assertThat(e.numKvBlocks()).isEqualTo(512);
        assertThat(options.deprecatedKeysUsed())
                .isEqualTo(
                        Map.of(
                                "engine.batching.maxNumSeqs", "engine.maxNumSeqs",
                                "engine.batching.maxNumBatchedTokens", "engine.maxNumBatchedTokens",
                                "engine.batching.maxWaitingRequests", "engine.maxQueuedRequests",
                                "engine.batching.maxEncoderBatchSize",
                                        "engine.maxImagesPerVisionRun",
                                "engine.kvBlocks", "engine.numKvBlocks"));
    }

    @Test
    void aKeyAndItsDeprecatedNameMayNotDisagree() {
        rejects(
                "engine.maxQueuedRequests (100) and its deprecated name engine.batching.maxWaitingRequests (256) are both set; keep engine.maxQueuedRequests only",
                "engine.maxQueuedRequests",
                "100",
                "engine.batching.maxWaitingRequests",
                "256");
        assertThat(
                        config("engine.numKvBlocks", "512", "engine.kvBlocks", " 512 ")
                                .engine()
                                .numKvBlocks())
                .isEqualTo(512);
    }

    @Test
    void theNewKeysAloneReportNoDeprecation() {
        OptionValues options =
                new OptionValues(
                        Map.of(
                                "kafka.bootstrapServers",
                                "b:1",
                                "model.dir",
                                "/m",
                                "engine.numKvBlocks",
                                "64"));

        GlimpseJobConfig.from(options);

        assertThat(options.deprecatedKeysUsed()).isEmpty();
    }

    /**
     * glimpse.yaml as the Helm chart renders it with its default values (helm/glimpse/README.md,
     * "What the job receives").
     */
    private static final String CHART_YAML =
            """
            kafka:
              bootstrapServers: my-kafka-bootstrap:9092
              topics: {images: glimpse.images, results: glimpse.results, dlq: glimpse.dlq}
              properties:
                security.protocol: PLAINTEXT
            model:
              dir: /opt/glimpse/model
            tasks:
              caption: {maxSlices: 4, prompt: ""}
              ocr: {maxSlices: 9, prompt: ""}
              moderation: {maxSlices: 4, prompt: ""}
            images:
              allowedUris: ""
              fetch: {timeout: 10 s, maxAttempts: 3, backoff: 200 ms, threads: 4}
            engine:
              executionProvider: CPU
              maxNumSeqs: 16
              maxNumBatchedTokens: 2048
              maxImagesPerVisionRun: 8
              maxQueuedRequests: 256
              metrics: {port: 9250, host: 0.0.0.0}
            """;

    /** The chart's job arguments after --config (README: "What the job receives"). */
    private static String[] chartArgs(Path file) {
        return new String[] {
            "--config", file.toString(),
            "--bootstrap-servers", "my-kafka-bootstrap:9092",
            "--security-protocol", "PLAINTEXT",
            "--images-topic", "glimpse.images",
            "--results-topic", "glimpse.results",
            "--dlq-topic", "glimpse.dlq",
            "--model-dir", "/opt/glimpse/model",
            "--checkpoint-interval", "10 s",
            "--parallelism", "2"
        };
    }

    @Test
    void theHelmChartsConfigAndArgumentsParse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("glimpse.yaml");
        Files.writeString(file, CHART_YAML);

        OptionValues options = new OptionValues(ConfigSource.fromArgs(chartArgs(file)).values());
        GlimpseJobConfig c = GlimpseJobConfig.from(options);

        assertThat(c.kafka().bootstrapServers()).isEqualTo("my-kafka-bootstrap:9092");
        assertThat(c.kafka().imagesTopic()).isEqualTo("glimpse.images");
        assertThat(c.kafka().resultsTopic()).isEqualTo("glimpse.results");
        assertThat(c.kafka().deadLetterTopic()).isEqualTo("glimpse.dlq");
        assertThat(c.kafka().properties()).isEqualTo(Map.of("security.protocol", "PLAINTEXT"));
        assertThat(c.modelDir()).isEqualTo("/opt/glimpse/model");
        assertThat(c.tasks())
                .isEqualTo(
                        Map.of(
                                AnalysisTask.CAPTION,
                                new TaskSettings(4, "", List.of(), null),
                                AnalysisTask.OCR,
                                new TaskSettings(9, "", List.of(), null),
                                AnalysisTask.MODERATION,
                                new TaskSettings(4, "", List.of(), null)));
        assertThat(c.engine().tryCuda()).isFalse();
        assertThat(c.engine().maxNumSeqs()).isEqualTo(16);
        assertThat(c.engine().maxNumBatchedTokens()).isEqualTo(2048);
        assertThat(c.engine().maxQueuedRequests()).isEqualTo(256);
        assertThat(c.engine().metricsPort()).isEqualTo(9250);
        // The PodMonitor scrapes the engine endpoint from outside the pod.
        assertThat(c.engine().metricsHost()).isEqualTo("0.0.0.0");
        assertThat(c.engine().maxImagesPerVisionRun()).isEqualTo(8);
        assertThat(c.pipeline().checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pipeline().parallelism()).isEqualTo(2);
        assertThat(c.images()).isEqualTo(ImageFetchSettings.DEFAULTS);
        // The chart writes the current keys only.
        assertThat(options.deprecatedKeysUsed()).isEmpty();
    }
}
