package dev.superconv.core.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nproc N} on one machine, like {@code torchrun --nproc-per-node N}: starts N copies of a
 * command, each with {@code WORLD_SIZE}, {@code RANK}, {@code MASTER_ADDR=127.0.0.1} and a free
 * {@code MASTER_PORT} in its environment, and waits for all of them. Rank 0 keeps this process's
 * terminal (its progress bar and messages); the other ranks' output lines are copied to stderr
 * with a {@code [rank R]} prefix, so their errors stay visible.
 *
 * <p>When a rank exits with a non-zero code, the others normally fail on their own within the
 * collective timeout; those still running after {@code grace} are killed. The launcher's exit
 * code is that of the first rank that failed (0 when all succeeded), so a rank's bad-input exit
 * code 2 passes through.
 */
public final class LocalLauncher {
    private final List<String> command;
    private final int nproc;
    private final Duration grace;
    private final PrintStream errors;
    private final Map<String, String> extraEnvironment;
    private final List<Thread> pumps = new ArrayList<>();

    /**
     * @param command the worker command (see {@link #javaCommand}); it reads its rank from the environment
     * @param extraEnvironment variables set for every worker (e.g. {@code OMP_NUM_THREADS})
     */
    public LocalLauncher(List<String> command, int nproc, Duration grace, PrintStream errors, Map<String, String> extraEnvironment) {
        if (nproc < 1) {
            throw new IllegalArgumentException("nproc " + nproc + " < 1");
        }
        this.command = List.copyOf(command);
        this.nproc = nproc;
        this.grace = grace;
        this.errors = errors;
        this.extraEnvironment = Map.copyOf(extraEnvironment);
    }

    /**
     * The command line that runs {@code mainClass} in a JVM like this one: same java binary, JVM
     * flags (modules, native access, JavaCPP cache, heap) and class path.
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would make every worker try to bind the same port.
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** A TCP port that was free on the loopback interface a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port for the rendezvous", e);
        }
    }

    /** Runs the job to the end; returns 0 or the exit code of the first rank that failed. */
    public int run() throws IOException, InterruptedException {
        DistributedConfig job = new DistributedConfig(nproc, 0, "127.0.0.1", freePort(), DistributedConfig.Backend.GLOO,
                DistributedConfig.DEFAULT_TIMEOUT);
        List<Process> ranks = new ArrayList<>();
        Thread killer = new Thread(() -> ranks.forEach(Process::destroyForcibly), "superconv-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            for (int rank = 0; rank < nproc; rank++) {
                ProcessBuilder builder = new ProcessBuilder(command);
                builder.environment().putAll(extraEnvironment);
                builder.environment().putAll(job.withRank(rank).environment());
                if (rank == 0) {
                    builder.inheritIO();
                } else {
                    builder.redirectErrorStream(true);
                    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                }
                Process p = builder.start();
                ranks.add(p);
                if (rank > 0) {
                    copyPrefixed(p.getInputStream(), "[rank " + rank + "] ");
                }
            }
            int code = await(ranks);
            for (Thread pump : pumps) {
                pump.join(2000);
            }
            return code;
        } finally {
            ranks.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running already: it kills the workers itself.
            }
        }
    }

    private int await(List<Process> ranks) throws InterruptedException {
        int firstFailure = 0;
        int failedRank = -1;
        long deadline = Long.MAX_VALUE;
        while (true) {
            boolean anyAlive = false;
            for (int rank = 0; rank < ranks.size(); rank++) {
                Process p = ranks.get(rank);
                if (p.isAlive()) {
                    anyAlive = true;
                } else if (p.exitValue() != 0 && failedRank < 0) {
                    failedRank = rank;
                    firstFailure = p.exitValue();
                    deadline = System.nanoTime() + grace.toNanos();
                    errors.println("rank " + rank + " exited with code " + firstFailure + "; stopping the job");
                }
            }
            if (!anyAlive) {
                return firstFailure;
            }
            if (System.nanoTime() > deadline) {
                for (int rank = 0; rank < ranks.size(); rank++) {
                    if (ranks.get(rank).isAlive()) {
                        errors.println("rank " + rank + " still running " + grace.toSeconds() + " s after rank " + failedRank + " failed: killed");
                        ranks.get(rank).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                return firstFailure;
            }
            Thread.sleep(100);
        }
    }

    private void copyPrefixed(InputStream in, String prefix) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    errors.println(prefix + line);
                }
            } catch (IOException e) {
                errors.println(prefix + "(output lost: " + e.getMessage() + ")");
            }
        }, "superconv-launcher-" + prefix.trim());
        pump.setDaemon(true);
        pump.start();
        pumps.add(pump);
    }
}
