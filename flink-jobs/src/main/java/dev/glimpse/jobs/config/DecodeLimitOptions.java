package dev.glimpse.jobs.config;

import static dev.glimpse.jobs.config.GlimpseOption.integer;
import static dev.glimpse.jobs.config.GlimpseOption.longInteger;

import dev.glimpse.serving.image.DecodeLimits;

/** The {@code limits.*} options: bounds checked before an image is decoded. */
public final class DecodeLimitOptions {

    private DecodeLimitOptions() {}

    private static final DecodeLimits DEFAULTS = DecodeLimits.DEFAULTS;

    public static final GlimpseOption<Long> MAX_ENCODED_BYTES =
            longInteger(
                    "limits.maxEncodedBytes",
                    DEFAULTS.maxEncodedBytes(),
                    1,
                    Long.MAX_VALUE,
                    "Largest encoded image (inline or fetched).");

    public static final GlimpseOption<Integer> MAX_WIDTH =
            integer(
                    "limits.maxWidth",
                    DEFAULTS.maxWidth(),
                    1,
                    Integer.MAX_VALUE,
                    "Widest image accepted.");

    public static final GlimpseOption<Integer> MAX_HEIGHT =
            integer(
                    "limits.maxHeight",
                    DEFAULTS.maxHeight(),
                    1,
                    Integer.MAX_VALUE,
                    "Tallest image accepted.");

    public static final GlimpseOption<Long> MAX_PIXELS =
            longInteger(
                    "limits.maxPixels",
                    DEFAULTS.maxPixels(),
                    1,
                    Long.MAX_VALUE,
                    "Most pixels accepted (decompression bombs).");

    public static final GlimpseOption<Integer> MIN_WIDTH =
            integer(
                    "limits.minWidth",
                    DEFAULTS.minWidth(),
                    1,
                    Integer.MAX_VALUE,
                    "Narrowest image accepted.");

    public static final GlimpseOption<Integer> MIN_HEIGHT =
            integer(
                    "limits.minHeight",
                    DEFAULTS.minHeight(),
                    1,
                    Integer.MAX_VALUE,
                    "Shortest image accepted.");

    /** The decode limits in {@code values}. */
    static DecodeLimits read(OptionValues values) {
        return new DecodeLimits(
                values.get(MAX_ENCODED_BYTES),
                values.get(MAX_WIDTH),
                values.get(MAX_HEIGHT),
                values.get(MAX_PIXELS),
                values.get(MIN_WIDTH),
                values.get(MIN_HEIGHT));
    }
}
