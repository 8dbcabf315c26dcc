package dev.superconv.core;

/**
 * Bad input or usage: a file, flag or value the user can fix. The CLI prints the message as one
 * line and exits with code 2. The message names the thing and the reason.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
