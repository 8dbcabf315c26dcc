package dev.superconv.cli;

import dev.superconv.core.BadInputException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code superconv} command. Each verb is one class; errors map to exit codes here. */
@Command(
        name = "superconv",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "Train a CIFAR-10 ResNet with super-convergence, export it to ONNX, serve it.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for a runtime failure (an I/O error, a native failure, divergence) or an internal bug. */
    public static final int EXIT_RUNTIME = 1;
    /** Exit code for bad input or usage. */
    public static final int EXIT_BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI in this JVM and returns the exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        for (Object verb : Verbs.all()) {
            cli.addSubcommand(verb);
        }
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("superconv: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_BAD_INPUT;
        });
        return cli;
    }

    private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = parsed != null && verbose(parsed);
        int code;
        String msg;
        // Only BadInputException is the user's to fix: an IllegalArgumentException is a broken internal contract (a bug), exit 1.
        if (ex instanceof BadInputException) {
            code = EXIT_BAD_INPUT;
            msg = ex.getMessage();
        } else if (ex instanceof UncheckedIOException || ex instanceof java.io.IOException) {
            code = EXIT_RUNTIME;
            msg = ex.getMessage();
        } else {
            code = EXIT_RUNTIME;
            msg = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        err.println("superconv: " + (msg == null ? ex.toString() : msg.lines().findFirst().orElse("")));
        if (verbose) {
            ex.printStackTrace(err);
        } else if (code == EXIT_RUNTIME) {
            err.println("(run with --verbose for details)");
        }
        err.flush();
        return code;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
