package dev.glimpse.serving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glimpse.serving.engine.kv.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    private static int half(float f) {
        return HalfFloats.toHalf(f) & 0xffff;
    }

    @Test
    void normalValuesHaveTheirIeeeBinary16Bits() {
        assertThat(half(0f)).isEqualTo(0x0000);
        assertThat(half(-0f)).isEqualTo(0x8000);
        assertThat(half(1f)).isEqualTo(0x3c00);
        assertThat(half(-2f)).isEqualTo(0xc000);
        assertThat(half(0.5f)).isEqualTo(0x3800);
        assertThat(half(65504f)).isEqualTo(0x7bff); // the largest half
        assertThat(half(0x1p-14f)).isEqualTo(0x0400); // the smallest normal
        assertThat(half(0.333251953125f)).isEqualTo(0x3555);
    }

    @Test
    void subnormalsInfinityAndNanAreKept() {
        assertThat(half(0x1p-24f)).isEqualTo(0x0001); // the smallest subnormal
        assertThat(half(0x1p-15f)).isEqualTo(0x0200);
        assertThat(half(0x3ffp-24f)).isEqualTo(0x03ff); // the largest subnormal
        assertThat(half(Float.POSITIVE_INFINITY)).isEqualTo(0x7c00);
        assertThat(half(Float.NEGATIVE_INFINITY)).isEqualTo(0xfc00);
        assertThat(half(Float.NaN) & 0x7c00).isEqualTo(0x7c00);
        assertThat(half(Float.NaN) & 0x03ff).isNotZero();
        assertThat(HalfFloats.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.toFloat((short) 0x03ff)).isEqualTo(0x3ffp-24f);
        assertThat(HalfFloats.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.toFloat((short) 0x7e00)).isNaN();
        assertThat(HalfFloats.toFloat((short) 0x8000)).isEqualTo(-0f);
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: the even one (1) wins
        assertThat(half(1f + 0x1p-11f)).isEqualTo(0x3c00);
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even)
        assertThat(half(1f + 3 * 0x1p-11f)).isEqualTo(0x3c02);
        assertThat(half(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3c01); // above halfway
        assertThat(half(65520f)).isEqualTo(0x7c00); // halfway to 2^16: rounds (even) to infinity
        assertThat(half(65519f)).isEqualTo(0x7bff);
        assertThat(half(0x1p-25f)).isEqualTo(0x0000); // halfway to the smallest subnormal: even 0
        assertThat(half(0x1.8p-25f)).isEqualTo(0x0001);
        assertThat(half(0x3p-25f)).isEqualTo(0x0002); // 1.5 subnormal steps: tie to even 2
        assertThat(half(0x1p-26f)).isEqualTo(0x0000);
        // the largest subnormal plus half a step rounds up into the smallest normal
        assertThat(half(0x7ffp-25f)).isEqualTo(0x0400);
    }

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.toFloat((short) h);
            if (Float.isNaN(f)) {
                continue;
            }
            assertThat(half(f)).as("half %04x", h).isEqualTo(h);
        }
    }

    @Test
    void bfloat16RoundsTheTopSixteenBitsToNearestEven() {
        assertThat(HalfFloats.toBFloat16(1f) & 0xffff).isEqualTo(0x3f80);
        assertThat(HalfFloats.toBFloat16(Float.intBitsToFloat(0x3f808000)) & 0xffff)
                .isEqualTo(0x3f80); // tie, even stays
        assertThat(HalfFloats.toBFloat16(Float.intBitsToFloat(0x3f818000)) & 0xffff)
                .isEqualTo(0x3f82); // tie, odd rounds up
        assertThat(HalfFloats.toBFloat16(Float.intBitsToFloat(0x3f808001)) & 0xffff)
                .isEqualTo(0x3f81);
        assertThat(HalfFloats.bfloat16ToFloat((short) 0x3f80)).isEqualTo(1f);
        assertThat(HalfFloats.bfloat16ToFloat(HalfFloats.toBFloat16(Float.NaN))).isNaN();
    }

    @Test
    void encodeAndDecodeConvertWholeArraysInTheBuffersByteOrder() {
        float[] values = {1f, -2.5f, 0.1f, 1e5f};
        for (ElementType t : ElementType.values()) {
            ByteBuffer b =
                    ByteBuffer.allocate(values.length * t.bytes()).order(ByteOrder.nativeOrder());
            HalfFloats.encode(values, t, b);
            float[] back = new float[values.length + 1];
            HalfFloats.decode(b, t, t.bytes(), back, 1, values.length - 1);
            assertThat(back[0]).isZero();
            assertThat(back[1]).as(t.name()).isEqualTo(-2.5f);
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        HalfFloats.encode(values, ElementType.FLOAT16, b);
        float[] back = new float[4];
        HalfFloats.decode(b, ElementType.FLOAT16, 0, back, 0, 4);
        assertThat(back).containsExactly(1f, -2.5f, 0.0999755859375f, Float.POSITIVE_INFINITY);
    }
}
