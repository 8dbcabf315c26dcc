package dev.superconv.bindings.distributed;

import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.NesterovSgd;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.ShardPlan;
import dev.superconv.core.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A few steps of the trainer's own model and optimizer (LayerNet at width 0.125, Nesterov SGD
 * with weight decay) on synthetic 32×32 images, as one rank of a W-process job with per-rank batch
 * {@code globalBatch / W}, or as the single process with the whole global batch (W = 1, no process
 * group at all). BatchNorm runs on its running statistics (eval mode): per-rank batch statistics
 * would differ from the global batch's, and DDP does not synchronise them either. Each rank starts
 * from weights and BN statistics seeded by its own rank, so matching the single process also
 * proves the broadcast of rank 0's state. Writes the final state (parameters and BN buffers) to
 * {@code out} as float32.
 */
final class ResNetTraining {
    static final int SAMPLES = 48;
    static final long DATA_SEED = 20260;

    private ResNetTraining() {}

    static void run(DistributedConfig config, int globalBatch, int epochs, Path out) throws IOException {
        int world = config.worldSize();
        int perRank = globalBatch / world;
        torch.manual_seed(1000 + config.rank());
        try (PointerScope session = new PointerScope(); LayerNet net = LayerNet.customResNet(ModelSpec.cifar10(0.125))) {
            net.train(false);
            Map<String, Tensor> state = net.state();
            try (NoGradGuard noGrad = new NoGradGuard()) {
                for (Map.Entry<String, Tensor> e : state.entrySet()) {
                    if (e.getKey().endsWith("running_mean")) {
                        e.getValue().copy_(torch.randn(e.getValue().numel()).mul(new Scalar(0.1)));
                    } else if (e.getKey().endsWith("running_var")) {
                        e.getValue().copy_(torch.rand(e.getValue().numel()).add(new Scalar(0.5)));
                    }
                }
            }
            List<Tensor> params = new ArrayList<>();
            for (String name : net.parameterNames()) {
                params.add(state.get(name));
            }
            Tensor images = synthetic();
            Tensor labels = labels();

            // The trainer-facing API: joins the job and broadcasts rank 0's state.
            DataParallel dp = world > 1 ? DataParallel.join(config, net) : null;
            try (NesterovSgd sgd = new NesterovSgd(new TensorVector(params.toArray(new Tensor[0])), net.parameterNames(), 0.05, 0.9, 5e-4)) {
                ShardPlan plan = ShardPlan.training(SAMPLES, world, config.rank(), 77);
                int steps = plan.batchesPerEpoch(perRank, true);
                for (int epoch = 0; epoch < epochs; epoch++) {
                    int[] order = plan.indices(epoch);
                    for (int k = 0; k < steps; k++) {
                        try (PointerScope step = new PointerScope()) {
                            Tensor idx = longs(order, k * perRank, perRank);
                            Tensor x = images.index_select(0, idx); // (b, 3, 32, 32)
                            Tensor y = labels.index_select(0, idx); // (b)
                            if (epoch == 0) {
                                sgd.zeroGrad(); // drops the gradients: the reducer packs fresh tensors
                            } else {
                                for (Tensor p : params) {
                                    p.grad().zero_(); // in place: gradients stay views of the all-reduce buckets
                                }
                            }
                            Tensor loss = torch.cross_entropy_loss(net.forward(x), y); // mean over this rank's b
                            loss.backward();
                            if (dp != null) {
                                dp.averageGradients();
                            }
                            sgd.step();
                            System.out.println(String.format(Locale.ROOT, "RESULT loss_e%d_s%d %.9g", epoch, k, loss.item_double()));
                        }
                    }
                }
            }
            DistributedWorker.writeFloats(out, new ArrayList<>(state.values()));
            if (dp != null) {
                checkBatchNormSync(dp, state.get("prep.bn.running_mean"));
                dp.barrier();
                dp.close();
            }
        }
    }

    /** Rank r shifts a running mean by r, then by 10·r: averaging adds (W−1)/2, broadcasting restores rank 0's. */
    private static void checkBatchNormSync(DataParallel dp, Tensor runningMean) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor before = runningMean.clone();
            runningMean.add_(new Scalar((double) dp.rank()));
            dp.averageBatchNormStatistics();
            DistributedWorker.print("bn_average_shift", runningMean.sub(before).mean().item_double());
            Tensor averaged = runningMean.clone();
            runningMean.add_(new Scalar(10.0 * dp.rank()));
            dp.broadcastBatchNormStatistics();
            DistributedWorker.print("bn_broadcast_shift", runningMean.sub(averaged).abs().max().item_double());
        }
    }

    private static Tensor synthetic() {
        SplittableRandom rng = new SplittableRandom(DATA_SEED);
        float[] values = new float[SAMPLES * 3 * 32 * 32];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        Tensor t = torch.zeros(SAMPLES, 3, 32, 32);
        t.data_ptr_float().put(values);
        return t;
    }

    private static Tensor labels() {
        SplittableRandom rng = new SplittableRandom(DATA_SEED + 1);
        Tensor t = torch.zeros(SAMPLES).to(torch.ScalarType.Long);
        for (int i = 0; i < SAMPLES; i++) {
            t.data_ptr_long().put(i, rng.nextInt(10));
        }
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
