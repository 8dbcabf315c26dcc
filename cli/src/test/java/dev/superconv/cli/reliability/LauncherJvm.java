package dev.superconv.cli.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM started the way the {@code superconv} launcher starts one: the JVM options are read
 * from the launcher script itself (defaults of its {@code ${VAR:-default}} parts), so a test sees
 * what a user's run sees, long command line included. The class path is this JVM's.
 */
final class LauncherJvm {
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

    private LauncherJvm() {}

    /** What a child run produced. */
    record Result(int exitCode, long pid, String out, String err) {
        List<String> outLines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /** The repository root: the first folder at or above the working directory holding the launcher. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("superconv")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no superconv launcher at or above " + Path.of("").toAbsolutePath());
    }

    /** The JVM options of the launcher's {@code exec "$JDK/bin/java" ... -cp} line, expanded. */
    static List<String> launcherOptions() throws IOException {
        Path root = repositoryRoot();
        String script = Files.readString(root.resolve("superconv")).replace("\\\n", " ");
        String marker = "exec \"$JDK/bin/java\"";
        int start = script.indexOf(marker);
        int end = start < 0 ? -1 : script.indexOf(" -cp ", start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("the launcher has no '" + marker + " ... -cp' line; update LauncherJvm");
        }
        List<String> options = new ArrayList<>();
        for (String word : script.substring(start + marker.length(), end).trim().split("\\s+")) {
            Matcher m = DEFAULTED.matcher(word);
            String expanded = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)))
                    .replace("$HOME", System.getProperty("user.home"))
                    .replace("$ROOT", root.toString())
                    .replace("\"", "");
            options.add(expanded);
        }
        if (!options.contains("--add-modules")) {
            throw new IllegalStateException("unexpected launcher options " + options + "; update LauncherJvm");
        }
        return options;
    }

    /** Runs {@code mainClass args} in a child JVM with the launcher's options and {@code env} added to this environment. */
    static Result run(Path logs, String name, Map<String, String> env, String mainClass, List<String> args, int timeoutSeconds)
            throws IOException, InterruptedException {
        return run(logs, name, env, List.of(), mainClass, args, timeoutSeconds);
    }

    /** As above, with {@code jvmOptions} after the launcher's (e.g. a -D the test needs). */
    static Result run(Path logs, String name, Map<String, String> env, List<String> jvmOptions, String mainClass, List<String> args,
            int timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(logs);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launcherOptions());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(name + " did not finish in " + timeoutSeconds + " s\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), p.pid(), Files.readString(out), Files.readString(err));
    }
}
