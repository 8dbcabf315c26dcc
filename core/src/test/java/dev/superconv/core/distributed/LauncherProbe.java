package dev.superconv.core.distributed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A worker for {@link LocalLauncherTest}: records its environment, then exits, hangs or trains as told. */
public final class LauncherProbe {
    private LauncherProbe() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int rank = Integer.parseInt(env.get("RANK"));
        Files.writeString(Path.of(args[0]).resolve("rank-" + rank + ".txt"), String.join(" ",
                env.get("WORLD_SIZE"), env.get("RANK"), env.get("MASTER_ADDR"), env.get("MASTER_PORT"), env.get("PROBE_EXTRA")));
        System.out.println("hello from " + rank);
        System.out.flush();
        String behaviour = args[1];
        if (behaviour.equals("save") || behaviour.equals("stuck")) {
            savesOnSignal(Path.of(args[0]), rank, behaviour.equals("stuck") && rank == 1);
        }
        if (behaviour.equals("fail1")) {
            if (rank == 1) {
                System.out.println("rank 1 gives up");
                System.exit(5);
            }
            Thread.sleep(60_000);
        }
    }

    /**
     * Like a training worker: on SIGTERM its shutdown hook takes a while to "save" ({@code saved-R.txt}),
     * or, when {@code stuck}, never ends. {@code ready-R.txt} (holding the PID) says the hook is in place.
     */
    private static void savesOnSignal(Path dir, int rank, boolean stuck) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(stuck ? Long.MAX_VALUE : 1500);
                Files.writeString(dir.resolve("saved-" + rank + ".txt"), "saved");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
        Files.writeString(dir.resolve("ready-" + rank + ".txt"), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(60_000);
    }
}
