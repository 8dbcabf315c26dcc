package dev.superconv.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checkpoints with random weights and random BatchNorm statistics: He-scaled convs, gammas of
 * magnitude 0.5..1.5 of which a chosen fraction is negative, non-trivial running means and
 * variances, so that folding BN (and pooling through a negative scale) is exercised.
 */
final class RandomCheckpoints {
    static final List<String> CIFAR10 =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private RandomCheckpoints() {}

    static Checkpoint create(double width, long seed, double negativeGammaFraction) {
        ModelSpec spec = ModelSpec.cifar10(width);
        Random rnd = new Random(seed);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            String name = t.name();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) value(name, t.shape(), rnd, negativeGammaFraction);
            }
            tensors.put(name, new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        new ModelInfo(spec, CIFAR10, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        meta.put("run", "random-" + seed);
        // what the trainer records (TrainSession.checkpoint)
        meta.putObject("training").put("epochs_done", 3).put("best_test_acc", 0.8125).put("best_epoch", 2);
        return new Checkpoint(meta, tensors);
    }

    private static double value(String name, long[] shape, Random rnd, double negativeGammaFraction) {
        if (name.endsWith(".conv.weight")) {
            return rnd.nextGaussian() * Math.sqrt(2.0 / (shape[1] * 9));
        } else if (name.endsWith(".bn.weight")) {
            double g = 0.5 + rnd.nextDouble();
            return rnd.nextDouble() < negativeGammaFraction ? -g : g;
        } else if (name.endsWith(".bn.bias") || name.endsWith(".bn.running_mean")) {
            return 0.2 * rnd.nextGaussian();
        } else if (name.endsWith(".bn.running_var")) {
            return 0.5 + rnd.nextDouble();
        } else {
            return rnd.nextGaussian() * Math.sqrt(1.0 / shape[1]);
        }
    }

    /** Same checkpoint with one tensor replaced. */
    static Checkpoint withTensor(Checkpoint c, String name, Checkpoint.Tensor t) {
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>(c.tensors());
        tensors.put(name, t);
        return new Checkpoint(c.meta(), tensors);
    }
}
