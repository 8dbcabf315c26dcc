package dev.superconv.bindings.distributed;

/**
 * A collective failed after the rendezvous: a peer died, hung past the timeout or the network
 * dropped. The message is one line that names this rank, the operation and libtorch's reason. The
 * job cannot continue; every rank should stop (and the launcher stops the others).
 */
public final class DistributedException extends RuntimeException {
    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The first line of a libtorch error without its source-location prefix: c10 errors carry a
     * multi-line C++ backtrace that says nothing to a user.
     */
    static String reason(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = text.indexOf('\n');
        String line = (newline >= 0 ? text.substring(0, newline) : text).trim();
        // Gloo prefixes "[/path/to/file.cc:123] ".
        if (line.startsWith("[") && line.indexOf("] ") > 0 && line.substring(0, line.indexOf("] ")).contains(":")) {
            line = line.substring(line.indexOf("] ") + 2);
        }
        return line;
    }
}
