package dev.glimpse.serving.cli;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.List;

/** One {@code glimpse <name> ...} command. Implementations write results to {@code out}. */
interface Subcommand {

    /** The word after {@code glimpse}, e.g. "slices". */
    String name();

    /** One line for the top-level usage. */
    String summary();

    /** Full usage of this command, printed on {@link UsageException}. */
    String usage();

    /**
     * Runs the command.
     *
     * @return the process exit code (0 = success)
     * @throws UsageException for bad arguments or input; the dispatcher prints it with the usage
     */
    int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException;
}
