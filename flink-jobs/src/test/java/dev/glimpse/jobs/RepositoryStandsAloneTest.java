package dev.glimpse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing in the repository names a file outside it: a clone with nothing beside it builds, tests
 * and reads completely. Checks every text file of the checkout (the files git tracks, or the
 * working tree without build outputs where git is not available) for references to folders beside
 * the repository, to documents that only existed outside it, to machine paths, and to repository
 * paths or markdown links that do not resolve to a file of the repository.
 */
class RepositoryStandsAloneTest {

    /** Folders that lay beside the repository while it was written, and were never part of it. */
    private static final Pattern BESIDE_THE_REPOSITORY =
            Pattern.compile(
                    "\\.\\./shared\\b"
                            + "|(?<![\\w-])shared/(?:testdata|minicpmv|k8s-schemas|hooks)\\b"
                            + "|\"shared\",\\s*\"testdata\"");

    /** Documents of the team guide that lived outside the repository (docs/ holds their parts). */
    private static final Pattern OUTSIDE_DOCUMENT =
            Pattern.compile(
                    "\\b(?:(?:DESIGN|STYLE|TOOLCHAIN|TRAINING|SPEC)"
                            + "(?:\\.md\\b|\\s+(?:§|section\\b|\\d))"
                            + "|test_vectors\\.md\\b)");

    /** Absolute paths of the machines the project was built on. */
    private static final Pattern MACHINE_PATH = Pattern.compile("(?<![\\w.])/work/\\w");

    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static Path root;
    private static List<Path> textFiles;
    private static Pattern repositoryPath;

    @BeforeAll
    static void readTheCheckout() throws IOException {
        root = RepositoryRoot.find();
        textFiles = new ArrayList<>();
        Set<String> topFolders = new TreeSet<>();
        for (Path file : checkoutFiles()) {
            Path relative = root.relativize(file);
            if (relative.getNameCount() > 1) {
                topFolders.add(relative.getName(0).toString());
            }
            if (isText(file)) {
                textFiles.add(file);
            }
        }
        // a path that starts with a top-level folder, e.g. docs/model.md or testdata/real-images
        repositoryPath =
                Pattern.compile(
                        "(?<![\\w./-])((?:"
                                + String.join("|", topFolders.stream().map(Pattern::quote).toList())
                                + ")/[\\w./-]*\\w)");
    }

    @Test
    void theCheckoutHasTextFilesToCheck() {
        assertThat(textFiles)
                .contains(root.resolve("README.md"), root.resolve("pom.xml"))
                .hasSizeGreaterThan(100);
    }

    @Test
    void noFileNamesAFolderBesideTheRepository() {
        assertThat(matches(BESIDE_THE_REPOSITORY)).isEmpty();
    }

    @Test
    void noFileCitesADocumentThatIsNotInTheRepository() {
        assertThat(matches(OUTSIDE_DOCUMENT)).isEmpty();
    }

    @Test
    void noFileNamesAPathOfTheMachineItWasWrittenOn() {
        assertThat(matches(MACHINE_PATH)).isEmpty();
    }

    @Test
    void everyRelativeMarkdownLinkLeadsToAFileOfTheRepository() {
        List<String> broken = new ArrayList<>();
        for (Path file : textFiles) {
            if (!file.getFileName().toString().endsWith(".md")) {
                continue;
            }
            forEachLine(
                    file,
                    (number, line) -> {
                        Matcher m = MARKDOWN_LINK.matcher(line);
                        while (m.find()) {
                            String target = m.group(1);
                            if (target.startsWith("#") || target.matches("^[a-z][a-z+.-]*:.*")) {
                                continue; // an anchor on the same page, or a URL
                            }
                            String path = target.replaceFirst("#.*$", "");
                            Path resolved = file.getParent().resolve(path).normalize();
                            if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                                broken.add(where(file, number) + target);
                            }
                        }
                    });
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void everyRepositoryPathAFileNamesExists() {
        List<String> missing = new ArrayList<>();
        for (Path file : textFiles) {
            forEachLine(
                    file,
                    (number, line) -> {
                        Matcher m = repositoryPath.matcher(line);
                        while (m.find()) {
                            String path = m.group(1);
                            if (isPatternOrBuildOutput(path, line, m.end())) {
                                continue;
                            }
                            if (!Files.exists(root.resolve(path))) {
                                missing.add(where(file, number) + path);
                            }
                        }
                    });
        }
        assertThat(missing).isEmpty();
    }

    /** Globs ({@code a/*.txt}), placeholders ({@code a/{x}}), elisions and build outputs. */
    private static boolean isPatternOrBuildOutput(String path, String line, int end) {
        int i = end;
        while (i < line.length() && "-./".indexOf(line.charAt(i)) >= 0) {
            i++; // the match ends at a word character: look past e.g. "engine-run-{a,b}.txt"
        }
        char next = i < line.length() ? line.charAt(i) : ' ';
        return path.contains("...")
                || path.contains("/target/")
                || path.endsWith("/target")
                || next == '*'
                || next == '{'
                || next == '<'
                || next == '[';
    }

    private static List<String> matches(Pattern pattern) {
        List<String> found = new ArrayList<>();
        for (Path file : textFiles) {
            forEachLine(
                    file,
                    (number, line) -> {
                        Matcher m = pattern.matcher(line);
                        while (m.find()) {
                            found.add(where(file, number) + m.group());
                        }
                    });
        }
        return found;
    }

    private interface LineVisitor {
        void visit(int number, String line);
    }

    private static void forEachLine(Path file, LineVisitor visitor) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                visitor.visit(i + 1, lines.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    private static String where(Path file, int line) {
        return root.relativize(file) + ":" + line + ": ";
    }

    /** UTF-8 without NUL bytes, under 2 MB (model graphs, images and weights are skipped). */
    private static boolean isText(Path file) throws IOException {
        if (Files.size(file) > 2_000_000) {
            return false;
        }
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The files git tracks; without git, the working tree minus build outputs and hidden folders.
     */
    private static List<Path> checkoutFiles() throws IOException {
        List<Path> tracked = gitLsFiles();
        if (tracked != null) {
            return tracked;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(
                            p -> {
                                for (Path part : root.relativize(p)) {
                                    String name = part.toString();
                                    if (name.equals("target")
                                            || name.equals("__pycache__")
                                            || name.startsWith(".")) {
                                        return false;
                                    }
                                }
                                return true;
                            })
                    .toList();
        }
    }

    private static List<Path> gitLsFiles() {
        try {
            Process git =
                    new ProcessBuilder("git", "ls-files", "-z")
                            .directory(root.toFile())
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
            byte[] out = git.getInputStream().readAllBytes();
            if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return null;
            }
            List<Path> files = new ArrayList<>();
            for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
                Path file = root.resolve(name);
                if (!name.isEmpty() && Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
            return files;
        } catch (IOException e) {
            return null; // no git on this machine: walk the tree instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
