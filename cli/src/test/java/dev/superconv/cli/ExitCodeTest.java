package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Exit codes through the real error handler ({@link Main#commandLine()} plus a test-only verb that
 * throws what it is told): only bad input is 2; an IllegalArgumentException is an internal bug, 1.
 */
class ExitCodeTest {
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Mixin CommonOptions common;

        @Option(names = "--bad-input") boolean badInput;

        @Override
        public Integer call() {
            if (badInput) {
                throw new BadInputException("boom.txt: not a boom file");
            }
            throw new IllegalArgumentException("shape [3] does not match 4 values");
        }
    }

    private static CliRunner.Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.addSubcommand(new Boom());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new CliRunner.Result(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void internalIllegalArgumentIsExitOneWithOneLine() {
        CliRunner.Result r = run("boom");
        assertEquals(Main.EXIT_RUNTIME, r.exitCode(), r.toString());
        assertEquals(List.of("superconv: IllegalArgumentException: shape [3] does not match 4 values", "(run with --verbose for details)"),
                r.errLines(), r.toString());
    }

    @Test
    void internalIllegalArgumentWithVerboseAddsTheStackTrace() {
        CliRunner.Result r = run("boom", "--verbose");
        assertEquals(Main.EXIT_RUNTIME, r.exitCode(), r.toString());
        assertEquals("superconv: IllegalArgumentException: shape [3] does not match 4 values", r.errLines().getFirst(), r.toString());
        assertTrue(r.err().contains("java.lang.IllegalArgumentException: shape [3] does not match 4 values"), r.toString());
        assertTrue(r.err().contains("\tat dev.superconv.cli.ExitCodeTest$Boom.call("), r.toString());
        assertFalse(r.err().contains("(run with --verbose for details)"), r.toString());
    }

    @Test
    void badInputIsExitTwoWithOneLine() {
        CliRunner.Result r = run("boom", "--bad-input");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertEquals(List.of("superconv: boom.txt: not a boom file"), r.errLines(), r.toString());
    }

    @Test
    void parameterErrorIsExitTwo() {
        CliRunner.Result r = run("boom", "--no-such-flag");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r.toString());
        assertEquals("superconv: Unknown option: '--no-such-flag'", r.errLines().getFirst(), r.toString());
    }
}
