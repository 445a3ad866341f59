package dev.glimpse.serving.slicing;

import dev.glimpse.serving.image.RgbImage;

/**
 * Line-by-line port of Pillow 9.4's {@code ImagingResampleInner} with the 8-bit horizontal and
 * vertical passes, no optimisation: the reference the fast {@link PillowBicubicResampler} is
 * checked against on random inputs.
 */
final class PlainPillowResampler {

    static RgbImage resize(RgbImage in, int xsize, int ysize) {
        int inW = in.width();
        int inH = in.height();
        boolean needHorizontal = xsize != inW;
        boolean needVertical = ysize != inH;
        ResampleCoefficients h = ResampleCoefficients.bicubic(inW, xsize);
        ResampleCoefficients v = ResampleCoefficients.bicubic(inH, ysize);
        int yboxFirst = v.first[0];
        int yboxLast = v.first[ysize - 1] + v.count[ysize - 1];
        int[] vFirst = v.first.clone();
        byte[] cur = in.pixels();
        int curW = inW;
        int curH = inH;
        if (needHorizontal) {
            for (int i = 0; i < ysize; i++) {
                vFirst[i] -= yboxFirst;
            }
            int tmpH = yboxLast - yboxFirst;
            byte[] tmp = new byte[tmpH * xsize * 3];
            for (int yy = 0; yy < tmpH; yy++) {
                for (int xx = 0; xx < xsize; xx++) {
                    for (int c = 0; c < 3; c++) {
                        int ss = 1 << 21;
                        for (int x = 0; x < h.count[xx]; x++) {
                            ss +=
                                    (cur[((yy + yboxFirst) * curW + x + h.first[xx]) * 3 + c]
                                                    & 0xff)
                                            * h.weights[xx * h.taps + x];
                        }
                        tmp[(yy * xsize + xx) * 3 + c] = clip8(ss);
                    }
                }
            }
            cur = tmp;
            curW = xsize;
            curH = tmpH;
        }
        if (needVertical) {
            byte[] out = new byte[ysize * curW * 3];
            for (int yy = 0; yy < ysize; yy++) {
                for (int xx = 0; xx < curW; xx++) {
                    for (int c = 0; c < 3; c++) {
                        int ss = 1 << 21;
                        for (int y = 0; y < v.count[yy]; y++) {
                            ss +=
                                    (cur[((y + vFirst[yy]) * curW + xx) * 3 + c] & 0xff)
                                            * v.weights[yy * v.taps + y];
                        }
                        out[(yy * curW + xx) * 3 + c] = clip8(ss);
                    }
                }
            }
            cur = out;
            curH = ysize;
        }
        return RgbImage.wrap(curW, curH, cur == in.pixels() ? cur.clone() : cur);
    }

    private static byte clip8(int in) {
        if (in >= (1 << 22 << 8)) {
            return (byte) 255;
        }
        if (in <= 0) {
            return 0;
        }
        return (byte) (in >> 22);
    }
}
