package dev.glimpse.serving.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of {@code model-serving/training} (Debian's Python with torch and onnx) from a
 * benchmark started in the repository root or in {@code model-serving}; the script is named by its
 * path inside that folder (e.g. {@code experiments/bench_reference.py}) and runs with the folder as
 * its working directory. {@code -Dglimpse.bench.python} picks the interpreter (default {@code
 * /usr/bin/python3}).
 */
final class TrainingScripts {

    private TrainingScripts() {}

    /**
     * The script's standard output and error, or empty (with the reason printed) when the script is
     * not found or fails.
     */
    static Optional<String> run(String script, String... args) throws Exception {
        Optional<Path> folder = locate(script);
        if (folder.isEmpty()) {
            System.out.println(script + " not found: run the benchmark from the repository");
            return Optional.empty();
        }
        String python = System.getProperty("glimpse.bench.python", "/usr/bin/python3");
        List<String> command = new ArrayList<>(List.of(python, script));
        command.addAll(List.of(args));
        Process p =
                new ProcessBuilder(command)
                        .directory(folder.get().toFile())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.out.println(script + " failed (" + python + "):\n" + out);
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /** The training folder that holds the script. */
    private static Optional<Path> locate(String script) {
        for (String dir : List.of("training", "model-serving/training")) {
            Path folder = Path.of(dir).toAbsolutePath();
            if (Files.isRegularFile(folder.resolve(script))) {
                return Optional.of(folder);
            }
        }
        return Optional.empty();
    }
}
