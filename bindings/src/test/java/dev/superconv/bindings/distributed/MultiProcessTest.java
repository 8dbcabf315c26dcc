package dev.superconv.bindings.distributed;

import static dev.superconv.bindings.distributed.WorkerProcesses.await;
import static dev.superconv.bindings.distributed.WorkerProcesses.freePort;
import static dev.superconv.bindings.distributed.WorkerProcesses.output;
import static dev.superconv.bindings.distributed.WorkerProcesses.results;
import static dev.superconv.bindings.distributed.WorkerProcesses.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real multi-process jobs: worker JVMs that rendezvous on 127.0.0.1 and talk through Gloo. */
class MultiProcessTest {
    @TempDir
    Path dir;

    private Map<String, double[]> finish(Process p, String mode, int world, int rank) throws Exception {
        int code = await(p, 90);
        String out = output(dir, mode, world, rank);
        assertEquals(0, code, "rank " + rank + " failed:\n" + out);
        return results(out);
    }

    /** Through a FileStore rendezvous; the other tests use the TCP store. */
    @Test
    void collectivesGiveExactResultsOnTwoRanks() throws Exception {
        String master = "file:" + dir.resolve("rendezvous");
        List<Process> ranks = List.of(start(dir, "collectives", 2, 0, master, 30_000), start(dir, "collectives", 2, 1, master, 30_000));
        try {
            List<Map<String, double[]>> res = List.of(finish(ranks.get(0), "collectives", 2, 0), finish(ranks.get(1), "collectives", 2, 1));
            for (Map<String, double[]> r : res) {
                assertArrayEquals(new double[] {3, 3, 3, 3, 3}, r.get("allreduce"));
                assertArrayEquals(new double[] {1000, 1002, 1004, 1006}, r.get("allreduce_arange"));
                assertArrayEquals(new double[] {17, 17, 17}, r.get("broadcast_from_last"));
                assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, r.get("broadcast_list_float"));
                assertArrayEquals(new double[] {3, 3, 3, 3}, r.get("broadcast_list_long"));
                assertArrayEquals(new double[] {0, 0, 0}, r.get("broadcast_list_param"));
                assertArrayEquals(new double[] {1}, r.get("broadcast_list_param_requires_grad"));
                assertArrayEquals(new double[] {3, 0.5}, r.get("sum"));
                assertArrayEquals(new double[] {2}, r.get("grad_buckets"), "64-byte cap: p0 alone, p1 with p2");
                assertArrayEquals(new double[] {1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, r.get("grad_p0"));
                assertArrayEquals(new double[] {0, 1.5, 3, 4.5, 6}, r.get("grad_p1"));
                assertArrayEquals(new double[] {2, 2, 2, 2}, r.get("grad_p2"), "used on rank 0 only: (4 + 0) / 2");
                assertArrayEquals(new double[] {1}, r.get("done"));
                for (String bn : List.of("bn_mean", "bn_var")) {
                    double[] a = res.get(0).get(bn + "_before");
                    double[] b = res.get(1).get(bn + "_before");
                    double[] after = r.get(bn + "_after");
                    for (int c = 0; c < 4; c++) {
                        assertEquals((a[c] + b[c]) / 2, after[c], 1e-6 * Math.abs(after[c]), bn + " channel " + c);
                    }
                }
            }
            // Running stats before the sync really differ per rank: 0.1 · mean(channel c) · (r+1), mean = 4c + 9.5.
            assertEquals(0.1 * 9.5, res.get(0).get("bn_mean_before")[0], 1e-6);
            assertEquals(0.1 * 9.5 * 2, res.get(1).get("bn_mean_before")[0], 1e-6);
        } finally {
            WorkerProcesses.killAll(ranks);
        }
    }

