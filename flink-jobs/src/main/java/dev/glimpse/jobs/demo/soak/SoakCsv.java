package dev.glimpse.jobs.demo.soak;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The soak time series as CSV: a header of {@link SoakColumn} names, one line per {@link SoakRow},
 * numbers in plain decimal (integers without a fraction), an empty cell for NaN. Appending opens
 * and closes the file per row, so a killed run leaves every row written so far.
 */
public final class SoakCsv {

    private SoakCsv() {}

    /** The header line. */
    public static String header() {
        StringJoiner j = new StringJoiner(",");
        for (SoakColumn c : SoakColumn.values()) {
            j.add(c.header());
        }
        return j.toString();
    }

    /** {@code row} as a CSV line, columns in {@link SoakColumn} order. */
    public static String line(SoakRow row) {
        StringJoiner j = new StringJoiner(",");
        for (SoakColumn c : SoakColumn.values()) {
            j.add(format(row.get(c)));
        }
        return j.toString();
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Creates (or truncates) {@code csv} with the header line. */
    public static void create(Path csv) throws IOException {
        Files.writeString(csv, header() + "\n", StandardCharsets.UTF_8);
    }

    /** Appends {@code row} to {@code csv}. */
    public static void append(Path csv, SoakRow row) throws IOException {
        try (BufferedWriter w =
                Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(line(row));
            w.write('\n');
        }
    }

    /**
     * The rows of {@code csv}. Its header may order or omit columns (an omitted one reads NaN).
     *
     * @throws IllegalArgumentException naming the file and line for an unknown column, a cell count
     *     that differs from the header's, or a cell that is not a number
     */
    public static List<SoakRow> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + " is empty: expected a header line");
        }
        List<SoakColumn> columns = new ArrayList<>();
        for (String h : lines.get(0).split(",", -1)) {
            columns.add(SoakColumn.ofHeader(h.strip()));
        }
        List<SoakRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != columns.size()) {
                throw new IllegalArgumentException(
                        csv
                                + " line "
                                + (i + 1)
                                + ": "
                                + cells.length
                                + " cells, expected "
                                + columns.size());
            }
            Map<SoakColumn, Double> values = new EnumMap<>(SoakColumn.class);
            for (int k = 0; k < cells.length; k++) {
                values.put(columns.get(k), parse(csv, i + 1, columns.get(k), cells[k].strip()));
            }
            rows.add(SoakRow.of(values));
        }
        return rows;
    }

    private static double parse(Path csv, int line, SoakColumn column, String cell) {
        if (cell.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    csv
                            + " line "
                            + line
                            + ": "
                            + column.header()
                            + " must be a number, was '"
                            + cell
                            + "'");
        }
    }
}
