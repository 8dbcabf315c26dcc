package dev.superconv.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs the real CLI ({@link Main#commandLine()}) in this JVM, capturing what a verb prints. Verbs
 * must print through {@code spec.commandLine().getOut()/getErr()} (not System.out) to be captured.
 */
public final class CliRunner {
    private CliRunner() {}

    /** What one CLI run produced. */
    public record Result(int exitCode, String out, String err) {
        /** Non-empty stderr lines (picocli may end with a newline). */
        public java.util.List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