    /**
     * The key proof: 2 ranks × batch 8 with averaged gradients end with the same weights as one
     * process with batch 16, over 6 steps of the trainer's model (LayerNet, width 0.125, BN on
     * running statistics) and optimizer (Nesterov SGD, weight decay). Both ranks end bit-identical
     * (same averaged gradient, same update). Against the single process the only difference is
     * float32 summation order (per-rank means of 8 then the average of 2, versus one mean of 16;
     * Gloo's sum order): a few ulp per step, so 1e-5 absolute on weights of order 0.01–1 after 6
     * steps leaves a wide margin, while a missing broadcast (each rank seeds its own weights) or
     * un-averaged gradients (half-batch steps) miss by 1e-2 or more.
     */
    @Test
    void twoRanksMatchOneProcessWithTheGlobalBatch() throws Exception {
        int port = freePort();
        String[] args = {"16", "2"};
        List<Process> procs = List.of(
                start(dir, "train", 2, 0, port, 30_000, args[0], args[1], dir.resolve("w2r0.bin").toString()),
                start(dir, "train", 2, 1, port, 30_000, args[0], args[1], dir.resolve("w2r1.bin").toString()),
                start(dir, "train", 1, 0, freePort(), 30_000, args[0], args[1], dir.resolve("w1.bin").toString()));
        try {
            for (int rank = 0; rank < 2; rank++) {
                Map<String, double[]> r = finish(procs.get(rank), "train", 2, rank);
                assertEquals(0.5, r.get("bn_average_shift")[0], 1e-6, "BN statistics averaged over the ranks");
                assertEquals(0.0, r.get("bn_broadcast_shift")[0], "BN statistics broadcast from rank 0");
            }
            finish(procs.get(2), "train", 1, 0);
        } finally {
            WorkerProcesses.killAll(procs);
        }
        float[] rank0 = readFloats(dir.resolve("w2r0.bin"));
        float[] rank1 = readFloats(dir.resolve("w2r1.bin"));
        float[] single = readFloats(dir.resolve("w1.bin"));
        long stateSize = dev.superconv.core.model.ModelSpec.cifar10(0.125).stateTensors().stream()
                .mapToLong(dev.superconv.core.model.ModelSpec.TensorSpec::numel).sum();
        assertEquals(stateSize, single.length);
        assertArrayEquals(rank0, rank1, "both ranks hold identical weights");
        double maxDiff = 0;
        for (int i = 0; i < single.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(rank0[i] - single[i]));
        }
        System.out.println("max |w(2 ranks) - w(1 process)| = " + maxDiff + " over " + single.length + " values");
        assertTrue(maxDiff <= 1e-5, "max |w(2 ranks) - w(1 process)| = " + maxDiff);
    }

    private static float[] readFloats(Path file) throws IOException {
        List<Float> values = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (in.available() > 0) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    values.add(in.readFloat());
                }
            }
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static final Pattern FAILED = Pattern.compile("FAILED (\\d+) (.*)");

    /** Rank 1 stops after two all-reduces; rank 0 must exit with a one-line error, not hang. */
    private String survivorError(String mode, long timeoutMs) throws Exception {
        int port = freePort();
        List<Process> ranks = List.of(start(dir, mode, 2, 0, port, timeoutMs), start(dir, mode, 2, 1, port, timeoutMs));
        try {
            int code = await(ranks.get(0), 60);
            String out = output(dir, mode, 2, 0);
            assertEquals(3, code, "rank 0 must stop with a distributed failure:\n" + out);
            assertTrue(output(dir, mode, 2, 1).contains("RESULT peer_stops 2"));
            Matcher m = FAILED.matcher(out);
            assertTrue(m.find(), out);
            return m.group(2);
        } finally {
            WorkerProcesses.killAll(ranks);
        }
    }

    @Test
    void deadPeerMakesTheSurvivorFailWithAClearError() throws Exception {
        // The peer's sockets close when it dies, so this fails long before the 20 s timeout.
        String error = survivorError("die", 20_000);
        assertTrue(error.startsWith("rank 0 of 2: all-reduce failed: "), error);
        assertTrue(error.contains("a peer process died or the network dropped"), error);
    }

    @Test
    void hungPeerMakesTheSurvivorFailAfterTheTimeout() throws Exception {
        String error = survivorError("hang", 3_000);
        assertTrue(error.startsWith("rank 0 of 2: all-reduce failed: "), error);
        assertTrue(error.contains("no answer from a peer within 3.0 s"), error);
    }
}
