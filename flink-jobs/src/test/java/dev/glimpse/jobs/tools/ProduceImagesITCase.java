package dev.glimpse.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.kafka.EmbeddedKafkaExtension;
import dev.glimpse.schemas.ImageEvent;
import dev.glimpse.schemas.ImageReference;
import dev.glimpse.schemas.InlineImage;
import dev.glimpse.schemas.codec.AvroCodec;
import dev.glimpse.schemas.codec.SchemaHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ProduceImagesITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void sendsEachImageFileInlineOrByUriWithTheVersionHeader(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a-small.png"), new byte[500]);
        Files.write(dir.resolve("b-large.JPG"), new byte[5000]);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        String topic = KAFKA.uniqueTopic("images");

        ProduceImages.main(
                new String[] {
                    "--bootstrap-servers",
                    KAFKA.broker().bootstrapServers(),
                    "--topic",
                    topic,
                    "--task",
                    "ocr",
                    "--max-inline-bytes",
                    "1000",
                    dir.toString()
                });

        List<ConsumerRecord<byte[], byte[]>> records = read(topic, 2);
        assertThat(records).hasSize(2);
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        ImageEvent small = codec.decode(records.get(0).value());
        ImageEvent large = codec.decode(records.get(1).value());
        assertThat(small.getTask()).isEqualTo("OCR");
        assertThat(small.getSourceId()).isEqualTo(dir.getFileName().toString());
        assertThat(small.getContentType()).isEqualTo("image/png");
        assertThat(small.getImage()).isInstanceOf(InlineImage.class);
        assertThat(((InlineImage) small.getImage()).getData().remaining()).isEqualTo(500);
        assertThat(large.getImage()).isInstanceOf(ImageReference.class);
        assertThat(((ImageReference) large.getImage()).getUri())
                .startsWith("file:/")
                .endsWith("/b-large.JPG");
        assertThat(large.getContentType()).isEqualTo("image/jpeg");
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(
                            new String(
                                    r.headers().lastHeader(SchemaHistory.VERSION_HEADER).value(),
                                    StandardCharsets.US_ASCII))
                    .isEqualTo(Integer.toString(SchemaHistory.currentVersion(ImageEvent.class)));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
        Properties props = KAFKA.broker().clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "produce-images-it");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
