package dev.glimpse.jobs.demo;

import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * One synthetic camera: it looks at a scene for a few frames (each frame a near-identical picture,
 * which the job's FrameGate skips), then the scene changes.
 */
final class CameraFeed {

    /** A frame and the caption of what it shows; {@code changed}: first frame of a new scene. */
    record Frame(BufferedImage image, String caption, boolean changed) {}

    private final String sourceId;
    private final Random rng;
    private final SceneGenerator scenes;
    private SceneGenerator.Scene scene;
    private int framesLeft;

    CameraFeed(String sourceId, Random rng) {
        this.sourceId = sourceId;
        this.rng = rng;
        this.scenes = new SceneGenerator(rng);
    }

    String sourceId() {
        return sourceId;
    }

    /** The next frame: a new scene every 3 to 6 frames, a near-duplicate otherwise. */
    Frame next() {
        boolean changed = scene == null || framesLeft == 0;
        if (changed) {
            scene = scenes.next();
            framesLeft = Palette.between(rng, 3, 6);
        } else {
            scene = scenes.nearDuplicate(scene);
        }
        framesLeft--;
        return new Frame(scenes.render(scene), scene.caption(), changed);
    }
}
