package dev.glimpse.jobs.demo.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakProbesTest {

    @Test
    void rssIsTheVmRssLineInBytes() {
        assertThat(
                        ProcessRss.parse(
                                List.of("Name:\tjava", "VmHWM:\t  9999 kB", "VmRSS:\t  123456 kB")))
                .isEqualTo(123456 * 1024.0);
        assertThat(ProcessRss.parse(List.of("Name:\tjava"))).isNaN();
        assertThat(ProcessRss.of(ProcessHandle.current().pid())).isGreaterThan(0);
        assertThat(ProcessRss.sum(List.of())).isNaN();
    }

    @Test
    void engineGaugeIsReadByExactNameSummingLabelledSamples() {
        String exposition =
                "# HELP glimpse_engine_kv_native_bytes Native memory\n"
                        + "# TYPE glimpse_engine_kv_native_bytes gauge\n"
                        + "glimpse_engine_kv_native_bytes 1.048576E6\n"
                        + "glimpse_engine_kv_native_bytes_total 5\n"
                        + "glimpse_engine_errors_total{stage=\"decode\"} 2.0\n"
                        + "glimpse_engine_errors_total{stage=\"vision\"} 3.0\n";

        assertThat(EngineMetricsScrape.valueOf(exposition, "glimpse_engine_kv_native_bytes"))
                .isEqualTo(1_048_576);
        assertThat(EngineMetricsScrape.valueOf(exposition, "glimpse_engine_errors_total"))
                .isEqualTo(5);
        assertThat(EngineMetricsScrape.valueOf(exposition, "glimpse_engine_missing")).isNaN();
    }

    @Test
    void checkpointDurationIsTheLongestCompletedSinceThePreviousRead() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String answer =
                "{\"counts\":{\"completed\":42,\"failed\":1,\"in_progress\":1},"
                        + "\"latest\":{\"completed\":{\"id\":43,\"end_to_end_duration\":187,"
                        + "\"checkpointed_size\":65536,\"state_size\":131072}},"
                        + "\"history\":["
                        + "{\"id\":44,\"status\":\"IN_PROGRESS\",\"end_to_end_duration\":900},"
                        + "{\"id\":43,\"status\":\"COMPLETED\",\"end_to_end_duration\":187},"
                        + "{\"id\":42,\"status\":\"FAILED\",\"end_to_end_duration\":5000},"
                        + "{\"id\":41,\"status\":\"COMPLETED\",\"end_to_end_duration\":310},"
                        + "{\"id\":40,\"status\":\"COMPLETED\",\"end_to_end_duration\":999}]}";

        CheckpointProbe.Stats sinceThe40th = CheckpointProbe.parse(json.readTree(answer), 40);
        CheckpointProbe.Stats sinceThe43rd = CheckpointProbe.parse(json.readTree(answer), 43);
        CheckpointProbe.Stats none =
                CheckpointProbe.parse(
                        json.readTree(
                                "{\"counts\":{\"completed\":0,\"failed\":0},"
                                        + "\"latest\":{\"completed\":null},\"history\":[]}"),
                        -1);

        assertThat(sinceThe40th).isEqualTo(new CheckpointProbe.Stats(310, 65536, 42, 1, 43));
        assertThat(sinceThe43rd.maxDurationMs()).isNaN();
        assertThat(none.maxDurationMs()).isNaN();
        assertThat(none.latestSizeBytes()).isNaN();
        assertThat(none.completed()).isEqualTo(0);
        assertThat(none.latestId()).isEqualTo(-1);
    }

    @Test
    void jvmMemoryReportsCommittedHeapAndHeapAfterACollection() {
        System.gc();
        JvmMemory.Reading r = new JvmMemory().read();

        assertThat(r.heapCommitted())
                .isEqualTo(
                        java.lang.management.ManagementFactory.getMemoryMXBean()
                                .getHeapMemoryUsage()
                                .getCommitted());
        assertThat(r.heapAfterGc()).isGreaterThan(0).isLessThanOrEqualTo(r.heapCommitted());
        assertThat(r.nonHeapCommitted()).isGreaterThan(0);
    }

    @Test
    void residentHeapSumsTheRssOfTheMappingsInsideTheHeapRange() throws Exception {
        String heapInfo =
                " garbage-first heap   total 397312K, used 8181K [0x0000000687400000,"
                        + " 0x0000000800000000)\n  region size 4096K";
        String smaps =
                "55d0c0000000-55d0c0001000 r--p 00000000 08:01 1 /usr/bin/java\n"
                        + "Rss:                   4 kB\n"
                        + "687400000-6a0000000 rw-p 00000000 00:00 0\n"
                        + "Size:             405504 kB\n"
                        + "Rss:              100000 kB\n"
                        + "6a0000000-800000000 ---p 00000000 00:00 0\n"
                        + "Rss:                   0 kB\n"
                        + "800000000-800100000 rw-p 00000000 00:00 0\n"
                        + "Rss:                1024 kB\n";

        long[] range = ResidentHeap.range(heapInfo);

        assertThat(range).containsExactly(0x687400000L, 0x800000000L);
        assertThat(
                        ResidentHeap.residentBytes(
                                new java.io.BufferedReader(new java.io.StringReader(smaps)),
                                range[0],
                                range[1]))
                .isEqualTo(100000 * 1024.0);
        assertThat(ResidentHeap.range("no heap here")).isNull();
        assertThat(
                        ResidentHeap.range(
                                " PSYoungGen total 113152K, used 23350K [0x0000000782700000,"
                                        + " 0x000000078a500000, 0x0000000800000000)\n"
                                        + "  eden space 97280K, 24% used [0x0000000782700000,"
                                        + "0x0000000783dcd800,0x0000000788600000)\n"
                                        + " ParOldGen total 258048K, used 0K [0x0000000687400000,"
                                        + " 0x0000000697000000, 0x0000000782700000)\n"
                                        + " Metaspace used 11058K, committed 11264K\n"))
                .containsExactly(0x687400000L, 0x800000000L);
        assertThat(ResidentHeap.ofThisJvm().residentBytes()).isGreaterThan(0);
    }

    @Test
    void ratesAreRoundedToThreeDecimals() {
        assertThat(SoakRecorder.perSecond(12, 10.0004)).isEqualTo(1.2);
        assertThat(SoakRecorder.perSecond(1, 3)).isEqualTo(0.333);
    }

    @Test
    void taskManagerMetricsAnswersReadAsNumbersByName() throws Exception {
        String answer =
                "[{\"id\":\"Status.JVM.Memory.Heap.Committed\",\"value\":\"536870912\"},"
                        + "{\"id\":\"Status.JVM.Memory.Direct.MemoryUsed\",\"value\":\"1024\"},"
                        + "{\"id\":\"Status.JVM.Memory.Mapped.MemoryUsed\",\"value\":\"n/a\"}]";

        assertThat(TaskManagerMemory.values(new ObjectMapper().readTree(answer)))
                .containsExactlyInAnyOrderEntriesOf(
                        java.util.Map.of(
                                TaskManagerMemory.HEAP_COMMITTED, 536870912.0,
                                TaskManagerMemory.DIRECT_USED, 1024.0));
    }
}
