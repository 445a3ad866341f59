package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/** Writes one compact JSON object per line (Jackson) and flushes, so output streams. */
final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    JsonLines(PrintStream out) {
        this.out = out;
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    synchronized void write(ObjectNode line) {
        out.println(line.toString());
        out.flush();
    }

    /** Milliseconds with microsecond resolution, for readable timings. */
    static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }
}
