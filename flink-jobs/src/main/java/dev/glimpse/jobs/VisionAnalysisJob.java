package dev.glimpse.jobs;

import dev.glimpse.jobs.config.ConfigSource;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import dev.glimpse.jobs.kafka.GlimpseKafka;
import dev.glimpse.operators.DeadLetterCounter;
import dev.glimpse.operators.DeadLetters;
import dev.glimpse.operators.analyze.AnalysisOutcome;
import dev.glimpse.operators.analyze.Analyze;
import dev.glimpse.operators.analyze.OutcomeRouter;
import dev.glimpse.operators.gate.FrameGate;
import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.operators.ingest.EventValidator;
import dev.glimpse.operators.ingest.IngestedRecord;
import dev.glimpse.operators.preprocess.FetchOutcome;
import dev.glimpse.operators.preprocess.ImageFetch;
import dev.glimpse.operators.preprocess.PreparedRequest;
import dev.glimpse.operators.preprocess.Preprocess;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ImageEvent;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Glimpse job: image events in, captions / OCR text / moderation verdicts out, dead letters
 * aside.
 *
 * <pre>
 * source ─► validate ─► keyBy(source id) ─► FrameGate ─► Fetch (async) ─► Preprocess ─► Analyze (async) ─► route ─► results sink
 *              │                                │  └──────────────── skip records ────────────────────────────────┼──────────┘
 *              │                                                         │                              │
 *              └──────────── dead letters (side outputs) ────────────────┴──────────────────────────────┴──► dead-letter sink
 * </pre>
 *
 * The source and both sinks are arguments, so tests wire their own; {@link #main} wires Kafka.
 * Every operator has a stable uid, so savepoints survive upgrades of the job.
 */
public final class VisionAnalysisJob {

    private final GlimpseJobConfig config;

    public VisionAnalysisJob(GlimpseJobConfig config) {
        this.config = config;
    }

    /** Adds the pipeline to {@code env} between {@code source} and the two sinks. */
    public void build(
            StreamExecutionEnvironment env,
            Source<IngestedRecord, ?, ?> source,
            Sink<AnalysisResult> results,
            Sink<DeadLetter> deadLetters) {
        GlimpseJobConfig.Pipeline pipeline = config.pipeline();
        env.setParallelism(pipeline.parallelism());
        env.enableCheckpointing(
                pipeline.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Under overload the Analyze operator's capacity is full and every channel before it
        // queues records: aligned barriers would wait behind them and checkpoints time out, so
        // barriers overtake them (the overtaken records are stored in the checkpoint) and the
        // Kafka source, whose output is blocked, simply reads more slowly.
        Configuration checkpoints = new Configuration();
        checkpoints.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, pipeline.checkpointTimeout());
        checkpoints.set(CheckpointingOptions.ENABLE_UNALIGNED, pipeline.unalignedCheckpoints());
        env.configure(checkpoints);
        if (!pipeline.checkpointDir().isBlank()) {
            // The async operator's in-flight requests (decoded slices) are checkpoint state: the
            // JobManager's in-memory storage caps a task's state at 5 MB, which 32 in-flight
            // captions already approach, so anything beyond a toy needs file storage.
            Configuration storage = new Configuration();
            storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, pipeline.checkpointDir());
            env.configure(storage);
        }

        SingleOutputStreamOperator<ImageEvent> valid =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "image-events")
                        .uid("image-events")
                        .process(new EventValidator(config.kafka().maxInlineBytes()))
                        .name("validate")
                        .uid("validate");

        SingleOutputStreamOperator<ImageEvent> gated =
                valid.keyBy(ImageEvent::getSourceId)
                        .process(new FrameGate(config.frameGate(), config.limits()))
                        .name("frame-gate")
                        .uid("frame-gate");

        // Off the task thread: a URI read that hangs holds its own event only (docs/security.md).
        DataStream<FetchOutcome> fetched =
                AsyncDataStream.unorderedWait(
                                gated,
                                new ImageFetch(config.images(), config.limits().maxEncodedBytes()),
                                config.images().asyncTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                config.images().capacity())
                        .name("fetch")
                        .uid("fetch");

        SingleOutputStreamOperator<PreparedRequest> prepared =
                fetched.process(new Preprocess(config.modelDir(), config.limits(), config.tasks()))
                        .name("preprocess")
                        .uid("preprocess");

        DataStream<AnalysisOutcome> analyzed =
                AsyncDataStream.unorderedWait(
                                prepared,
                                new Analyze(
                                        config.engine(),
                                        config.tasks(),
                                        pipeline.requestTimeout(),
                                        pipeline.maxOverloadRetries(),
                                        pipeline.overloadRetryDelay().toMillis()),
                                pipeline.asyncTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                pipeline.asyncCapacity())
                        .name("analyze")
                        .uid("analyze");

        SingleOutputStreamOperator<AnalysisResult> routed =
                analyzed.process(new OutcomeRouter()).name("route-outcomes").uid("route-outcomes");

        // The gate's skip records share the results topic, so every event id is accounted for.
        routed.union(gated.getSideOutput(SkipRecords.OUTPUT))
                .sinkTo(results)
                .name("results")
                .uid("results-sink");

        valid.getSideOutput(DeadLetters.OUTPUT)
                .union(
                        prepared.getSideOutput(DeadLetters.OUTPUT),
                        routed.getSideOutput(DeadLetters.OUTPUT))
                .map(new DeadLetterCounter())
                .name("count-dead-letters")
                .uid("count-dead-letters")
                .sinkTo(deadLetters)
                .name("dead-letters")
                .uid("dead-letters-sink");
    }

    /** Adds the pipeline to {@code env} between the configured Kafka topics. */
    public void buildOnKafka(StreamExecutionEnvironment env) {
        build(
                env,
                GlimpseKafka.source(config.kafka()),
                GlimpseKafka.resultSink(config.kafka()),
                GlimpseKafka.deadLetterSink(config.kafka()));
    }

    /** Cluster entry point: {@code --config glimpse.yaml} and/or flags (see README.md). */
    public static void main(String[] args) throws Exception {
        GlimpseJobConfig config = GlimpseJobConfig.from(ConfigSource.fromArgs(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new VisionAnalysisJob(config).buildOnKafka(env);
        env.execute("glimpse-vision-analysis");
    }
}
