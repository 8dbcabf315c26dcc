package dev.superconv.core.run;

import dev.superconv.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that only contends for a run lock, like {@code train} does: announces itself with a file
 * in {@code signals}, waits for {@code signals/go}, takes the lock (printing "LOCKED PID" and RunLock's
 * notes) and holds it until {@code signals/release} appears; refused, it prints the message on stderr
 * and exits 2, as the CLI does.
 */
public final class RunLockHolder {
    private RunLockHolder() {}

    public static void main(String[] args) throws Exception {
        Path run = Path.of(args[0]);
        Path signals = Path.of(args[1]);
        Files.createFile(signals.resolve("ready-" + ProcessHandle.current().pid()));
        while (!Files.exists(signals.resolve("go"))) {
            Thread.onSpinWait();
        }
        try (RunLock lock = RunLock.acquire(run, System.out::println)) {
            System.out.println("LOCKED " + ProcessHandle.current().pid());
            System.out.flush();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(signals.resolve("release")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (BadInputException refused) {
            System.err.println(refused.getMessage());
            System.exit(2);
        }
    }
}
