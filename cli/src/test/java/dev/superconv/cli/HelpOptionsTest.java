package dev.superconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every verb and sub-verb, taken from the registered picocli tree (so a verb added later is checked
 * too), prints its usage for -h/--help and the version for -V/--version, exit 0, before any of its
 * own validation (no required option given, no file touched).
 */
class HelpOptionsTest {
    /** Each command's path below the root, e.g. [data, info]. */
    static Stream<List<String>> verbs() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 14, "the tree lists every verb: " + paths);
        return paths.stream();
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> into) {
        for (CommandLine sub : cmd.getSubcommands().values().stream().distinct().toList()) {
            List<String> p = new ArrayList<>(path);
            p.add(sub.getCommandName());
            into.add(p);
            collect(sub, p, into);
        }
    }

    private static String[] with(List<String> path, String option) {
        return Stream.concat(path.stream(), Stream.of(option)).toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0} --help / -h")
    @MethodSource("verbs")
    void helpPrintsUsage(List<String> path) {
        for (String option : new String[] {"--help", "-h"}) {
            CliRunner.Result r = CliRunner.run(with(path, option));
            assertEquals(0, r.exitCode(), option + "\n" + r);
            assertTrue(r.out().contains("Usage: superconv " + String.join(" ", path) + " "), option + "\n" + r);
            assertEquals("", r.err(), option + "\n" + r);
        }
    }

    @ParameterizedTest(name = "{0} --version / -V")
    @MethodSource("verbs")
    void versionPrintsVersion(List<String> path) {
        if (path.getLast().equals("help")) {
            return; // picocli's own help verb: its -h is checked above; it has no version option of its own
        }
        for (String option : new String[] {"--version", "-V"}) {
            CliRunner.Result r = CliRunner.run(with(path, option));
            assertEquals(0, r.exitCode(), option + "\n" + r);
            assertEquals(new VersionInfo().getVersion()[0], r.out().strip(), option + "\n" + r);
            assertEquals("", r.err(), option + "\n" + r);
        }
    }
}
