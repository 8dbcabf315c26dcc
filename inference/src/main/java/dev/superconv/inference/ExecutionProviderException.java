package dev.superconv.inference;

/**
 * The execution provider the user asked for ({@code --device cuda}) failed on a host that has what
 * it needs: a runtime failure (exit 1), unlike a missing GPU or an unloadable model (bad input).
 */
public final class ExecutionProviderException extends RuntimeException {
    public ExecutionProviderException(String message, Throwable cause) {
        super(message, cause);
    }
}
