package dev.glimpse.jobs.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The pictures the demo's producers send, with what each shows: camera frames (per camera, a scene
 * held for a few near-identical frames), text pages and moderation images. Rendered one by one as
 * they are sent, or, for rates a renderer cannot keep up with on two cores, drawn from a pool
 * rendered once at start and reused (each send still gets its own event id; the expected answer
 * travels with its picture).
 *
 * <p>Not thread-safe: the producers' one thread calls it.
 */
final class DemoImages {

    /** An encoded picture and the attributes its events carry ({@code expected} among them). */
    record Picture(byte[] png, Map<String, String> attributes) {}

    /**
     * Camera frames in the pool: one camera's sequence (a scene held for 3 to 6 frames), which the
     * cameras take in turns, so with more than six cameras a camera's consecutive frames show
     * different scenes (the frame gate's duplicate check passes them; its minimum interval still
     * applies).
     */
    static final int FRAME_POOL = 240;

    /** Text pages and moderation images in the pool. */
    static final int PAGE_POOL = 60;

    private final boolean largePages;
    private final List<CameraFeed> feeds = new ArrayList<>();
    private final TextPageGenerator pageGenerator;
    private final ModerationImageGenerator moderation;
    private final Random rng;
    private final List<Picture> framePool;
    private final List<Picture> pagePool;
    private final List<Picture> uploadPool;
    private final long[] framesSent;
    private long pagesSent;
    private long uploadsSent;
    private long pagesRendered;

    /**
     * @param cameras camera sources ({@code camera-1..N})
     * @param largePages full-page scans instead of words, lines and short pages
     * @param pooled render a pool now and reuse it, instead of rendering each picture when sent
     */
    DemoImages(long seed, int cameras, boolean largePages, boolean pooled) {
        this.largePages = largePages;
        this.rng = new Random(seed);
        this.pageGenerator = new TextPageGenerator(new Random(seed + 4));
        this.moderation = new ModerationImageGenerator(new Random(seed + 5));
        this.framesSent = new long[cameras];
        if (pooled) {
            CameraFeed feed = new CameraFeed("pool", new Random(seed + 1));
            framePool = render(FRAME_POOL, () -> framePicture(feed.next()));
            pagePool = render(PAGE_POOL, this::renderPage);
            uploadPool = render(PAGE_POOL, this::renderUpload);
        } else {
            for (int c = 0; c < cameras; c++) {
                feeds.add(new CameraFeed(cameraId(c), new Random(seed + 1 + c)));
            }
            framePool = null;
            pagePool = null;
            uploadPool = null;
        }
    }

    /** {@code camera-1} for camera 0. */
    static String cameraId(int camera) {
        return "camera-" + (camera + 1);
    }

    int cameras() {
        return framesSent.length;
    }

    /** The next frame of camera {@code camera} (0-based). */
    Picture frame(int camera) {
        long n = framesSent[camera]++;
        if (framePool == null) {
            return framePicture(feeds.get(camera).next());
        }
        return framePool.get((int) ((n * cameras() + camera) % framePool.size()));
    }

    /** The next text page. */
    Picture page() {
        long n = pagesSent++;
        return pagePool == null ? renderPage() : pagePool.get((int) (n % pagePool.size()));
    }

    /** The next moderation image (about half with a flagged symbol). */
    Picture upload() {
        long n = uploadsSent++;
        return uploadPool == null ? renderUpload() : uploadPool.get((int) (n % uploadPool.size()));
    }

    private static Picture framePicture(CameraFeed.Frame f) {
        return new Picture(
                Png.encode(f.image()),
                Map.of(
                        SyntheticProducers.EXPECTED,
                        f.caption(),
                        "newScene",
                        Boolean.toString(f.changed())));
    }

    private Picture renderPage() {
        TextPageGenerator.TextPage page =
                largePages ? pageGenerator.fullPage() : pageGenerator.next((int) pagesRendered++);
        return new Picture(
                Png.encode(page.image()),
                Map.of(
                        SyntheticProducers.EXPECTED,
                        page.text(),
                        "kind",
                        page.kind(),
                        "size",
                        page.image().getWidth() + "x" + page.image().getHeight()));
    }

    private Picture renderUpload() {
        ModerationImageGenerator.ModerationImage m = moderation.next(rng.nextBoolean());
        return new Picture(
                Png.encode(m.image()),
                Map.of(
                        SyntheticProducers.EXPECTED,
                        m.symbol() == null ? "nothing flagged" : m.symbol()));
    }

    private static List<Picture> render(int n, java.util.function.Supplier<Picture> next) {
        List<Picture> pool = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pool.add(next.get());
        }
        return List.copyOf(pool);
    }
}
