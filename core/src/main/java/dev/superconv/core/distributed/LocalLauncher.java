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
 *
 * <p>On SIGINT or SIGTERM (Ctrl-C, {@code kill}) the JVM runs this launcher's shutdown hook: it
 * sends every worker SIGTERM, which a worker JVM treats like Ctrl-C (stop after the current step,
 * save last.pt, release the lock), and waits up to {@code stopGrace} for all of them; a worker
 * still running then is killed, with a message. The launcher then exits as the signal says
 * (130 after SIGINT, 143 after SIGTERM). Killing the workers at once would race their save.
 */
public final class LocalLauncher {
    private final List<String> command;
    private final int nproc;
    private final Duration grace;
    private final Duration stopGrace;
    private final PrintStream errors;
    private final Map<String, String> extraEnvironment;
    private final List<Thread> pumps = new ArrayList<>();
    /** The started workers; guarded by itself, with {@link #stopping}, so that none starts after the hook looked. */
    private final List<Process> ranks = new ArrayList<>();
    private volatile boolean stopping;

    /**
     * @param command the worker command (see {@link #javaCommand}); it reads its rank from the environment
     * @param grace how long the other ranks may run on after one failed
     * @param stopGrace how long the workers may take to save and exit after SIGINT/SIGTERM
     * @param extraEnvironment variables set for every worker (e.g. {@code OMP_NUM_THREADS})
     */
    public LocalLauncher(List<String> command, int nproc, Duration grace, Duration stopGrace, PrintStream errors,
            Map<String, String> extraEnvironment) {
        if (nproc < 1) {
            throw new IllegalArgumentException("nproc " + nproc + " < 1");
        }
        this.command = List.copyOf(command);
        this.nproc = nproc;
        this.grace = grace;
        this.stopGrace = stopGrace;
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
        Thread stopper = new Thread(this::stopWorkers, "superconv-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
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
                Process p;
                synchronized (ranks) {
                    if (stopping) {
                        break;
                    }
                    p = builder.start();
                    ranks.add(p);
                }
                if (rank > 0) {
                    copyPrefixed(p.getInputStream(), "[rank " + rank + "] ");
                }
            }
            int code = await(started());
            for (Thread pump : pumps) {
                pump.join(2000);
            }
            return code;
        } finally {
            if (!stopping) {
                started().forEach(Process::destroyForcibly); // an exception here: no worker may outlive the launcher
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it stops the workers and waits for them itself.
            }
        }
    }

    private List<Process> started() {
        synchronized (ranks) {
            return List.copyOf(ranks);
        }
    }

    /** The shutdown hook: SIGTERM to every worker, then up to {@code stopGrace} for them to save and exit. */
    private void stopWorkers() {
        List<Process> workers;
        synchronized (ranks) {
            stopping = true;
            workers = List.copyOf(ranks);
        }
        if (workers.stream().noneMatch(Process::isAlive)) {
            return;
        }
        errors.println("interrupted: asking the " + workers.size() + " workers to save last.pt and stop (at most "
                + stopGrace.toSeconds() + " s)");
        workers.forEach(Process::destroy); // SIGTERM
        long deadline = System.nanoTime() + stopGrace.toNanos();
        for (int rank = 0; rank < workers.size(); rank++) {
            Process p = workers.get(rank);
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    errors.println("rank " + rank + " did not stop within " + stopGrace.toSeconds() + " s of the interrupt: killed");
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
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
                } else if (p.exitValue() != 0 && failedRank < 0 && !stopping) { // after a signal the hook is in charge
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
