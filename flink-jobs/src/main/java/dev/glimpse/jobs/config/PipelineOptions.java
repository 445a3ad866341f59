package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.bool;
import static dev.glimpse.jobs.config.GlimpseOption.duration;
import static dev.glimpse.jobs.config.GlimpseOption.integer;
import static dev.glimpse.jobs.config.GlimpseOption.string;

import java.time.Duration;

/**
 * The {@code pipeline.*} options: parallelism, checkpoints and the async Analyze operator's bounds
 * (not Flink's {@code org.apache.flink.configuration.PipelineOptions}).
 */
public final class PipelineOptions {

    private PipelineOptions() {}

    public static final GlimpseOption<Integer> PARALLELISM =
            integer("pipeline.parallelism", 1, 1, 32768, "Job parallelism.");

    public static final GlimpseOption<Duration> CHECKPOINT_INTERVAL =
            duration(
                    "pipeline.checkpointInterval",
                    "10 s",
                    "Checkpoint interval; results commit at each checkpoint.");

    public static final GlimpseOption<String> CHECKPOINT_DIR =
            string(
                    "pipeline.checkpointDir",
                    "",
                    "Checkpoint storage URI (file://, s3://); empty = the cluster's"
                            + " execution.checkpointing.dir, else the JobManager's memory (5 MB of"
                            + " state at most: too little for images in flight).");

    public static final GlimpseOption<Duration> CHECKPOINT_TIMEOUT =
            duration(
                    "pipeline.checkpointTimeout",
                    "10 min",
                    "A checkpoint not complete within this is declared failed"
                            + " (execution.checkpointing.timeout).");

    public static final GlimpseOption<Boolean> UNALIGNED_CHECKPOINTS =
            bool(
                    "pipeline.unalignedCheckpoints",
                    true,
                    "Unaligned checkpoints (execution.checkpointing.unaligned.enabled): barriers"
                            + " overtake the records queued in backpressured channels, so"
                            + " checkpoints complete under overload; those records are stored in"
                            + " the checkpoint.");

    public static final GlimpseOption<Integer> ASYNC_CAPACITY =
            integer(
                    "pipeline.asyncCapacity",
                    32,
                    1,
                    1 << 16,
                    "In-flight requests per Analyze subtask.");

    public static final GlimpseOption<Duration> ASYNC_TIMEOUT =
            duration(
                    "pipeline.asyncTimeout",
                    "120 s",
                    "Async operator timeout (TIMEOUT dead letter); must exceed engine.requestTimeout plus"
                            + " the overload retries (engine.maxOverloadRetries x"
                            + " engine.overloadRetryDelay).");

    /** The pipeline settings in {@code values} (with Analyze's engine timeout and retries). */
    static GlimpseJobConfig.Pipeline read(OptionValues values) {
        GlimpseJobConfig.Pipeline pipeline =
                new GlimpseJobConfig.Pipeline(
                        values.get(PARALLELISM),
                        values.get(CHECKPOINT_INTERVAL),
                        values.get(ASYNC_CAPACITY),
                        values.get(ASYNC_TIMEOUT),
                        values.get(EngineOptions.REQUEST_TIMEOUT),
                        values.get(CHECKPOINT_DIR),
                        values.get(EngineOptions.MAX_OVERLOAD_RETRIES),
                        values.get(EngineOptions.OVERLOAD_RETRY_DELAY),
                        values.get(CHECKPOINT_TIMEOUT),
                        values.get(UNALIGNED_CHECKPOINTS));
        // A request may wait out every overload retry and then its whole engine deadline (each
        // resubmission gets a fresh one): the async timeout must outlast both.
        Duration retrying =
                pipeline.overloadRetryDelay().multipliedBy(pipeline.maxOverloadRetries());
        if (pipeline.asyncTimeout().compareTo(pipeline.requestTimeout().plus(retrying)) <= 0) {
            throw new IllegalArgumentException(
                    ASYNC_TIMEOUT.key()
                            + " ("
                            + pipeline.asyncTimeout()
                            + ") must exceed "
                            + EngineOptions.REQUEST_TIMEOUT.key()
                            + " ("
                            + pipeline.requestTimeout()
                            + ") plus "
                            + EngineOptions.MAX_OVERLOAD_RETRIES.key()
                            + " x "
                            + EngineOptions.OVERLOAD_RETRY_DELAY.key()
                            + " ("
                            + retrying
                            + ") so that the engine gives up on a request first");
        }
        return pipeline;
    }
}
