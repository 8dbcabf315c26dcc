package dev.superconv.core.distributed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A worker for {@link LocalLauncherTest}: records its environment, then exits or hangs as told. */
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
        if (behaviour.equals("fail1")) {
            if (rank == 1) {
                System.out.println("rank 1 gives up");
                System.exit(5);
            }
            Thread.sleep(60_000);
        }
    }
}
