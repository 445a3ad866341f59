package dev.glimpse.jobs.config;

import dev.glimpse.jobs.kafka.security.ClientSecrets;
import dev.glimpse.operators.TaskSettings;
import dev.glimpse.operators.analyze.EngineSettings;
import dev.glimpse.operators.gate.FrameGateConfig;
import dev.glimpse.operators.preprocess.ImageFetchSettings;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.serving.image.DecodeLimits;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Every setting of a Glimpse job, typed and validated once: errors name the key and what was
 * expected. Built from a {@link ConfigSource} (YAML file + flags) through the options of {@link
 * GlimpseOptions#ALL} (key, default, description and validation of each setting; the README's
 * configuration reference is tested against them).
 *
 * @param kafka brokers, topics and client properties
 * @param modelDir the model directory (on every TaskManager)
 * @param tasks per-task slicing bound, default prompt, moderation categories and threshold
 * @param engine the shared engine per TaskManager
 * @param frameGate the per-camera gate (disabled: {@link FrameGateConfig#disabled()})
 * @param limits decode limits
 * @param pipeline parallelism, checkpoints, the async operator's bounds and Analyze's engine
 *     deadline and overload retries
 * @param images which image URIs may be read, and how (deadline, retries, threads)
 */
public record GlimpseJobConfig(
        Kafka kafka,
        String modelDir,
        Map<AnalysisTask, TaskSettings> tasks,
        EngineSettings engine,
        FrameGateConfig frameGate,
        DecodeLimits limits,
        Pipeline pipeline,
        ImageFetchSettings images)
        implements Serializable {

    /**
     * Kafka settings.
     *
     * @param properties passed verbatim to every consumer, producer and admin client (security...)
     * @param maxInlineBytes largest inline image accepted; larger ones must travel by URI
     * @param maxDeadLetterBytes undecodable records up to this size are copied into their dead
     *     letter (checked against the producer's max.request.size: {@link DeadLetterSizeCheck})
     */
    public record Kafka(
            String bootstrapServers,
            String imagesTopic,
            String resultsTopic,
            String deadLetterTopic,
            String groupId,
            String transactionalIdPrefix,
            Duration transactionTimeout,
            Map<String, String> properties,
            long maxInlineBytes,
            int maxDeadLetterBytes)
            implements Serializable {

        /** Client properties: bootstrap servers plus {@code kafka.properties.*}. */
        public Properties clientProperties() {
            Properties p = new Properties();
            p.putAll(properties);
            p.put("bootstrap.servers", bootstrapServers);
            return p;
        }

        /** The settings with secret client properties (passwords, JAAS lines, keys) hidden. */
        @Override
        public String toString() {
            return "Kafka[bootstrapServers=%s, topics=%s/%s/%s, groupId=%s, transactionalIdPrefix=%s, properties=%s]"
                    .formatted(
                            bootstrapServers,
                            imagesTopic,
                            resultsTopic,
                            deadLetterTopic,
                            groupId,
                            transactionalIdPrefix,
                            ClientSecrets.redact(properties));
        }
    }

    /**
     * Job-level settings.
     *
     * @param asyncCapacity in-flight requests per Analyze subtask
     * @param asyncTimeout the async operator's timeout (must exceed requestTimeout plus the
     *     overload retries)
     * @param requestTimeout engine-side deadline per request
     * @param maxOverloadRetries Analyze's resubmissions of a request the engine refused as
     *     overloaded, before an OVERLOADED dead letter
     * @param overloadRetryDelay Analyze's pause before each resubmission
     * @param checkpointTimeout a checkpoint not complete within this fails
     * @param unalignedCheckpoints barriers overtake queued records (checkpoints complete under
     *     backpressure)
     */
    public record Pipeline(
            int parallelism,
            Duration checkpointInterval,
            int asyncCapacity,
            Duration asyncTimeout,
            Duration requestTimeout,
            String checkpointDir,
            int maxOverloadRetries,
            Duration overloadRetryDelay,
            Duration checkpointTimeout,
            boolean unalignedCheckpoints)
            implements Serializable {}

    /** The typed configuration of {@code source}; every key is checked. */
    public static GlimpseJobConfig from(ConfigSource source) {
        return from(new OptionValues(source.values()));
    }

    /**
     * The typed configuration of {@code values}; every key is checked, and afterwards {@code
     * values} tells which deprecated keys were read.
     */
    public static GlimpseJobConfig from(OptionValues values) {
        Kafka kafka = KafkaOptions.read(values);
        String modelDir = values.get(EngineOptions.MODEL_DIR);
        GlimpseJobConfig config =
                new GlimpseJobConfig(
                        kafka,
                        modelDir,
                        TaskOptions.read(values),
                        EngineOptions.read(values, modelDir),
                        FrameGateOptions.read(values),
                        DecodeLimitOptions.read(values),
                        PipelineOptions.read(values),
                        ImageOptions.read(values));
        values.rejectUnknown();
        return config;
    }
}
