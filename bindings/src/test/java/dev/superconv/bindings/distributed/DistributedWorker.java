package dev.superconv.bindings.distributed;

import dev.superconv.bindings.Natives;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.DistributedConfig.Backend;
import dev.superconv.core.distributed.Rendezvous;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One rank of a test job, run in its own JVM by the distributed tests:
 * {@code DistributedWorker MODE WORLD RANK PORT|file:PATH TIMEOUT_MS [ARGS…]}. Results go to stdout as
 * {@code RESULT key v1 v2 …} lines that the tests parse; a distributed failure prints
 * {@code FAILED elapsed_ms message} and exits with code 3.
 */
public final class DistributedWorker {
    private DistributedWorker() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int world = Integer.parseInt(args[1]);
        int rank = Integer.parseInt(args[2]);
        String master = args[3];
        Duration timeout = Duration.ofMillis(Long.parseLong(args[4]));
        Natives.load();
        torch.set_num_threads(1);
        Rendezvous rendezvous = master.startsWith("file:")
                ? new Rendezvous.SharedFile(Path.of(master.substring(5)))
                : new Rendezvous.Tcp("127.0.0.1", Integer.parseInt(master));
        DistributedConfig config = new DistributedConfig(world, rank, rendezvous, Backend.GLOO, timeout);
        long start = System.nanoTime();
        try {
            switch (mode) {
                case "collectives" -> collectives(config);
                case "train" -> ResNetTraining.run(config, Integer.parseInt(args[5]), Integer.parseInt(args[6]), Path.of(args[7]));
                case "die", "hang" -> failingPeer(config, mode);
                case "bench" -> AllReduceTiming.run(config, Long.parseLong(args[5]), Integer.parseInt(args[6]));
                case "throughput" -> StepThroughput.run(config, Integer.parseInt(args[5]), Integer.parseInt(args[6]));
                case "trainer" -> TrainerRank.run(config, Path.of(args[5]), Boolean.parseBoolean(args[6]), Integer.parseInt(args[7]), Long.parseLong(args[8]),
                        args.length > 9 ? args[9] : "recipe");
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            }
        } catch (DistributedException e) {
            System.out.println("FAILED " + (System.nanoTime() - start) / 1_000_000 + " " + e.getMessage());
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        System.out.flush();
        // Exit without running native destructors of leftover tensors in finalizers.
        Runtime.getRuntime().halt(0);
    }

    static void print(String key, Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor flat = t.to(torch.ScalarType.Double).contiguous().reshape(-1);
            double[] values = new double[(int) flat.numel()];
            flat.data_ptr_double().get(values);
            print(key, values);
        }
    }

    static void print(String key, double... values) {
        StringBuilder line = new StringBuilder("RESULT ").append(key);
        for (double v : values) {
            line.append(' ').append(String.format(Locale.ROOT, "%.9g", v));
        }
        System.out.println(line);
    }

    private static Tensor full(double value, long... shape) {
        return torch.full(shape, new Scalar(value));
    }

    /** Every collective with inputs that depend on the rank, so the sums are known exactly. */
    private static void collectives(DistributedConfig config) {
        int r = config.rank();
        try (DistributedContext ctx = DistributedContext.open(config); PointerScope scope = new PointerScope()) {
            Tensor a = full(r + 1, 5);
            ctx.allReduceSum(a);
            print("allreduce", a);

            Tensor b = torch.arange(new Scalar(4)).to(torch.ScalarType.Float).add(new Scalar(1000.0 * r));
            ctx.allReduceSum(b);
            print("allreduce_arange", b);

            Tensor c = full(10 * r + 7, 3);
            ctx.broadcast(c, config.worldSize() - 1);
            print("broadcast_from_last", c);

            Tensor f = full(r + 0.5, 2, 3);
            Tensor l = full(r + 3, 4).to(torch.ScalarType.Long);
            Tensor p = full(r, 3).set_requires_grad(true);
            ctx.broadcast(List.of(f, l, p), 0);
            print("broadcast_list_float", f);
            print("broadcast_list_long", l);
            print("broadcast_list_param", p);
            print("broadcast_list_param_requires_grad", p.requires_grad() ? 1 : 0);

            // BatchNorm buffers after a training-mode forward on rank-specific data.
            Tensor runningMean = torch.zeros(4);
            Tensor runningVar = torch.ones(4);
            Tensor x = torch.arange(new Scalar(32)).to(torch.ScalarType.Float).reshape(2, 4, 2, 2).mul(new Scalar(r + 1.0));
            torch.batch_norm(x, new org.bytedeco.pytorch.TensorOptional(), new org.bytedeco.pytorch.TensorOptional(),
                    new org.bytedeco.pytorch.TensorOptional(runningMean), new org.bytedeco.pytorch.TensorOptional(runningVar),
                    true, 0.1, 1e-5, false);
            print("bn_mean_before", runningMean);
            print("bn_var_before", runningVar);
            ctx.average(List.of(runningMean, runningVar));
            print("bn_mean_after", runningMean);
            print("bn_var_after", runningVar);

            print("sum", ctx.sum(r + 1, 0.25));

            gradients(ctx, r);
            ctx.barrier();
            print("done", 1);
        }
    }

    /**
     * Three parameters, a cap that forces several buckets; gradient of p0 is (r+1), of p1 is
     * (r+1)·i, and p2 is used on rank 0 only (undefined gradient elsewhere, as an unused layer).
     */
    private static void gradients(DistributedContext ctx, int r) {
        Tensor p0 = torch.zeros(3, 4).set_requires_grad(true);
        Tensor p1 = torch.zeros(5).set_requires_grad(true);
        Tensor p2 = torch.zeros(2, 2).set_requires_grad(true);
        Tensor frozen = torch.zeros(7);
        try (GradientAllReducer reducer = new GradientAllReducer(ctx, List.of(p0, frozen, p1, p2), 64)) {
            Tensor loss = p0.sum().mul(new Scalar(r + 1.0))
                    .add(p1.mul(torch.arange(new Scalar(5)).to(torch.ScalarType.Float)).sum().mul(new Scalar(r + 1.0)));
            if (r == 0) {
                loss = loss.add(p2.sum().mul(new Scalar(4.0)));
            }
            loss.backward();
            reducer.averageGradients();
            print("grad_buckets", reducer.bucketCount());
            print("grad_p0", p0.grad());
            print("grad_p1", p1.grad());
            print("grad_p2", p2.grad());
        }
    }

    /** Rank 1 dies (or hangs) after two all-reduces; rank 0 keeps reducing and must fail within the timeout. */
    private static void failingPeer(DistributedConfig config, String mode) throws IOException, InterruptedException {
        try (DistributedContext ctx = DistributedContext.open(config)) {
            Tensor t = torch.ones(1000);
            for (int step = 0; step < 10_000; step++) {
                if (config.rank() == 1 && step == 2) {
                    print("peer_stops", step);
                    System.out.flush();
                    if (mode.equals("die")) {
                        Runtime.getRuntime().halt(9);
                    }
                    Thread.sleep(Long.MAX_VALUE);
                }
                ctx.allReduceSum(t);
                Thread.sleep(20);
            }
        }
    }

    static void writeFloats(Path file, List<Tensor> tensors) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file)); PointerScope scope = new PointerScope()) {
            for (Tensor t : tensors) {
                Tensor flat = t.detach().contiguous().reshape(-1);
                float[] values = new float[(int) flat.numel()];
                flat.data_ptr_float().get(values);
                out.writeInt(values.length);
                for (float v : values) {
                    out.writeFloat(v);
                }
            }
        }
    }
}
