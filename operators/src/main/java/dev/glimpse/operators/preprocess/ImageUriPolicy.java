package dev.glimpse.operators.preprocess;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which image URIs an event may name: an allow-list of scheme + prefix ({@code
 * file:///data/images/}, {@code s3://bucket/frames/}), empty by default (inline images only).
 *
 * <p>A URI is allowed when it is absolute, has no query, fragment or user info, its decoded path
 * has no empty, {@code .} or {@code ..} segment (so {@code %2e%2e} and {@code %2f} tricks are seen
 * decoded), and its scheme (any case), authority and path start with one allowed prefix. That
 * lexical check ({@link #check}) touches no file system, so the task thread can run it. A {@code
 * file:} URI is checked once more where it is read ({@link #resolveFile}, on a fetch thread): its
 * real path (symbolic links resolved) must lie under the real path of its root, so a link inside
 * the root cannot lead out of it.
 *
 * <p>Every refusal carries the same message for a given URI whether or not anything exists at it,
 * so a dead letter tells a sender nothing about paths outside the allowed roots. Immutable and
 * serializable.
 */
public final class ImageUriPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No URI allowed: events must carry their image inline. */
    public static final ImageUriPolicy INLINE_ONLY = new ImageUriPolicy(List.of());

    private final List<Prefix> prefixes;

    private ImageUriPolicy(List<Prefix> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * The policy allowing URIs under {@code prefixes}; each must be an absolute URI with a path
     * ending in {@code /} ({@code file:///data/images/}, {@code s3://bucket/frames/}).
     *
     * @throws IllegalArgumentException naming the first malformed prefix
     */
    public static ImageUriPolicy allowing(List<String> prefixes) {
        List<Prefix> parsed = new ArrayList<>();
        for (String p : prefixes) {
            parsed.add(Prefix.parse(p));
        }
        return new ImageUriPolicy(parsed);
    }

    /** The allowed prefixes, as configured (scheme lower-cased). */
    public List<String> prefixes() {
        return prefixes.stream().map(Prefix::toString).toList();
    }

    public boolean allowsNothing() {
        return prefixes.isEmpty();
    }

    /** Policies are equal when they allow the same prefixes (config records compare by value). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ImageUriPolicy other && prefixes().equals(other.prefixes());
    }

    @Override
    public int hashCode() {
        return prefixes().hashCode();
    }

    /**
     * The URI to read for {@code uri} when the lexical rules allow it, else empty. The URI returned
     * is rebuilt from the decoded parts that were checked (scheme lower-cased).
     */
    public Optional<AllowedUri> check(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException | NullPointerException e) {
            return Optional.empty();
        }
        Optional<Parts> parts = Parts.of(parsed);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        for (Prefix prefix : prefixes) {
            if (prefix.covers(parts.get())) {
                return Optional.of(new AllowedUri(parts.get().toUri(), prefix));
            }
        }
        return Optional.empty();
    }

    /**
     * The real path of an allowed {@code file:} URI, when it stays inside its root after symbolic
     * links are resolved; empty when it leads out. A path that does not exist is judged by its
     * nearest existing ancestor, so "missing" is only ever reported inside the root.
     *
     * @throws NoSuchFileException when the file is missing inside the root
     * @throws IOException when the file system cannot answer (the caller may retry)
     */
    static Optional<Path> resolveFile(AllowedUri allowed) throws IOException {
        Path root = resolveExisting(Path.of(allowed.prefix().path));
        Path target = Path.of(allowed.uri().getPath());
        Path existing = target;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.empty();
        }
        Path real;
        try {
            real = existing.toRealPath().resolve(existing.relativize(target));
        } catch (NoSuchFileException e) {
            // A dangling link: refused wherever it points, so that its target's existence
            // outside the root shows nowhere.
            return Optional.empty();
        }
        if (!real.startsWith(root)) {
            return Optional.empty();
        }
        if (!existing.equals(target)) {
            throw new NoSuchFileException(allowed.uri().toString());
        }
        return Optional.of(real);
    }

    private static Path resolveExisting(Path root) throws IOException {
        try {
            return root.toRealPath();
        } catch (NoSuchFileException e) {
            return root.normalize(); // nothing exists below it either: every read is "missing"
        }
    }

    @Override
    public String toString() {
        return prefixes.isEmpty() ? "inline images only" : String.join(",", prefixes());
    }

    /** A URI the lexical rules allow, and the prefix that allows it. */
    public record AllowedUri(URI uri, Prefix prefix) {

        public boolean isFile() {
            return uri.getScheme().equals("file");
        }
    }

    /** The checked parts of a URI: lower-case scheme, raw authority (null for none), path. */
    private record Parts(String scheme, String authority, String path) {

        static Optional<Parts> of(URI uri) {
            if (!uri.isAbsolute()
                    || uri.isOpaque()
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null
                    || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            String path = uri.getPath(); // decoded: %2e%2e is seen as ..
            if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
                return Optional.empty();
            }
            String[] segments = path.substring(1).split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                boolean last = i == segments.length - 1;
                if ((s.isEmpty() && !last) || s.equals(".") || s.equals("..")) {
                    return Optional.empty();
                }
            }
            String authority = uri.getRawAuthority();
            return Optional.of(
                    new Parts(
                            uri.getScheme().toLowerCase(Locale.ROOT),
                            authority == null || authority.isEmpty() ? null : authority,
                            path));
        }

        URI toUri() {
            try {
                return new URI(scheme, authority, path, null, null);
            } catch (URISyntaxException e) {
                throw new IllegalStateException("checked URI parts do not form a URI", e);
            }
        }
    }

    /** One allowed scheme + authority + path prefix. */
    public static final class Prefix implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String scheme;
        private final String authority;
        private final String path;

        private Prefix(String scheme, String authority, String path) {
            this.scheme = scheme;
            this.authority = authority;
            this.path = path;
        }

        static Prefix parse(String prefix) {
            String expected =
                    "an absolute URI whose path ends in '/', such as file:///data/images/ or"
                            + " s3://bucket/frames/";
            URI uri;
            try {
                uri = new URI(prefix.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "allowed image URI prefix '" + prefix + "' must be " + expected);
            }
            Optional<Parts> parts = Parts.of(uri);
            if (parts.isEmpty() || !parts.get().path().endsWith("/")) {
                throw new IllegalArgumentException(
                        "allowed image URI prefix '"
                                + prefix
                                + "' must be "
                                + expected
                                + ", without '.', '..', empty segments, query or fragment");
            }
            Parts p = parts.get();
            if (p.scheme().equals("file") && p.authority() != null) {
                throw new IllegalArgumentException(
                        "allowed image URI prefix '"
                                + prefix
                                + "' must name a local path (file:///...), not a host");
            }
            return new Prefix(p.scheme(), p.authority(), p.path());
        }

        boolean covers(Parts uri) {
            return scheme.equals(uri.scheme())
                    && java.util.Objects.equals(authority, uri.authority())
                    && uri.path().startsWith(path)
                    && uri.path().length() > path.length();
        }

        @Override
        public String toString() {
            return scheme + "://" + (authority == null ? "" : authority) + path;
        }
    }
}
