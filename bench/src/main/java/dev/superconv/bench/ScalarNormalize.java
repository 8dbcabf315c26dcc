package dev.superconv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scalar normalisation figure. The kernels pick scalar or vector once per JVM
 * ({@code -Dsuperconv.scalar=true}, read at class initialisation, as JMH's scalar fork does), so
 * the scalar path is measured in a child JVM running {@link #main}.
 */
public final class ScalarNormalize {
    private ScalarNormalize() {}

    /** Arguments: images calls warmups runs. Prints "median min max runs" (GB/s). */
    public static void main(String[] args) throws Exception {
        Checks.that(Boolean.getBoolean("superconv.scalar"), "child JVM started with -Dsuperconv.scalar=true");
        Stats s = InputProbes.normalize(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.printf(Locale.ROOT, "%s %s %s %d%n", s.median(), s.min(), s.max(), s.runs());
    }

    /** Runs {@link #main} in a child JVM with this JVM's class path and the scalar switch. */
    public static Stats measure(int images, int calls, int warmups, int runs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dsuperconv.scalar=true", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), ScalarNormalize.class.getName()));
        for (int v : new int[] {images, calls, warmups, runs}) {
            cmd.add(Integer.toString(v));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        String[] f = out.isEmpty() ? new String[0] : out.lines().reduce((a, b) -> b).orElse("").split(" ");
        if (code != 0 || f.length != 4) {
            throw new IllegalStateException("scalar normalisation child JVM failed (exit " + code + "): " + out);
        }
        return new Stats(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Integer.parseInt(f[3]));
    }
}
