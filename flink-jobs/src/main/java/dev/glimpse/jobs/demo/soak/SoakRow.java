package dev.glimpse.jobs.demo.soak;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/** One sample of the soak time series: a value per {@link SoakColumn}, NaN where unmeasured. */
public final class SoakRow {

    private final double[] values;

    private SoakRow(double[] values) {
        this.values = values;
    }

    /** A row with {@code values}; columns absent from the map are NaN. */
    public static SoakRow of(Map<SoakColumn, Double> values) {
        double[] v = new double[SoakColumn.values().length];
        Arrays.fill(v, Double.NaN);
        values.forEach((c, x) -> v[c.ordinal()] = x == null ? Double.NaN : x);
        return new SoakRow(v);
    }

    /** The value of {@code column}, NaN if it was not measured. */
    public double get(SoakColumn column) {
        return values[column.ordinal()];
    }

    /** Seconds since the recording started. */
    public double elapsedSeconds() {
        return get(SoakColumn.ELAPSED_S);
    }

    /** The measured values by column (NaN ones left out). */
    public Map<SoakColumn, Double> toMap() {
        Map<SoakColumn, Double> m = new EnumMap<>(SoakColumn.class);
        for (SoakColumn c : SoakColumn.values()) {
            if (!Double.isNaN(values[c.ordinal()])) {
                m.put(c, values[c.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoakRow r && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
