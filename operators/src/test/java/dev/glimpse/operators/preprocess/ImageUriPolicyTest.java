package dev.glimpse.operators.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glimpse.operators.preprocess.ImageUriPolicy.AllowedUri;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUriPolicyTest {

    private static final ImageUriPolicy POLICY =
            ImageUriPolicy.allowing(List.of("file:///data/images/", "s3://bucket/frames/"));

    private static Optional<URI> allowed(String uri) {
        return POLICY.check(uri).map(AllowedUri::uri);
    }

    @Test
    void byDefaultNoUriIsAllowed() {
        assertThat(ImageUriPolicy.INLINE_ONLY.allowsNothing()).isTrue();
        assertThat(ImageUriPolicy.INLINE_ONLY.check("file:///data/images/a.png")).isEmpty();
        assertThat(ImageUriPolicy.INLINE_ONLY.check("s3://bucket/frames/a.png")).isEmpty();
    }

    @Test
    void aUriUnderAnAllowedPrefixIsAllowedAsIs() {
        assertThat(allowed("file:///data/images/cam-1/a.png"))
                .contains(URI.create("file:///data/images/cam-1/a.png"));
        assertThat(allowed("s3://bucket/frames/2026/12/07/f.jpg"))
                .contains(URI.create("s3://bucket/frames/2026/12/07/f.jpg"));
    }

    @Test
    void theSchemeMatchesInAnyCaseAndComesOutLowerCase() {
        assertThat(allowed("FILE:///data/images/a.png"))
                .contains(URI.create("file:///data/images/a.png"));
        assertThat(allowed("S3://bucket/frames/a.png"))
                .contains(URI.create("s3://bucket/frames/a.png"));
    }

    @Test
    void pathsAndAuthoritiesMatchExactly() {
        assertThat(allowed("file:///data/Images/a.png")).isEmpty();
        assertThat(allowed("file:///data/images-evil/a.png")).isEmpty();
        assertThat(allowed("file:///data/imagesa.png")).isEmpty();
        assertThat(allowed("s3://other-bucket/frames/a.png")).isEmpty();
        assertThat(allowed("s3://BUCKET/frames/a.png")).isEmpty();
        assertThat(allowed("s3://bucket/frames")).isEmpty();
        assertThat(allowed("file:///data/images/")).as("the root itself").isEmpty();
    }

    @Test
    void otherSchemesAndTheSchemeOfAnotherPrefixAreRefused() {
        assertThat(allowed("hdfs:///data/images/a.png")).isEmpty();
        assertThat(allowed("s3:///data/images/a.png")).isEmpty();
        assertThat(allowed("file://bucket/frames/a.png")).isEmpty();
        assertThat(allowed("http://bucket/frames/a.png")).isEmpty();
    }

    @Test
    void dotDotAndDotSegmentsAreRefusedEvenUnderThePrefix() {
        assertThat(allowed("file:///data/images/../../etc/shadow")).isEmpty();
        assertThat(allowed("file:///data/images/a/../b.png")).isEmpty();
        assertThat(allowed("file:///data/images/./a.png")).isEmpty();
        assertThat(allowed("s3://bucket/frames/../secrets/key")).isEmpty();
    }

    @Test
    void percentEncodedTraversalIsSeenDecoded() {
        assertThat(allowed("file:///data/images/%2e%2e/%2e%2e/etc/shadow")).isEmpty();
        assertThat(allowed("file:///data/images/%2E%2E/x.png")).isEmpty();
        assertThat(allowed("file:///data/images/.%2e/x.png")).isEmpty();
        // %2f decodes to '/', which makes the ".." a segment of its own
        assertThat(allowed("file:///data/images/a%2f..%2f..%2fetc/shadow")).isEmpty();
        assertThat(allowed("file:///data/images/a%00.png")).isEmpty();
    }

    @Test
    void percentEncodedOrdinaryCharactersAreAllowedAndReEncoded() {
        assertThat(allowed("file:///data/images/a%20b.png"))
                .contains(URI.create("file:///data/images/a%20b.png"));
        assertThat(allowed("file:///data/%69mages/a.png"))
                .as("an encoded letter of the prefix decodes to the prefix")
                .contains(URI.create("file:///data/images/a.png"));
    }

    @Test
    void emptySegmentsQueriesFragmentsAndUserInfoAreRefused() {
        assertThat(allowed("file:///data/images//etc/shadow")).isEmpty();
        assertThat(allowed("file:///data/images/a.png?x=1")).isEmpty();
        assertThat(allowed("file:///data/images/a.png#x")).isEmpty();
        assertThat(allowed("s3://user:secret@bucket/frames/a.png")).isEmpty();
    }

    @Test
    void relativePathsAndSchemelessPathsAreRefused() {
        assertThat(allowed("images/a.png")).isEmpty();
        assertThat(allowed("../data/images/a.png")).isEmpty();
        assertThat(allowed("/data/images/a.png")).isEmpty();
        assertThat(allowed("file:data/images/a.png")).isEmpty();
        assertThat(allowed("")).isEmpty();
        assertThat(allowed("file://a b")).isEmpty();
    }

    @Test
    void prefixesMustBeAbsoluteDirectoryUris() {
        assertThatThrownBy(() -> ImageUriPolicy.allowing(List.of("file:///data/images")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "allowed image URI prefix 'file:///data/images' must be an absolute URI"
                                + " whose path ends in '/'");
        assertThatThrownBy(() -> ImageUriPolicy.allowing(List.of("/data/images/")))
                .hasMessageContaining("'/data/images/'");
        assertThatThrownBy(() -> ImageUriPolicy.allowing(List.of("file:///data/../etc/")))
                .hasMessageContaining("'file:///data/../etc/'");
        assertThatThrownBy(() -> ImageUriPolicy.allowing(List.of("file://host/data/")))
                .hasMessage(
                        "allowed image URI prefix 'file://host/data/' must name a local path"
                                + " (file:///...), not a host");
        assertThat(ImageUriPolicy.allowing(List.of("S3://bucket/frames/")).prefixes())
                .containsExactly("s3://bucket/frames/");
    }

    @Test
    void aFileInsideTheRootResolvesToItsRealPath(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("images"));
        Path file =
                Files.writeString(
                        Files.createDirectories(root.resolve("cam")).resolve("a.png"), "x");

        assertThat(resolve(root, "cam/a.png")).contains(file.toRealPath());
    }

    @Test
    void aSymlinkInsideTheRootToAFileOutsideIsRefused(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("images"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "s");
        Files.createSymbolicLink(root.resolve("link.png"), secret);
        Files.createSymbolicLink(root.resolve("out"), dir);

        assertThat(resolve(root, "link.png")).isEmpty();
        assertThat(resolve(root, "out/secret.txt")).isEmpty();
    }

    @Test
    void aMissingPathBehindAnEscapingLinkIsRefusedLikeAnExistingOne(@TempDir Path dir)
            throws Exception {
        Path root = Files.createDirectories(dir.resolve("images"));
        Files.writeString(dir.resolve("secret.txt"), "s");
        Files.createSymbolicLink(root.resolve("out"), dir);
        Files.createSymbolicLink(root.resolve("dangling.png"), dir.resolve("nothing.txt"));

        // exists outside / does not exist outside: the same answer, so nothing leaks
        assertThat(resolve(root, "out/secret.txt")).isEmpty();
        assertThat(resolve(root, "out/nothing.txt")).isEmpty();
        assertThat(resolve(root, "out/no/such/dir.png")).isEmpty();
        assertThat(resolve(root, "dangling.png")).isEmpty();
    }

    @Test
    void aMissingFileInsideTheRootIsReportedMissing(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("images"));

        assertThatThrownBy(() -> resolve(root, "no/such.png"))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aSymlinkWithinTheRootAndARootThatIsItselfALinkAreFollowed(@TempDir Path dir)
            throws Exception {
        Path real = Files.createDirectories(dir.resolve("nfs/images"));
        Path file = Files.writeString(real.resolve("a.png"), "x");
        Files.createSymbolicLink(real.resolve("alias.png"), file);
        Path linkedRoot = Files.createSymbolicLink(dir.resolve("images"), real);

        assertThat(resolve(linkedRoot, "a.png")).contains(file.toRealPath());
        assertThat(resolve(linkedRoot, "alias.png")).contains(file.toRealPath());
    }

    private static Optional<Path> resolve(Path root, String relative) throws Exception {
        String prefix = root.toUri().toString();
        prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        AllowedUri allowed =
                ImageUriPolicy.allowing(List.of(prefix)).check(prefix + relative).orElseThrow();
        return ImageUriPolicy.resolveFile(allowed);
    }
}
