package dev.glimpse.serving.model;

import dev.glimpse.serving.engine.kv.ElementType;
import java.nio.ByteBuffer;

/**
 * IEEE 754 binary16 and bfloat16 ↔ float32, rounding to nearest, ties to even (what ONNX Runtime's
 * Cast and PyTorch's {@code .half()} do), with subnormals, infinities and NaN kept. Java 17 has no
 * {@code Float.floatToFloat16} (added in Java 20). Stateless; any thread.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** The binary16 bits nearest {@code f}; beyond the largest half (65504) rounds to infinity. */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) { // inf or NaN: keep NaN quiet and non-zero
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15; // the half's biased exponent
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) { // subnormal half (or zero)
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int m = mant | 0x800000; // the implicit 1
            int shift = 14 - e; // 24-bit significand to a 10-bit subnormal field
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++; // may carry into the smallest normal, which is still the right bits
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is right, up to infinity
        }
        return (short) (sign | half);
    }

    /** The float32 value of binary16 {@code h} (exact: every half is a float). */
    public static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** The bfloat16 bits nearest {@code f} (the top 16 bits of float32, rounded). */
    public static short toBFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0) {
            return (short) ((bits >>> 16) | 0x40); // NaN stays a quiet NaN
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** Writes {@code src} as {@code type} into {@code dst} from its index 0 (dst's byte order). */
    public static void encode(float[] src, ElementType type, ByteBuffer dst) {
        switch (type) {
            case FLOAT32 -> dst.asFloatBuffer().put(0, src);
            case FLOAT16 -> {
                for (int i = 0; i < src.length; i++) {
                    dst.putShort(2 * i, toHalf(src[i]));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < src.length; i++) {
                    dst.putShort(2 * i, toBFloat16(src[i]));
                }
            }
        }
    }

    /**
     * Reads {@code count} elements of {@code type} from byte {@code offset} of {@code src} into
     * {@code dst} from {@code dstOffset}.
     */
    public static void decode(
            ByteBuffer src, ElementType type, int offset, float[] dst, int dstOffset, int count) {
        switch (type) {
            case FLOAT32 ->
                    src.slice(offset, 4 * count)
                            .order(src.order())
                            .asFloatBuffer()
                            .get(dst, dstOffset, count);
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = toFloat(src.getShort(offset + 2 * i));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = bfloat16ToFloat(src.getShort(offset + 2 * i));
                }
            }
        }
    }
}
