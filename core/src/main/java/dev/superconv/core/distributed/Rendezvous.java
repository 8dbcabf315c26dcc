package dev.superconv.core.distributed;

import dev.superconv.core.BadInputException;
import java.nio.file.Path;

/** How the ranks of a job find each other before the process group connects them. */
public sealed interface Rendezvous {

    /** {@code --master ADDR:PORT} in the form the user writes it ({@code file:PATH} for a shared file). */
    String describe();

    /**
     * A TCP key-value store that rank 0 hosts on {@code port}; every rank must reach
     * {@code host:port}. The default, and what {@code --nproc} uses on 127.0.0.1.
     */
    record Tcp(String host, int port) implements Rendezvous {
        public Tcp {
            if (host == null || host.isBlank()) {
                throw new BadInputException("master address is empty (give --master ADDR:PORT or " + DistributedConfig.ENV_MASTER_ADDR + ")");
            }
            if (port < 1 || port > 65535) {
                throw new BadInputException("master port " + port + ": must be in 1..65535");
            }
        }

        @Override
        public String describe() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * A file on a file system every rank mounts (NFS, a shared disk): no open port needed. The
     * file must not exist from an earlier job; libtorch removes it when the job ends cleanly.
     */
    record SharedFile(Path path) implements Rendezvous {
        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    /** Parses {@code ADDR:PORT}, {@code [IPv6]:PORT} or {@code file:PATH}. */
    static Rendezvous parse(String text, String what) {
        if (text.startsWith("file:")) {
            String path = text.substring("file:".length());
            if (path.isBlank()) {
                throw new BadInputException(what + " " + text + ": the file path is empty");
            }
            return new SharedFile(Path.of(path).toAbsolutePath());
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new BadInputException(what + " " + text + ": expected ADDR:PORT, e.g. 10.0.0.1:29500, or file:PATH");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Tcp(host, port(text.substring(colon + 1)));
    }

    static int port(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("master port '" + text + "': not a number");
        }
    }
}
