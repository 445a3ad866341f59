package dev.glimpse.serving.image;

import java.io.IOException;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An in-memory {@code ImageInputStream} that lets a reader hit the end of the data only {@link
 * #MAX_OVERRUNS} times, then fails with {@link Overrun}.
 *
 * <p>Why: TwelveMonkeys' WebP lossless bit reader treats end of data as zero bits and carries on
 * (it swallows the {@code EOFException}), so a 100-byte VP8L header that declares many Huffman
 * groups reads zeros, one exception per byte, for minutes (found by ImageParsingFuzzTest). An
 * {@link IOException} that is not an {@code EOFException} passes through that reader. A complete
 * image never reads past its end; the readers that tolerate a short file read a few bytes past it
 * at most.
 */
final class OverrunLimitedInputStream extends ImageInputStreamImpl {

    /** Reads past the end allowed before {@link Overrun}. */
    static final int MAX_OVERRUNS = 1024;

    /** The reader kept reading after the data ended. */
    static final class Overrun extends IIOException {
        private static final long serialVersionUID = 1L;

        Overrun(int length) {
            super(
                    "reader went on past the end of the "
                            + length
                            + " bytes of data "
                            + MAX_OVERRUNS
                            + " times");
        }
    }

    private final byte[] data;
    private int overruns;

    OverrunLimitedInputStream(byte[] data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (streamPos >= data.length) {
            return endOfData();
        }
        return data[(int) streamPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return endOfData();
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    private int endOfData() throws Overrun {
        if (++overruns > MAX_OVERRUNS) {
            throw new Overrun(data.length);
        }
        return -1;
    }
}
