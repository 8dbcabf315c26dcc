package dev.superconv.core.distributed;

import dev.superconv.core.BadInputException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where this process sits in a data-parallel job and how it meets the others: W ranks, this
 * rank, the rendezvous (by default a TCP store that rank 0 hosts at the master address), the
 * collective backend and the timeout after which a missing or dead peer is an error instead of a
 * hang.
 *
 * @param worldSize number of processes W (1: not distributed)
 * @param rank this process, {@code 0 <= rank < worldSize}; rank 0 is the primary that writes files
 * @param rendezvous where the ranks meet
 * @param backend collective backend
 * @param timeout rendezvous and per-collective timeout
 */
public record DistributedConfig(int worldSize, int rank, Rendezvous rendezvous, Backend backend, Duration timeout) {

    /** The PyTorch environment variables, as set by torchrun and by {@code --nproc}. */
    public static final String ENV_WORLD_SIZE = "WORLD_SIZE";
    public static final String ENV_RANK = "RANK";
    public static final String ENV_MASTER_ADDR = "MASTER_ADDR";
    public static final String ENV_MASTER_PORT = "MASTER_PORT";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final Rendezvous LOCAL = new Rendezvous.Tcp("127.0.0.1", 29500);

    /** Collective backends of libtorch c10d. */
    public enum Backend {
        /** ProcessGroupGloo: CPU tensors over TCP. */
        GLOO,
        /** ProcessGroupNCCL: CUDA tensors; needs the CUDA build and a GPU. */
        NCCL;

        public static Backend parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--backend " + name + ": unknown backend (expected gloo or nccl)");
            }
        }
    }

    public DistributedConfig {
        if (worldSize < 1) {
            throw new BadInputException("world size " + worldSize + ": must be at least 1");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new BadInputException("rank " + rank + ": must be in [0, " + worldSize + ") for world size " + worldSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new BadInputException("distributed timeout " + timeout + ": must be positive");
        }
    }

    /** A TCP rendezvous at {@code host:port}. */
    public DistributedConfig(int worldSize, int rank, String host, int port, Backend backend, Duration timeout) {
        this(worldSize, rank, new Rendezvous.Tcp(host, port), backend, timeout);
    }

    /** One process, no peers: the trainer skips every collective. */
    public static DistributedConfig single() {
        return new DistributedConfig(1, 0, LOCAL, Backend.GLOO, DEFAULT_TIMEOUT);
    }

    /**
     * Combines the command-line flags with the environment: a flag wins over its variable; with
     * neither a world-size flag nor {@code WORLD_SIZE} the job is a single process.
     *
     * @param worldSizeFlag {@code --world-size}, or null when not given
     * @param rankFlag {@code --rank}, or null when not given
     * @param masterFlag {@code --master ADDR:PORT} (IPv6 as {@code [addr]:port}) or {@code file:PATH}, or null when not given
     */
    public static DistributedConfig resolve(Integer worldSizeFlag, Integer rankFlag, String masterFlag,
                                            Map<String, String> env, Backend backend, Duration timeout) {
        // Unset flags and variables are null here: "not given" is a state of its own.
        Integer world = worldSizeFlag != null ? worldSizeFlag : intVariable(env, ENV_WORLD_SIZE);
        Integer rank = rankFlag != null ? rankFlag : intVariable(env, ENV_RANK);
        if (world == null) {
            if (rankFlag != null || masterFlag != null) {
                throw new BadInputException("--rank/--master need --world-size (or " + ENV_WORLD_SIZE + ")");
            }
            return new DistributedConfig(1, 0, LOCAL, backend, timeout);
        }
        if (rank == null) {
            throw new BadInputException("world size " + world + " needs this process's rank: give --rank R or set " + ENV_RANK);
        }
        String masterAddr = env.get(ENV_MASTER_ADDR);
        if (world == 1 && masterFlag == null && masterAddr == null) {
            return new DistributedConfig(1, rank, LOCAL, backend, timeout);
        }
        Rendezvous rendezvous;
        if (masterFlag != null) {
            rendezvous = Rendezvous.parse(masterFlag, "--master");
        } else if (masterAddr != null && masterAddr.startsWith("file:")) {
            rendezvous = Rendezvous.parse(masterAddr, ENV_MASTER_ADDR);
        } else {
            String portText = env.get(ENV_MASTER_PORT);
            if (masterAddr == null || portText == null) {
                throw new BadInputException("world size " + world + " needs the rendezvous address: give --master ADDR:PORT or set "
                        + ENV_MASTER_ADDR + " and " + ENV_MASTER_PORT);
            }
            rendezvous = new Rendezvous.Tcp(masterAddr, Rendezvous.port(portText));
        }
        return new DistributedConfig(world, rank, rendezvous, backend, timeout);
    }

    public boolean distributed() {
        return worldSize > 1;
    }

    /** Rank 0: the only rank that writes checkpoints, metrics, plots and the progress bar. */
    public boolean primary() {
        return rank == 0;
    }

    /** The same job seen from another rank (what {@code --nproc} hands each worker it spawns). */
    public DistributedConfig withRank(int otherRank) {
        return new DistributedConfig(worldSize, otherRank, rendezvous, backend, timeout);
    }

    /** The environment variables that describe this rank to a child process. */
    public Map<String, String> environment() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(ENV_WORLD_SIZE, Integer.toString(worldSize));
        vars.put(ENV_RANK, Integer.toString(rank));
        switch (rendezvous) {
            case Rendezvous.Tcp tcp -> {
                vars.put(ENV_MASTER_ADDR, tcp.host());
                vars.put(ENV_MASTER_PORT, Integer.toString(tcp.port()));
            }
            case Rendezvous.SharedFile file -> vars.put(ENV_MASTER_ADDR, file.describe());
        }
        return vars;
    }

    private static Integer intVariable(Map<String, String> env, String name) {
        String text = env.get(name);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException(name + "='" + text + "': not an integer");
        }
    }
}
