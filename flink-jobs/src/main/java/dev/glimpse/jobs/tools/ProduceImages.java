package dev.glimpse.jobs.tools;

import dev.glimpse.jobs.kafka.ImageEventProducer;
import dev.glimpse.schemas.AnalysisTask;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends every image file of a directory as one {@link ImageEvent}: inline when it is at most {@code
 * --max-inline-bytes} (default 900 KB, under Kafka's 1 MB record limit), else as a {@code file://}
 * URI, which the job's TaskManagers must be able to read. Sets the schema version header.
 *
 * <pre>
 * ProduceImages --bootstrap-servers HOST:PORT --topic glimpse.images --task OCR
 *               [--source-id ID] [--prompt TEXT] [--max-inline-bytes N]
 *               [--command-config client.properties] DIR
 * </pre>
 *
 * {@code --command-config} holds the client's security settings, as for Kafka's own tools
 * (docs/kafka-security.md). Fails, naming the file and the cause, if any event is not acknowledged
 * (e.g. a principal without WRITE on the topic).
 */
public final class ProduceImages {

    static final long DEFAULT_MAX_INLINE_BYTES = 900L * 1024;

    static final String USAGE =
            "Usage: ProduceImages --bootstrap-servers HOST:PORT --topic TOPIC --task"
                    + " CAPTION|OCR|MODERATION [--source-id ID] [--prompt TEXT]"
                    + " [--max-inline-bytes N] "
                    + ToolArgs.COMMAND_CONFIG_USAGE
                    + " DIR";

    private static final Map<String, String> CONTENT_TYPES =
            Map.of(
                    "png", "image/png",
                    "jpg", "image/jpeg",
                    "jpeg", "image/jpeg",
                    "bmp", "image/bmp",
                    "gif", "image/gif",
                    "tif", "image/tiff",
                    "tiff", "image/tiff",
                    "webp", "image/webp");

    private ProduceImages() {}

    public static void main(String[] args) throws IOException {
        ToolArgs a =
                ToolArgs.parse(
                        args,
                        Set.of(
                                "--bootstrap-servers",
                                "--topic",
                                "--task",
                                "--source-id",
                                "--prompt",
                                "--max-inline-bytes",
                                ToolArgs.COMMAND_CONFIG),
                        USAGE);
        Properties props = a.clientProperties();
        String topic = a.required("--topic");
        AnalysisTask task = task(a.required("--task"));
        long maxInline = a.positiveLong("--max-inline-bytes", DEFAULT_MAX_INLINE_BYTES);
        if (a.positional().size() != 1) {
            throw new IllegalArgumentException("Expected one directory\n" + USAGE);
        }
        Path dir = Path.of(a.positional().get(0));
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "DIR " + dir.toAbsolutePath() + " is not a directory");
        }
        String sourceId = a.optional("--source-id", dir.toAbsolutePath().getFileName().toString());
        String prompt = a.optional("--prompt", null);

        List<Path> files = imageFiles(dir);
        int inline = 0;
        try (ImageEventProducer producer = new ImageEventProducer(props, topic)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Path file : files) {
                ImageEvent event = event(file, task, sourceId, prompt, maxInline);
                acks.add(producer.send(event));
                boolean isInline = event.getImage() instanceof InlineImage;
                inline += isInline ? 1 : 0;
                System.out.printf(
                        "%s -> %s (%s)%n",
                        file.getFileName(),
                        event.getEventId(),
                        isInline
                                ? "inline, " + Files.size(file) + " bytes"
                                : ((ImageReference) event.getImage()).getUri());
            }
            producer.flush();
            for (int i = 0; i < acks.size(); i++) {
                awaitAck(acks.get(i), files.get(i), topic);
            }
        }
        System.out.printf(
                "Sent %d %s events to %s (%d inline, %d by file:// URI).%n",
                files.size(), task, topic, inline, files.size() - inline);
    }

    private static void awaitAck(Future<RecordMetadata> ack, Path file, String topic) {
        try {
            ack.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Kafka did not accept "
                            + file.getFileName()
                            + " on topic "
                            + topic
                            + ": "
                            + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending " + file.getFileName(), e);
        }
    }

    /** The event for {@code file}: inline up to {@code maxInline} bytes, else by URI. */
    static ImageEvent event(
            Path file, AnalysisTask task, String sourceId, String prompt, long maxInline)
            throws IOException {
        long size = Files.size(file);
        String name = file.getFileName().toString();
        ImageEvent.Builder b =
                ImageEvent.newBuilder()
                        .setEventId(name + "-" + UUID.randomUUID().toString().substring(0, 8))
                        .setSourceId(sourceId)
                        .setEventTime(Instant.now())
                        .setTask(task.name())
                        .setPrompt(prompt)
                        .setContentType(CONTENT_TYPES.get(extension(name)))
                        .setAttributes(new HashMap<>(Map.of("file", name)));
        if (size <= maxInline) {
            b.setImage(new InlineImage(ByteBuffer.wrap(Files.readAllBytes(file))));
        } else {
            b.setImage(new ImageReference(file.toAbsolutePath().normalize().toUri().toString()));
        }
        return b.build();
    }

    /** Regular files of {@code dir} with an image extension, by name. */
    static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> CONTENT_TYPES.containsKey(extension(p.getFileName().toString())))
                    .sorted()
                    .toList();
        }
    }

    private static AnalysisTask task(String value) {
        try {
            return AnalysisTask.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--task must be one of "
                            + Arrays.toString(AnalysisTask.values())
                            + ", was '"
                            + value
                            + "'");
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
