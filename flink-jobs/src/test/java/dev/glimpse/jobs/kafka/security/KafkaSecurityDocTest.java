package dev.glimpse.jobs.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.RepositoryRoot;
import dev.glimpse.jobs.config.KafkaOptions;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/kafka-security.md lists exactly the ACLs that {@link AclPolicy} grants. */
class KafkaSecurityDocTest {

    @Test
    void docListsEveryAclCommandForTheDefaultNamesAndNoOther() throws Exception {
        String images = KafkaOptions.IMAGES_TOPIC.defaultValue();
        String results = KafkaOptions.RESULTS_TOPIC.defaultValue();
        String dlq = KafkaOptions.DEAD_LETTER_TOPIC.defaultValue();
        AclPolicy policy =
                AclPolicy.job(
                                "glimpse-job",
                                images,
                                KafkaOptions.GROUP_ID.defaultValue(),
                                results,
                                dlq,
                                KafkaOptions.TRANSACTIONAL_ID_PREFIX.defaultValue())
                        .and(AclPolicy.producer("glimpse-producer", images))
                        .and(
                                AclPolicy.reader(
                                        "glimpse-reader",
                                        AclPolicy.TAIL_GROUP_PREFIX,
                                        results,
                                        dlq));

        List<String> documented =
                Files.readAllLines(RepositoryRoot.find().resolve("docs/kafka-security.md")).stream()
                        .filter(line -> line.startsWith("kafka-acls.sh "))
                        .toList();

        assertThat(documented).containsExactlyElementsOf(policy.kafkaAclsCommands());
    }
}
