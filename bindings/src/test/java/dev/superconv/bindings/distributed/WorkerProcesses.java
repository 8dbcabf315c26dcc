package dev.superconv.bindings.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts {@link DistributedWorker} ranks as JVMs like this one (same java, class path and native flags). */
final class WorkerProcesses {
    private WorkerProcesses() {}

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Process start(Path dir, String mode, int world, int rank, Object master, long timeoutMs, String... extra) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("--enable-native-access=ALL-UNNAMED");
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DistributedWorker.class.getName());
        command.addAll(List.of(mode, Integer.toString(world), Integer.toString(rank), master.toString(), Long.toString(timeoutMs)));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(dir, mode, world, rank).toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
    }

    static Path log(Path dir, String mode, int world, int rank) {
        return dir.resolve(mode + "-w" + world + "-rank" + rank + ".log");
    }

    /** Waits for the process; kills it and fails when it outlives {@code seconds}. */
    static int await(Process process, long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("worker did not finish within " + seconds + " s");
        }
        return process.exitValue();
    }

    static String output(Path dir, String mode, int world, int rank) throws IOException {
        return Files.readString(log(dir, mode, world, rank));
    }

    /** The {@code RESULT key values…} lines of a worker's output. */
    static Map<String, double[]> results(String output) {
        Map<String, double[]> results = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] parts = line.trim().split(" ");
                double[] values = new double[parts.length - 2];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Double.parseDouble(parts[i + 2]);
                }
                results.put(parts[1], values);
            }
        }
        return results;
    }

    static void killAll(List<Process> processes) {
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }
}
