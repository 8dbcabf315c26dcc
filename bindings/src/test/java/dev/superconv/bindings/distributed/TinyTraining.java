package dev.superconv.bindings.distributed;

import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.ShardPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A few SGD steps of a small conv net (conv–BN–ReLU–conv–ReLU–pool–linear) on synthetic data, as
 * one rank of a W-process job with per-rank batch {@code globalBatch / W}, or as the single
 * process with the whole global batch (W = 1, no process group at all). BatchNorm runs with its
 * running statistics (eval-equivalent): per-rank batch statistics would differ from the global
 * batch's, which DDP does not synchronise either. Each rank starts from weights seeded by its own
 * rank, so matching the single process also proves the broadcast of rank 0's parameters and
 * buffers. Writes the final parameters and buffers to {@code out} as float32.
 */
final class TinyTraining {
    static final int SAMPLES = 48;
    static final int CLASSES = 10;
    static final long DATA_SEED = 20260;

    private TinyTraining() {}

    static void run(DistributedConfig config, int globalBatch, int epochs, Path out) throws IOException {
        int world = config.worldSize();
        int perRank = globalBatch / world;
        torch.manual_seed(1000 + config.rank());
        try (PointerScope session = new PointerScope()) {
            Tensor images = syntheticImages();
            Tensor labels = syntheticLabels();
            List<Tensor> params = new ArrayList<>();
            Tensor conv1 = param(params, torch.randn(8, 3, 3, 3).mul(new Scalar(0.3)));
            Tensor bnWeight = param(params, torch.rand(8).add(new Scalar(0.5)));
            Tensor bnBias = param(params, torch.randn(8).mul(new Scalar(0.1)));
            Tensor conv2 = param(params, torch.randn(16, 8, 3, 3).mul(new Scalar(0.15)));
            Tensor fcWeight = param(params, torch.randn(CLASSES, 16).mul(new Scalar(0.25)));
            Tensor fcBias = param(params, torch.zeros(CLASSES));
            Tensor runningMean = torch.randn(8).mul(new Scalar(0.1));
            Tensor runningVar = torch.rand(8).add(new Scalar(0.5));
            List<Tensor> buffers = List.of(runningMean, runningVar);
            List<Tensor> state = new ArrayList<>(params);
            state.addAll(buffers);

            DistributedContext ctx = world > 1 ? DistributedContext.open(config) : null;
            GradientAllReducer reducer = null;
            if (ctx != null) {
                ctx.broadcast(state, 0);
                reducer = new GradientAllReducer(ctx, params);
            }
            SGDOptions options = new SGDOptions(0.05);
            options.momentum().put(0.9);
            options.nesterov().put(true);
            options.weight_decay().put(5e-4);
            SGD sgd = new SGD(new TensorVector(params.toArray(new Tensor[0])), options);

            ShardPlan plan = ShardPlan.training(SAMPLES, world, config.rank(), 77);
            int steps = plan.batchesPerEpoch(perRank, true);
            for (int epoch = 0; epoch < epochs; epoch++) {
                int[] order = plan.indices(epoch);
                for (int k = 0; k < steps; k++) {
                    try (PointerScope step = new PointerScope()) {
                        Tensor idx = longs(order, k * perRank, perRank);
                        Tensor x = images.index_select(0, idx); // (b, 3, 8, 8)
                        Tensor y = labels.index_select(0, idx); // (b)
                        // Epoch 0 drops the gradients (fresh tensors get packed), epoch 1 zeroes them in
                        // place (they stay views of the all-reduce buckets): both reducer paths.
                        sgd.zero_grad(epoch == 0);
                        Tensor h = torch.conv2d(x, conv1, new TensorOptional(), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
                        h = torch.batch_norm(h, new TensorOptional(bnWeight), new TensorOptional(bnBias),
                                new TensorOptional(runningMean), new TensorOptional(runningVar), false, 0.1, 1e-5, false).relu();
                        h = torch.conv2d(h, conv2, new TensorOptional(), new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, 1).relu();
                        Tensor pooled = torch.adaptive_avg_pool2d(h, 1, 1).flatten(1, -1); // (b, 16)
                        Tensor logits = torch.linear(pooled, fcWeight, new TensorOptional(fcBias)); // (b, 10)
                        Tensor loss = torch.cross_entropy_loss(logits, y);
                        loss.backward();
                        if (reducer != null) {
                            reducer.averageGradients();
                        }
                        sgd.step();
                        System.out.println(String.format(Locale.ROOT, "RESULT loss_e%d_s%d %.9g", epoch, k, loss.item_double()));
                    }
                }
            }
            DistributedWorker.writeFloats(out, state);
            if (reducer != null) {
                reducer.close();
            }
            if (ctx != null) {
                ctx.barrier();
                ctx.close();
            }
        }
    }

    private static Tensor param(List<Tensor> params, Tensor init) {
        Tensor p = init.detach().set_requires_grad(true);
        params.add(p);
        return p;
    }

    private static Tensor syntheticImages() {
        SplittableRandom rng = new SplittableRandom(DATA_SEED);
        float[] values = new float[SAMPLES * 3 * 8 * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        Tensor t = torch.zeros(SAMPLES, 3, 8, 8);
        t.data_ptr_float().put(values);
        return t;
    }

    private static Tensor syntheticLabels() {
        SplittableRandom rng = new SplittableRandom(DATA_SEED + 1);
        long[] values = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            values[i] = rng.nextInt(CLASSES);
        }
        Tensor t = torch.zeros(SAMPLES).to(torch.ScalarType.Long);
        t.data_ptr_long().put(values);
        return t;
    }

    private static Tensor longs(int[] values, int from, int count) {
        Tensor t = torch.zeros(count).to(torch.ScalarType.Long);
        for (int i = 0; i < count; i++) {
            t.data_ptr_long().put(i, values[from + i]);
        }
        return t;
    }
}
