package dev.glimpse.serving.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.serving.slicing.ImageSize;
import dev.glimpse.serving.slicing.SliceConfig;
import dev.glimpse.serving.slicing.SliceLayout;
import dev.glimpse.serving.slicing.SlicePlanner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code glimpse slices [options] [W H ...]}: the MiniCPM-V slice layout of picture sizes, one JSON
 * object per line. Sizes come from the arguments, or else from stdin lines "W H".
 */
final class SlicesCommand implements Subcommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "slices";
    }

    @Override
    public String summary() {
        return "print the MiniCPM-V slice layout and visual token count of picture sizes";
    }

    @Override
    public String usage() {
        return """
                usage: glimpse slices [--scale N] [--patch N] [--max-slices N] [--query-num N] [W H ...]

                Prints one JSON object per size:
                  {"width":W,"height":H,"grid":[cols,rows] or null,"overview":[w,h],
                   "slice":[w,h] or null,"tokens":(1+slices)*query-num}
                Sizes are taken from the arguments (pairs W H) or, if none, from stdin lines "W H".

                options:
                  --scale N        scale resolution in pixels (default 448)
                  --patch N        patch size in pixels (default 14)
                  --max-slices N   maximum slices per picture (default 9)
                  --query-num N    visual tokens per overview or slice (default 64)
                """;
    }

    @Override
    public int run(List<String> args, BufferedReader in, PrintStream out) throws UsageException {
        int scale = 448;
        int patch = 14;
        int maxSlices = 9;
        int queryNum = 64;
        List<String> sizes = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                sizes.add(arg);
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException("option " + arg + " needs a value");
            }
            switch (name) {
                case "--scale" -> scale = positiveInt(name, value);
                case "--patch" -> patch = positiveInt(name, value);
                case "--max-slices" -> maxSlices = positiveInt(name, value);
                case "--query-num" -> queryNum = positiveInt(name, value);
                default -> throw new UsageException("unknown option " + name);
            }
        }
        SlicePlanner planner;
        try {
            planner = new SlicePlanner(new SliceConfig(scale, patch, maxSlices));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (!sizes.isEmpty()) {
            if (sizes.size() % 2 != 0) {
                throw new UsageException(
                        "sizes come in pairs W H, got " + sizes.size() + " numbers: " + sizes);
            }
            for (int i = 0; i < sizes.size(); i += 2) {
                print(
                        planner,
                        size(sizes.get(i), sizes.get(i + 1), "argument " + (i + 1)),
                        queryNum,
                        out);
            }
            return 0;
        }
        try {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] parts = trimmed.split("\\s+");
                if (parts.length != 2) {
                    throw new UsageException(
                            "stdin line " + number + ": expected 'W H', got '" + trimmed + "'");
                }
                print(planner, size(parts[0], parts[1], "stdin line " + number), queryNum, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading sizes from stdin", e);
        }
        return 0;
    }

    private static void print(SlicePlanner planner, ImageSize size, int queryNum, PrintStream out) {
        SliceLayout layout = planner.plan(size);
        ObjectNode json = JSON.createObjectNode();
        json.put("width", size.width());
        json.put("height", size.height());
        if (layout.isSliced()) {
            json.putArray("grid").add(layout.grid().cols()).add(layout.grid().rows());
        } else {
            json.putNull("grid");
        }
        json.putArray("overview").add(layout.overview().width()).add(layout.overview().height());
        if (layout.isSliced()) {
            json.putArray("slice").add(layout.slice().width()).add(layout.slice().height());
        } else {
            json.putNull("slice");
        }
        json.put("tokens", layout.visualTokens(queryNum));
        out.println(json.toString());
    }

    private static ImageSize size(String w, String h, String where) throws UsageException {
        try {
            int width = Integer.parseInt(w);
            int height = Integer.parseInt(h);
            if (width >= 1 && height >= 1) {
                return new ImageSize(width, height);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(
                where + ": expected two positive integers W H, got '" + w + " " + h + "'");
    }

    private static int positiveInt(String option, String value) throws UsageException {
        try {
            int v = Integer.parseInt(value);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " expects a positive integer, got '" + value + "'");
    }
}
