package dev.glimpse.jobs.kafka.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.jobs.RepositoryRoot;
import dev.glimpse.jobs.config.GlimpseJobConfig;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/kafka-security.md lists exactly the ACLs that {@link AclPolicy} grants. */
class KafkaSecurityDocTest {

    @Test
    void docListsEveryAclCommandForTheDefaultNamesAndNoOther() throws Exception {
        Map<String, String> defaults =
                GlimpseJobConfig.KEYS.stream()
                        .collect(
                                Collectors.toMap(
                                        GlimpseJobConfig.Key::name,
                                        GlimpseJobConfig.Key::defaultValue));
        String images = defaults.get("kafka.topics.images");
        String results = defaults.get("kafka.topics.results");
        String dlq = defaults.get("kafka.topics.dlq");
        AclPolicy policy =
                AclPolicy.job(
                                "glimpse-job",
                                images,
                                defaults.get("kafka.groupId"),
                                results,
                                dlq,
                                defaults.get("kafka.transactionalIdPrefix"))
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
