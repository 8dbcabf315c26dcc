package dev.superconv.core.distributed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code --nproc 2} in a JVM of its own, so {@link LocalLauncherTest} can signal it as a user would:
 * {@code LauncherHost DIR BEHAVIOUR STOP_GRACE_MS} runs two {@link LauncherProbe} workers and exits
 * with the launcher's code.
 */
public final class LauncherHost {
    private LauncherHost() {}

    public static void main(String[] args) throws Exception {
        List<String> worker = LocalLauncher.javaCommand(LauncherProbe.class.getName(), List.of(args[0], args[1]));
        LocalLauncher launcher = new LocalLauncher(worker, 2, Duration.ofSeconds(5), Duration.ofMillis(Long.parseLong(args[2])),
                System.err, Map.of("PROBE_EXTRA", "host"));
        System.exit(launcher.run());
    }
}
