package dev.glimpse.jobs.helm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static check that a Dockerfile's stages built on a base image never need root while they run as
 * the base image's non-root user. Docker cannot run where the project is built, so this reads the
 * text.
 *
 * <p>The base image is described by its own Dockerfile: its last {@code USER} is the user the
 * derived stage starts as, its {@code useradd --uid} gives that user's uid, and its {@code chown -R
 * user ...} steps (with {@code .} resolved against {@code WORKDIR}) give the paths the user owns.
 * In each stage {@code FROM} that image (after {@code ARG} defaults are substituted), until a
 * {@code USER} switches to root, a {@code RUN} fails the check when one of its commands
 *
 * <ul>
 *   <li>needs root whatever its arguments ({@code chown}, {@code chgrp}, package managers, user and
 *       group tools, {@code setcap}, {@code su}/{@code sudo}/{@code gosu}), or
 *   <li>writes ({@code mkdir}, {@code cp}, {@code mv}, {@code rm}, {@code touch}, {@code ln},
 *       {@code chmod}, {@code install}, {@code tee}) a path the user does not own: owned are the
 *       base image's paths of that user, {@code COPY --chown} destinations of the stage, {@code
 *       /tmp} and {@code /dev/null}; everything else, {@code COPY} destinations without {@code
 *       --chown} included, is root's.
 * </ul>
 *
 * <p>Shell parsing is deliberately simple: commands split at {@code ;}, {@code &&}, {@code ||},
 * {@code |} and shell keywords; {@code cd} changes the directory relative paths resolve against;
 * redirections and options are skipped. Stateless.
 */
final class DockerfileUserCheck {

    private static final List<String> ROOT_ONLY =
            List.of(
                    "chown",
                    "chgrp",
                    "apt-get",
                    "apt",
                    "dpkg",
                    "apk",
                    "yum",
                    "dnf",
                    "microdnf",
                    "rpm",
                    "useradd",
                    "groupadd",
                    "usermod",
                    "groupmod",
                    "adduser",
                    "addgroup",
                    "setcap",
                    "su",
                    "sudo",
                    "gosu",
                    "chroot",
                    "mount");
    private static final List<String> WRITERS =
            List.of("mkdir", "cp", "mv", "rm", "touch", "ln", "chmod", "install", "tee");
    private static final List<String> KEYWORDS =
            List.of(
                    "if", "then", "else", "elif", "fi", "do", "done", "while", "for", "!", "{",
                    "}");
    private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    /** One instruction: its keyword (upper case), its arguments, its first line number. */
    record Instruction(String keyword, String args, int line) {}

    /** What the base image leaves: its final user, that user's uid, and the paths the user owns. */
    record BaseImage(String user, String uid, List<String> ownedPaths) {

        /** Reads the base image's Dockerfile. */
        static BaseImage of(String dockerfile) {
            String user = "root";
            Map<String, String> uids = new HashMap<>();
            Map<String, List<String>> owned = new HashMap<>();
            Map<String, String> env = new HashMap<>();
            String workdir = "/";
            for (Instruction i : parse(dockerfile)) {
                switch (i.keyword()) {
                    case "USER" -> user = i.args().split(":")[0].trim();
                    case "ENV" -> {
                        for (String kv : i.args().split("\\s+")) {
                            int eq = kv.indexOf('=');
                            if (eq > 0) {
                                env.put(kv.substring(0, eq), substitute(kv.substring(eq + 1), env));
                            }
                        }
                    }
                    case "WORKDIR" -> workdir = resolve(workdir, substitute(i.args().trim(), env));
                    case "RUN" -> {
                        String run = substitute(i.args(), env);
                        Matcher add =
                                Pattern.compile(
                                                "useradd\\b[^;&|]*?--uid[= ](\\d+)[^;&|]*?\\s(\\w+)\\s*(?:$|[;&|])")
                                        .matcher(run);
                        while (add.find()) {
                            uids.put(add.group(2), add.group(1));
                        }
                        Matcher chown =
                                Pattern.compile("chown\\s+-R\\s+(\\w+)(?::\\w+)?\\s+([^;&|\\s]+)")
                                        .matcher(run);
                        while (chown.find()) {
                            owned.computeIfAbsent(chown.group(1), k -> new ArrayList<>())
                                    .add(resolve(workdir, chown.group(2)));
                        }
                    }
                    default -> {}
                }
            }
            return new BaseImage(
                    user, uids.getOrDefault(user, user), owned.getOrDefault(user, List.of()));
        }
    }

