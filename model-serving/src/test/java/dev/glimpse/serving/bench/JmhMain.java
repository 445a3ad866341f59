package dev.glimpse.serving.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** The {@code main} of the JMH benchmarks here: one class, JMH command-line options on top. */
final class JmhMain {

    private JmhMain() {}

    /**
     * Runs {@code benchmark}; options in {@code args} (e.g. {@code -f 2 -i 3}) override its own.
     */
    static void run(Class<?> benchmark, String[] args)
            throws RunnerException, CommandLineOptionException {
        new Runner(
                        new OptionsBuilder()
                                .parent(new CommandLineOptions(args))
                                .include(benchmark.getName())
                                .build())
                .run();
    }
}
