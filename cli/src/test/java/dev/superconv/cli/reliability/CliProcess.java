package dev.superconv.cli.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code superconv} as a separate JVM (this JVM's java, class path and native cache), so a test can
 * kill it with SIGKILL or SIGINT like a user would. Output goes to files next to the run.
 */
final class CliProcess {
    final Process process;
    final Path stdout;
    final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static CliProcess start(Path logs, String name, String... args) throws IOException {
        Files.createDirectories(logs);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        Process p = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new CliProcess(p, out, err);
    }

    /** Like {@link #start} with stdout and stderr into one file, as {@code > log 2>&1} does ({@link #stdout} is that file). */
    static CliProcess startMerged(Path logs, String name, String... args) throws IOException {
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new CliProcess(p, log, log);
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path")));
        for (String property : new String[] {"org.bytedeco.javacpp.cachedir", "superconv.cache.dir"}) {
            if (System.getProperty(property) != null) {
                cmd.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        cmd.add("dev.superconv.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    /** Exit code; fails the test if it takes longer than {@code seconds}. */
    int waitFor(int seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("superconv did not finish in " + seconds + " s\n" + output());
        }
        return process.exitValue();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(); // SIGKILL: no hooks, no finally blocks
    }

    /**
     * True when the process ignores SIGINT: a job started in the background of a non-interactive
     * shell (e.g. {@code nohup mvn verify &}) inherits SIGINT as ignored, and the JVM keeps it so,
     * as a Unix program should. Ctrl-C then cannot reach it at all.
     */
    boolean ignoresSigint() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }

    void interrupt() throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(pid())).inheritIO().start().waitFor(); // what Ctrl-C sends
    }

    String output() throws IOException {
        return "--- stdout ---\n" + Files.readString(stdout) + "--- stderr ---\n" + Files.readString(stderr);
    }

    /** Waits until {@code file} exists (and the process is still running); false if the process ended first. */
    boolean awaitFile(Path file, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
