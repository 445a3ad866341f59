package dev.glimpse.serving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.engine.EngineRequest;
import dev.glimpse.serving.engine.ImageSlice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs requests through the PyTorch reference ({@code
 * model-serving/training/experiments/bench_reference.py}: the training code's greedy loop, one
 * request at a time, Debian's torch) in a child process, and returns its images per second. The
 * requests' slices are handed over as raw float32 files, so both sides see the same pixels, prompts
 * and token counts.
 */
final class PytorchReference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PytorchReference() {}

    /** The reference's result line, or empty (with the reason printed) when it cannot run here. */
    static Optional<JsonNode> run(List<EngineRequest> requests, int threads) throws Exception {
        Path dir = Files.createTempDirectory("glimpse-bench-reference");
        try {
            write(requests, dir);
            Optional<String> out =
                    TrainingScripts.run(
                            "experiments/bench_reference.py",
                            "--requests",
                            dir.toString(),
                            "--threads",
                            Integer.toString(threads));
            if (out.isEmpty()) {
                return Optional.empty();
            }
            String[] lines = out.get().strip().split("\n");
            return Optional.of(JSON.readTree(lines[lines.length - 1]));
        } finally {
            for (Path f : Files.list(dir).toList()) {
                Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    private static void write(List<EngineRequest> requests, Path dir) throws IOException {
        ArrayNode all = JSON.createArrayNode();
        for (EngineRequest r : requests) {
            ObjectNode req = all.addObject();
            req.put("id", r.id());
            req.put("maxNewTokens", r.sampling().maxNewTokens().orElseThrow());
            req.put("gridRows", r.image().gridRows());
            req.put("gridCols", r.image().gridCols());
            ArrayNode slices = req.putArray("slices");
            List<ImageSlice> list = new ArrayList<>(r.image().slices());
            for (int i = 0; i < list.size(); i++) {
                ImageSlice s = list.get(i);
                String file = r.id() + "_" + i + ".f32";
                ByteBuffer bytes =
                        ByteBuffer.allocate(s.pixels().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(s.pixels());
                Files.write(dir.resolve(file), bytes.array());
                slices.addObject()
                        .put("file", file)
                        .put("rows", s.patchRows())
                        .put("cols", s.patchCols());
            }
        }
        JSON.writeValue(dir.resolve("requests.json").toFile(), all);
    }
}
