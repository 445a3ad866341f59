package dev.glimpse.serving.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code glimpse.jar}: {@code java -jar glimpse.jar <command> [args]}. A small
 * dispatcher; each command is a {@link Subcommand}. Exit codes: 0 success, 1 failure while running,
 * 2 usage error (message and usage on stderr).
 */
public final class GlimpseCli {

    static final int EXIT_USAGE = 2;

    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final String LOG_LEVEL_PROPERTY_DJL = "org.slf4j.simpleLogger.log.ai.djl";

    private final Map<String, Subcommand> commands = new LinkedHashMap<>();

    GlimpseCli(List<Subcommand> commands) {
        for (Subcommand c : commands) {
            this.commands.put(c.name(), c);
        }
    }

    /** The commands shipped in the jar. */
    static GlimpseCli standard() {
        return new GlimpseCli(
                List.of(
                        new SlicesCommand(),
                        AnalyzeCommand.caption(),
                        AnalyzeCommand.ocr(),
                        AnalyzeCommand.moderate(),
                        new RequestsCommand(),
                        new BenchCommand()));
    }

    public static void main(String[] args) {
        // slf4j-simple in the jar: warnings and errors only, on stderr, unless set with -D; the
        // tokenizer library's CUDA probe and max-length warnings are noise for a CPU tool
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        if (System.getProperty(LOG_LEVEL_PROPERTY_DJL) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY_DJL, "error");
        }
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = standard().run(Arrays.asList(args), in, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            (args.isEmpty() ? err : out).print(usage());
            return args.isEmpty() ? EXIT_USAGE : 0;
        }
        Subcommand command = commands.get(args.get(0));
        if (command == null) {
            err.println("glimpse: unknown command '" + args.get(0) + "'");
            err.print(usage());
            return EXIT_USAGE;
        }
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        try {
            return command.run(rest, in, out);
        } catch (UsageException e) {
            err.println("glimpse " + command.name() + ": " + e.getMessage());
            err.print(command.usage());
            return EXIT_USAGE;
        }
    }

    String usage() {
        StringBuilder sb =
                new StringBuilder("usage: java -jar glimpse.jar <command> [args]\n\ncommands:\n");
        for (Subcommand c : commands.values()) {
            sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        sb.append("\nRun 'java -jar glimpse.jar <command> --help' for a command's options.\n");
        return sb.toString();
    }
}
