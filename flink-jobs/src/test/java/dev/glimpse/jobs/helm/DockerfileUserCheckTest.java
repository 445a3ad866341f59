package dev.glimpse.jobs.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * helm/Dockerfile, read against the Flink base image's Dockerfile (vendored in chart-validation/),
 * never needs root after the base image's {@code USER flink} and ends as uid 9999; the check itself
 * catches the defect it exists for.
 */
class DockerfileUserCheckTest {

    private static final Path DOCKERFILE =
            Path.of(System.getProperty("basedir", "."), "..", "helm", "Dockerfile")
                    .toAbsolutePath()
                    .normalize();
    private static final String BASE =
            ManifestSchemaValidator.resource(
                    "flink-docker-2.2-scala_2.12-java17-ubuntu.Dockerfile");
    private static final DockerfileUserCheck CHECK =
            new DockerfileUserCheck("flink:2.2.0-java17", BASE);

    /** The final stage as it was before the fix: chown as flink on root-owned COPY results. */
    private static final String CHOWN_AS_FLINK =
            """
            ARG FLINK_IMAGE=flink:2.2.0-java17
            FROM maven:3 AS build
            RUN chown -R root /src && apt-get update
            FROM ${FLINK_IMAGE}
            COPY --from=build /out/glimpse-job.jar /opt/flink/usrlib/glimpse-job.jar
            COPY model/ /opt/glimpse/models/m/
            RUN set -eux; \\
                cd /opt/flink; \\
                # a comment inside the step
                test -f /opt/glimpse/models/m/model.json; \\
                chown -R flink:flink /opt/flink/usrlib /opt/glimpse
            """;

    @Test
    void theBaseImageEndsAsFlinkUid9999WhoOwnsOptFlink() {
        assertThat(CHECK.base())
                .isEqualTo(
                        new DockerfileUserCheck.BaseImage("flink", "9999", List.of("/opt/flink")));
    }

    @Test
    void theImageDockerfileNeedsRootNowhereAfterTheBaseImagesUser() throws IOException {
        assertThat(CHECK.violations(Files.readString(DOCKERFILE))).isEmpty();
    }

    @Test
    void theFinalStageIsBuiltOnTheBaseImageWhoseDockerfileIsVendored() throws IOException {
        // A new base image needs its own Dockerfile in chart-validation/, or the check would skip
        // it.
        assertThat(DockerfileUserCheck.stageImages(Files.readString(DOCKERFILE)))
                .containsExactly(
                        "maven:3.9.9-eclipse-temurin-17",
                        "nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04",
                        "flink:2.2.0-java17");
    }

    @Test
    void theImageRunsAsUid9999() throws IOException {
        assertThat(CHECK.finalUser(Files.readString(DOCKERFILE))).isEqualTo("9999");
    }

    @Test
    void chownAfterTheBaseImagesUserIsReportedWithItsLine() {
        assertThat(CHECK.violations(CHOWN_AS_FLINK))
                .containsExactly(
                        "line 7: `chown -R flink:flink /opt/flink/usrlib /opt/glimpse` needs root, but"
                                + " the step runs as flink (flink:2.2.0-java17 ends with USER flink)");
    }

    @Test
    void stagesFromOtherImagesAndStepsAfterUserRootAreNotReported() {
        String dockerfile =
                """
                FROM flink:2.2.0-java17
                USER root
                RUN apt-get update && chown -R flink:flink /opt/glimpse
                USER flink
                """;

        assertThat(CHECK.violations(dockerfile)).isEmpty();
        assertThat(CHECK.finalUser(dockerfile)).isEqualTo("9999");
    }

    @Test
    void writingWhereTheUserOwnsNothingIsReported() {
        String dockerfile =
                """
                FROM flink:2.2.0-java17
                COPY model/ /opt/glimpse/models/m/
                COPY --chown=flink:flink cache/ /opt/glimpse/cache/
                RUN mkdir -p /opt/flink/plugins/x && cp a.jar /opt/flink/plugins/x/ \\
                    && touch /opt/glimpse/cache/ready /tmp/t > /dev/null \\
                    && mkdir /opt/glimpse/models/m/extra && ln -s /opt/flink/lib/a.jar /usr/lib/a.jar
                """;

        assertThat(CHECK.violations(dockerfile))
                .containsExactly(
                        "line 4: `mkdir /opt/glimpse/models/m/extra` writes /opt/glimpse/models/m/extra,"
                                + " which flink does not own; the step runs as flink"
                                + " (flink:2.2.0-java17 ends with USER flink)",
                        "line 4: `ln -s /opt/flink/lib/a.jar /usr/lib/a.jar` writes /usr/lib/a.jar,"
                                + " which flink does not own; the step runs as flink"
                                + " (flink:2.2.0-java17 ends with USER flink)");
    }

    @Test
    void packageInstallsAsTheBaseUserAreReported() {
        String dockerfile =
                """
                FROM flink:2.2.0-java17
                RUN apt-get install -y curl
                """;

        assertThat(CHECK.violations(dockerfile))
                .singleElement()
                .asString()
                .startsWith("line 2: `apt-get install -y curl` needs root");
        assertThat(CHECK.finalUser(dockerfile)).isEqualTo("9999");
    }
}