    private final String baseImageRef;
    private final BaseImage base;

    /**
     * @param baseImageRef the image reference the checked stages start {@code FROM}, e.g. {@code
     *     flink:2.2.0-java17}
     * @param baseDockerfile that image's Dockerfile
     */
    DockerfileUserCheck(String baseImageRef, String baseDockerfile) {
        this.baseImageRef = baseImageRef;
        this.base = BaseImage.of(baseDockerfile);
    }

    BaseImage base() {
        return base;
    }

    /** The violations in {@code dockerfile}, each naming the line, the command and the user. */
    List<String> violations(String dockerfile) {
        List<String> out = new ArrayList<>();
        analyse(dockerfile, out);
        return out;
    }

    /** The image each stage starts FROM, with ARG defaults substituted, in order. */
    static List<String> stageImages(String dockerfile) {
        Map<String, String> args = new HashMap<>();
        List<String> images = new ArrayList<>();
        for (Instruction i : parse(dockerfile)) {
            if (i.keyword().equals("ARG") && images.isEmpty()) {
                String a = i.args().trim();
                int eq = a.indexOf('=');
                if (eq > 0) {
                    args.put(a.substring(0, eq), a.substring(eq + 1));
                }
            } else if (i.keyword().equals("FROM")) {
                images.add(substitute(i.args().trim().split("\\s+")[0], args));
            }
        }
        return images;
    }

    /**
     * The user the last stage runs as, as a uid when the base image tells it; "root" by default.
     */
    String finalUser(String dockerfile) {
        return analyse(dockerfile, new ArrayList<>());
    }

    private String analyse(String dockerfile, List<String> out) {
        Map<String, String> args = new HashMap<>();
        boolean inStage = false;
        boolean fromBase = false;
        String user = "root";
        String workdir = "/";
        List<String> owned = new ArrayList<>();
        List<String> rootOwned = new ArrayList<>();
        for (Instruction i : parse(dockerfile)) {
            switch (i.keyword()) {
                case "ARG" -> {
                    String a = i.args().trim();
                    int eq = a.indexOf('=');
                    if (eq > 0 && (!inStage || !args.containsKey(a.substring(0, eq)))) {
                        args.put(a.substring(0, eq), a.substring(eq + 1));
                    }
                }
                case "FROM" -> {
                    inStage = true;
                    String image = substitute(i.args().trim().split("\\s+")[0], args);
                    fromBase = image.equals(baseImageRef);
                    user = fromBase ? base.user() : "root";
                    workdir = "/";
                    owned = new ArrayList<>(fromBase ? base.ownedPaths() : List.of());
                    owned.add("/tmp");
                    owned.add("/dev/null");
                    rootOwned = new ArrayList<>();
                }
                case "USER" -> user = i.args().trim().split(":")[0];
                case "WORKDIR" -> workdir = resolve(workdir, i.args().trim());
                case "COPY", "ADD" -> {
                    String[] words = i.args().trim().split("\\s+");
                    String dest = resolve(workdir, substitute(words[words.length - 1], args));
                    boolean chown = false;
                    for (String w : words) {
                        if (w.startsWith("--chown=")) {
                            String owner = w.substring("--chown=".length()).split(":")[0];
                            chown = owner.equals(user) || owner.equals(uid(user));
                        }
                    }
                    (chown ? owned : rootOwned).add(dest);
                }
                case "RUN" -> {
                    if (!isRoot(user)) {
                        checkRun(i, user, workdir, owned, rootOwned, out);
                    }
                }
                default -> {}
            }
        }
        return isRoot(user) ? "root" : uid(user);
    }

