package dev.superconv.inference.serve;

import dev.superconv.core.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bearer token every request must carry when {@code --token-file} is given. Compared in
 * constant time ({@link MessageDigest#isEqual}) so the answer's timing says nothing about how much
 * of a guess was right.
 */
public final class BearerToken {
    private static final String PREFIX = "Bearer ";
    private static final BearerToken OPEN = new BearerToken(new byte[0]);

    private final byte[] expected;

    private BearerToken(byte[] expected) {
        this.expected = expected;
    }

    /** No token: every request is allowed (the server binds loopback unless told otherwise). */
    public static BearerToken open() {
        return OPEN;
    }

    public static BearerToken of(String token) {
        if (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new BadInputException("the token must be printable ASCII without spaces, and not empty");
        }
        return new BearerToken(token.getBytes(StandardCharsets.US_ASCII));
    }

    /** The token is the file's content without surrounding whitespace (a trailing newline is usual). */
    public static BearerToken fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException("--token-file " + file + ": no such file");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BadInputException("--token-file " + file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            return of(text);
        } catch (BadInputException e) {
            throw new BadInputException("--token-file " + file + ": " + e.getMessage());
        }
    }

    public boolean required() {
        return expected.length > 0;
    }

    /** Whether a request with this {@code Authorization} header value (null when absent) may pass. */
    public boolean allows(String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] given = authorization.substring(PREFIX.length()).strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
