package dev.glimpse.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SettledEventsTest {

    @Test
    void keepsTheFlagsOfEveryIdThroughGrowthAndAnswersMinusOneForOthers() {
        SettledEvents settled = new SettledEvents();
        for (int i = 0; i < 100_000; i++) {
            settled.put("cam-" + i, i % 16);
        }
        settled.put("cam-7", 9); // replaced, not added

        assertThat(settled.size()).isEqualTo(100_000);
        assertThat(settled.get("cam-0")).isZero();
        assertThat(settled.get("cam-7")).isEqualTo(9);
        assertThat(settled.get("cam-99999")).isEqualTo(99_999 % 16);
        assertThat(settled.get("cam-100000")).isEqualTo(-1);
        assertThat(settled.get("")).isEqualTo(-1);
    }

    @Test
    void theHashIsNeverTheEmptySlotAndSpreadsNearIds() {
        assertThat(SettledEvents.hash("")).isNotZero();
        assertThat(SettledEvents.hash("scan-1")).isNotEqualTo(SettledEvents.hash("scan-2"));
        assertThat(SettledEvents.hash("ab")).isNotEqualTo(SettledEvents.hash("ba"));
    }
}
