package dev.glimpse.e2e;

import dev.glimpse.operators.gate.SkipRecords;
import dev.glimpse.schemas.AnalysisResult;
import dev.glimpse.schemas.Caption;
import dev.glimpse.schemas.DeadLetter;
import dev.glimpse.schemas.ModerationVerdict;
import dev.glimpse.schemas.OcrText;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.MalformedRecordException;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a job committed per event id (read_committed), as comparable strings: {@code result:<text>}
 * (caption or OCR text, or the flagged moderation categories), {@code dead:<reason>} or {@code
 * skip:<reason>}. Reads on its own thread from construction to {@link #close()}.
 *
 * <p>Outcomes are keyed by topic and offset: a consumer that re-reads a record (it resets to the
 * earliest offset when a restarted broker briefly reports a lower high watermark) does not make a
 * duplicate; two records for one event id at two offsets do.
 */
final class Outcomes implements AutoCloseable {

    private final Map<String, Map<String, String>> byId = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final AvroCodec<AnalysisResult> results = AvroCodec.of(AnalysisResult.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final Thread thread;
    private volatile boolean stopped;

    Outcomes(Properties kafka, String resultsTopic, String dlqTopic) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-outcomes-" + UUID.randomUUID());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = resultsTopic;
        consumer.subscribe(List.of(resultsTopic, dlqTopic));
        thread = new Thread(this::run, "e2e-outcomes-" + resultsTopic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    String where = r.topic() + "@" + r.offset();
                    try {
                        if (r.topic().equals(resultsTopic)) {
                            AnalysisResult result = results.decode(r.value(), version(r));
                            add(result.getEventId(), where, describe(result));
                        } else {
                            DeadLetter d = deadLetters.decode(r.value(), version(r));
                            add(String.valueOf(d.getEventId()), where, "dead:" + d.getReason());
                        }
                    } catch (MalformedRecordException | RuntimeException e) {
                        add("undecodable@" + where, where, "undecodable:" + e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // stopped
        } finally {
            consumer.close();
        }
    }

    private static int version(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(SchemaHistory.VERSION_HEADER);
        return Integer.parseInt(new String(h.value(), StandardCharsets.US_ASCII).strip());
    }

    private static String describe(AnalysisResult r) {
        if (SkipRecords.isSkip(r)) {
            return "skip:" + r.getSkipped().getReason();
        }
        Object out = r.getOutput();
        return "result:"
                + (out instanceof Caption c
                        ? c.getText()
                        : out instanceof OcrText o
                                ? o.getText()
                                : "flagged " + ((ModerationVerdict) out).getFlaggedCategories());
    }

    private void add(String id, String where, String outcome) {
        byId.computeIfAbsent(id, k -> new ConcurrentSkipListMap<>()).put(where, outcome);
    }

    /** Every outcome of {@code id} so far, one per record (more than one = a duplicate). */
    List<String> of(String id) {
        return List.copyOf(byId.getOrDefault(id, Map.of()).values());
    }

    /** Ids among {@code ids} with no outcome yet. */
    List<String> missing(Collection<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!byId.containsKey(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    /** Waits until every id in {@code ids} has an outcome, then 5 s for duplicates to show. */
    void awaitAll(Collection<String> ids, Duration timeout, Runnable check)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!missing(ids).isEmpty()) {
            check.run();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "No outcome after "
                                + timeout
                                + " for "
                                + missing(ids)
                                + " of "
                                + ids.size());
            }
            Thread.sleep(500);
        }
        Thread.sleep(5000);
    }

    /** Ids that have an outcome, any. */
    java.util.Set<String> ids() {
        return java.util.Set.copyOf(byId.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        consumer.wakeup();
        thread.join(30_000);
    }
}
