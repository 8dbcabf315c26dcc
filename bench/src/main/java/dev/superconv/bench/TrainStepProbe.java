package dev.superconv.bench;

import dev.superconv.bindings.Autocast;
import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.Natives;
import dev.superconv.bindings.NesterovSgd;
import dev.superconv.bindings.Precision;
import dev.superconv.bindings.TrainStep;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.recipe.OptimizerConfig;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The trainer's own {@link TrainStep} on the Custom ResNet (zero_grad, forward in bf16 autocast or
 * fp32, label-smoothed cross-entropy, backward, Nesterov SGD step), timed on a fixed random batch
 * (the Java input path is measured on its own and is two orders of magnitude faster).
 */
public final class TrainStepProbe implements AutoCloseable {
    static final double LABEL_SMOOTHING = 0.2;

    private final Precision precision;
    private final int batch;
    private final LayerNet model;
    private final NesterovSgd optimizer;
    private final Tensor images;
    private final Tensor labels;
    private final CrossEntropyLossOptions lossOptions = new CrossEntropyLossOptions();
    private final TrainStep step;

    public TrainStepProbe(double width, Precision precision, boolean channelsLast, int batch) {
        Natives.load();
        this.precision = precision;
        this.batch = batch;
        torch.manual_seed(1);
        model = LayerNet.customResNet(ModelSpec.cifar10(width));
        Tensor x = torch.randn(batch, 3, 32, 32); // (N, 3, 32, 32)
        if (channelsLast) {
            model.toChannelsLast();
            x = x.contiguous(torch.MemoryFormat.ChannelsLast);
        }
        images = x;
        labels = torch.randint(10, new long[] {batch}); // (N)
        model.train(true);
        Map<String, Tensor> state = model.state();
        TensorVector params = new TensorVector();
        for (String name : model.parameterNames()) {
            params.push_back(state.get(name));
        }
        optimizer = new NesterovSgd(params, model.parameterNames(), 0.01, 0.9, 5e-4);
        lossOptions.label_smoothing().put(LABEL_SMOOTHING);
        OptimizerConfig recipe = new OptimizerConfig(OptimizerConfig.Units.PER_STEP, 5e-4, 1, OptimizerConfig.LossReduction.MEAN,
                LABEL_SMOOTHING, new OptimizerConfig.NoEma());
        step = TrainStep.single(model, optimizer, recipe, precision, Device.CPU, batch);
        step.set(0.01, 0.01, 0.9);
    }

    /** Runs {@code steps} steps; returns images/s. Every step's loss must be finite. */
    public double run(int steps) {
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            try (PointerScope scope = new PointerScope()) {
                double value = step.run(images, labels, s).loss();
                Checks.that(Double.isFinite(value), "training loss is finite (" + value + ")");
            }
        }
        return Stats.perSecond((double) steps * batch, System.nanoTime() - t0);
    }

    /**
     * The step's loss against a recomputation in Java from the same logits (log-softmax with label
     * smoothing 0.2, mean over the batch): a step that computes the wrong loss fails here.
     */
    public void check() {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = Autocast.forward(model, images, precision, Device.CPU).to(torch.ScalarType.Float).detach(); // (N, 10)
            double libtorch = torch.cross_entropy(logits, labels, lossOptions).item_double();
            float[] z = TorchForward.floats(logits);
            long[] y = TorchForward.longs(labels);
            double expected = smoothedCrossEntropy(z, y, 10, LABEL_SMOOTHING);
            Checks.that(Double.isFinite(libtorch) && Math.abs(libtorch - expected) <= 1e-4 * Math.max(1, Math.abs(expected)),
                    precision.flag() + " training loss " + libtorch + " equals the recomputed " + expected);
        }
    }

    /** Mean over rows of (1 − ε)·(−log p[y]) + ε·mean over k of (−log p[k]), as PyTorch defines it. */
    static double smoothedCrossEntropy(float[] logits, long[] labels, int classes, double epsilon) {
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, logits[i * classes + k]);
            }
            double sumExp = 0;
            for (int k = 0; k < classes; k++) {
                sumExp += Math.exp(logits[i * classes + k] - max);
            }
            double logZ = max + Math.log(sumExp);
            double nllAll = 0;
            for (int k = 0; k < classes; k++) {
                nllAll += logZ - logits[i * classes + k];
            }
            double nllTrue = logZ - logits[i * classes + (int) labels[i]];
            total += (1 - epsilon) * nllTrue + epsilon * nllAll / classes;
        }
        return total / labels.length;
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
        images.close();
        labels.close();
        lossOptions.close();
    }
}
