package dev.glimpse.jobs.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of the process cluster: started with its own class path, JVM options and main
 * class, its standard output and error appended to {@code <logDir>/<name>.out}.
 *
 * <p>{@link #kill()} is SIGKILL (what the kernel's OOM killer or a node loss does: no shutdown
 * hooks, no clean disconnect); {@link #stop()} is SIGTERM with a bounded wait, then SIGKILL. Not
 * thread-safe; the owner (ProcessCluster) serialises calls.
 */
final class JvmProcess {

    private static final long STOP_WAIT_SECONDS = 30;

    private final String name;
    private final Process process;
    private final Path outFile;

    private JvmProcess(String name, Process process, Path outFile) {
        this.name = name;
        this.process = process;
        this.outFile = outFile;
    }

    /**
     * Starts {@code java jvmOptions -cp classpath mainClass args}.
     *
     * @param classpath the system class path of the child, nothing else
     */
    static JvmProcess start(
            String name,
            List<Path> classpath,
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            Path logDir)
            throws IOException {
        Files.createDirectories(logDir);
        Path out = logDir.resolve(name + ".out");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(
                String.join(
                        java.io.File.pathSeparator,
                        classpath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        // the child must not inherit the parent's class path through the environment
        builder.environment().remove("CLASSPATH");
        return new JvmProcess(name, builder.start(), out);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, or -1 while running. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Where its standard output and error go. */
    Path outFile() {
        return outFile;
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGKILL without waiting (from a shutdown hook). */
    void destroyNow() {
        process.destroyForcibly();
    }

    /** SIGTERM; SIGKILL if it has not exited within 30 s. */
    void stop() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** The last {@code maxChars} characters of its output, for error messages. */
    String outputTail(int maxChars) {
        try {
            String text = Files.readString(outFile);
            return text.length() <= maxChars ? text : text.substring(text.length() - maxChars);
        } catch (IOException e) {
            return "(cannot read " + outFile + ": " + e.getMessage() + ")";
        }
    }
}
