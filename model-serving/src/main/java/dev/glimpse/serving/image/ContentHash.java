package dev.glimpse.serving.image;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 of decoded pixels: width and height (big-endian int32 each), then the RGB bytes.
 *
 * <p>Hashing pixels rather than the encoded file makes a picture re-encoded losslessly (PNG with
 * other compression, BMP, TIFF) hash the same, so the encoder and prefix caches can reuse its
 * vision outputs; the size is included so that a reshaped buffer never collides. Immutable.
 */
public final class ContentHash {

    private final byte[] digest; // 32 bytes

    private ContentHash(byte[] digest) {
        this.digest = digest;
    }

    public static ContentHash of(RgbImage image) {
        MessageDigest sha = sha256();
        sha.update(ByteBuffer.allocate(8).putInt(image.width()).putInt(image.height()).array());
        sha.update(image.pixels());
        return new ContentHash(sha.digest());
    }

    /** The 32 digest bytes (a copy). */
    public byte[] bytes() {
        return digest.clone();
    }

    /** Lower-case hex, 64 characters. */
    public String hex() {
        return HexFormat.of().formatHex(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentHash other && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return hex();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
