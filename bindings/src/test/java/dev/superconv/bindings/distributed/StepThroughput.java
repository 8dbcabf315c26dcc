package dev.superconv.bindings.distributed;

import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.NesterovSgd;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Training throughput of ResNet-9 (width 1, fp32, train-mode BN) with data parallelism: each rank
 * runs {@code globalBatch / W} random images per step with 1 intra-op thread, averaging gradients
 * when W > 1 (a manual measurement, not a test assertion). Prints the median step time, the
 * global images/s and the median all-reduce time.
 */
final class StepThroughput {
    private StepThroughput() {}

    static void run(DistributedConfig config, int globalBatch, int steps) {
        int perRank = globalBatch / config.worldSize();
        torch.manual_seed(1 + config.rank());
        try (PointerScope session = new PointerScope(); LayerNet net = LayerNet.customResNet(ModelSpec.cifar10(1.0))) {
            net.train(true);
            Map<String, Tensor> state = net.state();
            List<Tensor> params = new ArrayList<>();
            for (String name : net.parameterNames()) {
                params.add(state.get(name));
            }
            DataParallel dp = config.distributed() ? DataParallel.join(config, net) : null;
            Tensor x = torch.randn(perRank, 3, 32, 32);
            Tensor y = torch.zeros(perRank).to(torch.ScalarType.Long);
            for (int i = 0; i < perRank; i++) {
                y.data_ptr_long().put(i, i % 10);
            }
            long[] stepNanos = new long[steps];
            long[] reduceNanos = new long[steps];
            try (NesterovSgd sgd = new NesterovSgd(new TensorVector(params.toArray(new Tensor[0])), net.parameterNames(), 0.01, 0.9, 5e-4)) {
                for (int i = -2; i < steps; i++) {
                    if (dp != null) {
                        dp.barrier();
                    }
                    long start = System.nanoTime();
                    try (PointerScope step = new PointerScope()) {
                        sgd.zeroGrad();
                        torch.cross_entropy_loss(net.forward(x), y).backward();
                        if (dp != null) {
                            dp.averageGradients();
                        }
                        sgd.step();
                    }
                    if (i >= 0) {
                        stepNanos[i] = System.nanoTime() - start;
                        reduceNanos[i] = dp == null ? 0 : dp.lastAllReduceNanos();
                    }
                }
            }
            Arrays.sort(stepNanos);
            Arrays.sort(reduceNanos);
            double stepSeconds = stepNanos[steps / 2] / 1e9;
            DistributedWorker.print("world", config.worldSize());
            DistributedWorker.print("per_rank_batch", perRank);
            DistributedWorker.print("step_median_s", stepSeconds);
            DistributedWorker.print("images_per_s", globalBatch / stepSeconds);
            DistributedWorker.print("allreduce_median_ms", reduceNanos[steps / 2] / 1e6);
            if (dp != null) {
                dp.close();
            }
        }
    }
}
