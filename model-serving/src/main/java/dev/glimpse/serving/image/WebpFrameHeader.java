package dev.glimpse.serving.image;

import java.util.OptionalLong;

/**
 * The size that a lossy WebP's VP8 key frame declares, read the way the VP8 decoder reads it, so
 * that the decoder's size limits apply to it before decoding.
 *
 * <p>Why: the WebP reader reports its size from the container, but its VP8 decoder allocates its
 * macroblocks from the frame header; a 30-byte file with a bad start code whose frame header
 * declares 13568x11008 passed the size check and built 580,000 macroblocks, 4.5 s per decode (found
 * by ImageParsingFuzzTest).
 */
final class WebpFrameHeader {

    private WebpFrameHeader() {}

    /**
     * The key frame's {@code width << 32 | height} from the first {@code VP8 } chunk, or empty when
     * there is none (lossless, or too short to say).
     *
     * @throws ImageRejectedException CORRUPT when a key frame lacks the VP8 start code
     */
    static OptionalLong keyFrameSize(byte[] b, String label) throws ImageRejectedException {
        int pos = 12; // "RIFF" size "WEBP"
        while (pos + 8 <= b.length) {
            long size = u32(b, pos + 4);
            int data = pos + 8;
            if (b[pos] == 'V' && b[pos + 1] == 'P' && b[pos + 2] == '8' && b[pos + 3] == ' ') {
                if (data + 10 > b.length) {
                    return OptionalLong.empty();
                }
                boolean keyFrame = (b[data] & 1) == 0;
                if (!keyFrame) {
                    return OptionalLong.empty();
                }
                if ((b[data + 3] & 0xff) != 0x9d
                        || (b[data + 4] & 0xff) != 0x01
                        || (b[data + 5] & 0xff) != 0x2a) {
                    throw new ImageRejectedException(
                            RejectionReason.CORRUPT,
                            label,
                            "WebP VP8 key frame at byte "
                                    + data
                                    + " lacks the start code 9d 01 2a");
                }
                long width = u16(b, data + 6) & 0x3fff;
                long height = u16(b, data + 8) & 0x3fff;
                return OptionalLong.of(width << 32 | height);
            }
            long next = data + size + (size & 1); // chunks are padded to even sizes
            if (next > b.length) {
                return OptionalLong.empty();
            }
            pos = (int) next;
        }
        return OptionalLong.empty();
    }

    private static long u32(byte[] b, int pos) {
        return (b[pos] & 0xffL)
                | (b[pos + 1] & 0xffL) << 8
                | (b[pos + 2] & 0xffL) << 16
                | (b[pos + 3] & 0xffL) << 24;
    }

    private static int u16(byte[] b, int pos) {
        return (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
    }
}
