package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.LocalLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Data-parallel flags of {@code superconv train}: local workers (--nproc) or one rank of a multi-machine job. */
public final class DistributedOptions {
    @Option(names = "--nproc", paramLabel = "N", description = "Data-parallel training in N worker processes on this machine (each gets cores / N threads unless --threads).")
    Integer nproc;

    @Option(names = "--world-size", paramLabel = "W", description = "Processes in the whole job (default: WORLD_SIZE, else 1).")
    Integer worldSize;

    @Option(names = "--rank", paramLabel = "R", description = "This process's rank, 0 … W-1 (default: RANK); rank 0 writes the run files.")
    Integer rank;

    @Option(names = "--master", paramLabel = "ADDR:PORT", description = "Rendezvous: rank 0's ADDR:PORT (TCPStore) or file:PATH on shared storage (default: MASTER_ADDR, MASTER_PORT).")
    String master;

    @Option(names = "--backend", paramLabel = "gloo|nccl", defaultValue = "gloo", description = "Process-group backend: gloo (CPU) or nccl (CUDA) (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--dist-timeout", paramLabel = "SECONDS", defaultValue = "60", description = "A rank waits at most this long for the others before stopping with an error (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /**
     * Ctrl-C: how long the workers may take to finish their step (or test pass), save last.pt and
     * exit before the launcher kills them.
     */
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    /** Flags that may change on --resume: they say where the ranks run, not what is trained. */
    static final List<String> FLAGS = List.of("--nproc", "--world-size", "--rank", "--master", "--backend", "--dist-timeout");

    /** True in the process that was asked for --nproc N > 1 and is not itself a worker: it launches and waits. */
    boolean launchesWorkers() {
        if (nproc != null && nproc < 1) {
            throw new BadInputException("--nproc " + nproc + " must be at least 1");
        }
        if (nproc != null && nproc > 1 && (worldSize != null || rank != null || master != null)) {
            throw new BadInputException("--nproc starts its own ranks on this machine; drop --world-size/--rank/--master");
        }
        return nproc != null && nproc > 1 && System.getenv(DistributedConfig.ENV_RANK) == null;
    }

    /**
     * Re-runs this command line in {@code nproc} JVMs (without --nproc, ranks from the environment)
     * and returns the first failing worker's exit code, or 0.
     */
    int launch(CommandSpec command, Integer threadsFlag, List<String> extraArgs) {
        PrintStream errors = linesTo(command.commandLine().getErr());
        List<String> args = new ArrayList<>();
        List<String> original = command.root().commandLine().getParseResult().originalArgs();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--nproc")) {
                i++; // and its value
            } else if (!a.startsWith("--nproc=")) {
                args.add(a);
            }
        }
        args.addAll(extraArgs);
        if (threadsFlag == null) {
            args.add("--threads");
            args.add(String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / nproc)));
        }
        List<String> java = new ArrayList<>(LocalLauncher.javaCommand(Main.class.getName(), args));
        // superconv.* properties set at run time (data cache, tests) reach the workers too
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("superconv.")).sorted()
                .forEach(k -> java.add(1, "-D" + k + "=" + System.getProperty(k)));
        LocalLauncher launcher = new LocalLauncher(java, nproc, Duration.ofSeconds(timeoutSeconds + 30L), STOP_GRACE, errors, Map.of());
        try {
            return launcher.run();
        } catch (IOException e) {
            throw new BadInputException("--nproc: cannot start the worker processes: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** This process's place in the job: flags, else WORLD_SIZE/RANK/MASTER_ADDR/MASTER_PORT, else a single process. */
    DistributedConfig resolve() {
        if (timeoutSeconds < 1) {
            throw new BadInputException("--dist-timeout " + timeoutSeconds + " must be at least 1 second");
        }
        return DistributedConfig.resolve(worldSize, rank, master, System.getenv(),
                DistributedConfig.Backend.parse(backend), Duration.ofSeconds(timeoutSeconds));
    }

    /** The launcher prints the other ranks' lines to a PrintStream; this one hands whole lines to picocli's err writer. */
    private static PrintStream linesTo(PrintWriter err) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    err.println(line.toString(StandardCharsets.UTF_8));
                    err.flush();
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }
}