    private void checkRun(
            Instruction run,
            String user,
            String workdir,
            List<String> owned,
            List<String> rootOwned,
            List<String> out) {
        String why =
                " runs as " + user + " (" + baseImageRef + " ends with USER " + base.user() + ")";
        String cwd = workdir;
        for (String command : run.args().split("&&|\\|\\||;|\\|")) {
            List<String> words = new ArrayList<>(List.of(command.trim().split("\\s+")));
            while (!words.isEmpty()
                    && (KEYWORDS.contains(words.get(0)) || words.get(0).isEmpty())) {
                words.remove(0);
            }
            if (words.isEmpty()) {
                continue;
            }
            String program = words.get(0);
            List<String> operands = operands(words);
            if (program.equals("cd") && !operands.isEmpty()) {
                cwd = resolve(cwd, operands.get(0));
            } else if (ROOT_ONLY.contains(program)) {
                out.add(
                        "line "
                                + run.line()
                                + ": `"
                                + command.trim()
                                + "` needs root, but the step"
                                + why);
            } else if (WRITERS.contains(program)) {
                List<String> targets =
                        switch (program) {
                            case "cp", "mv", "ln", "install" ->
                                    operands.isEmpty()
                                            ? List.of()
                                            : List.of(operands.get(operands.size() - 1));
                            case "chmod" ->
                                    operands.isEmpty()
                                            ? List.of()
                                            : operands.subList(1, operands.size());
                            default -> operands;
                        };
                for (String target : targets) {
                    String path = resolve(cwd, target);
                    if (!ownedBy(path, owned, rootOwned)) {
                        out.add(
                                "line "
                                        + run.line()
                                        + ": `"
                                        + command.trim()
                                        + "` writes "
                                        + path
                                        + ", which "
                                        + user
                                        + " does not own; the step"
                                        + why);
                    }
                }
            }
        }
    }

    /**
     * The longest matching prefix decides: a root-owned COPY inside an owned directory is root's.
     */
    private static boolean ownedBy(String path, List<String> owned, List<String> rootOwned) {
        int best = -1;
        boolean isOwned = false;
        for (String p : owned) {
            if (under(path, p) && p.length() > best) {
                best = p.length();
                isOwned = true;
            }
        }
        for (String p : rootOwned) {
            if (under(path, p) && p.length() >= best) {
                best = p.length();
                isOwned = false;
            }
        }
        return isOwned;
    }

    private static boolean under(String path, String prefix) {
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return path.equals(p) || path.startsWith(p + "/");
    }

    /** Operands: the words after the program that are neither options nor redirections. */
    private static List<String> operands(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words.subList(1, words.size())) {
            if (w.startsWith("-") || w.matches("\\d*>.*|<.*") || w.isEmpty()) {
                continue;
            }
            out.add(w);
        }
        return out;
    }

    private boolean isRoot(String user) {
        return user.equals("root") || user.equals("0");
    }

    private String uid(String user) {
        return user.equals(base.user()) ? base.uid() : user;
    }

    /** Instructions with line continuations joined and comment lines (also inside them) dropped. */
    static List<Instruction> parse(String dockerfile) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = null;
        int start = 0;
        String[] lines = dockerfile.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (current == null && trimmed.isEmpty())) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            String body = continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
            if (current == null) {
                current = new StringBuilder(body);
                start = n + 1;
            } else {
                current.append(' ').append(body);
            }
            if (!continues) {
                String text = current.toString().trim();
                int space = text.indexOf(' ');
                String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
                out.add(
                        new Instruction(
                                keyword, space < 0 ? "" : text.substring(space + 1), start));
                current = null;
            }
        }
        return out;
    }

    private static String substitute(String text, Map<String, String> vars) {
        Matcher m = VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(
                    sb, Matcher.quoteReplacement(vars.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(sb).toString();
    }

    private static String resolve(String cwd, String path) {
        String p = path.replaceAll("^[\"']|[\"']$", "");
        String joined = p.startsWith("/") ? p : (cwd.endsWith("/") ? cwd : cwd + "/") + p;
        List<String> parts = new ArrayList<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
