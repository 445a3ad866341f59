package dev.glimpse.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoImagesTest {

    @Test
    void pooledCamerasTakeTurnsSoEachCamerasFramesShowDifferentScenes() {
        DemoImages images = new DemoImages(7, 10, false, true);
        List<DemoImages.Picture> camera3 = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 10; c++) {
                DemoImages.Picture p = images.frame(c);
                if (c == 3) {
                    camera3.add(p);
                }
            }
        }
        // frames 3, 13, 23, ... of one scene sequence in which a scene lasts at most 6 frames
        for (int i = 1; i < camera3.size(); i++) {
            assertThat(camera3.get(i).attributes().get(SyntheticProducers.EXPECTED))
                    .as("frame %d of camera-4 shows what its own picture shows", i)
                    .isNotBlank();
            assertThat(Arrays.equals(camera3.get(i).png(), camera3.get(i - 1).png())).isFalse();
        }
    }

    @Test
    void livePicturesFollowEachCamerasOwnFeedAndLargePagesAreFullPages() {
        DemoImages images = new DemoImages(7, 3, true, false);
        DemoImages.Picture page = images.page();
        assertThat(page.attributes().get("kind")).isEqualTo("full page");
        assertThat(page.attributes().get(SyntheticProducers.EXPECTED).split("\n").length)
                .isBetween(8, 12);
        assertThat(DemoImages.cameraId(0)).isEqualTo("camera-1");
        assertThat(images.frame(2).attributes().get("newScene")).isEqualTo("true");
        assertThat(images.upload().attributes()).containsKey(SyntheticProducers.EXPECTED);
    }
}
