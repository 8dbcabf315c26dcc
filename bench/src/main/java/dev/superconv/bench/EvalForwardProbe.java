package dev.superconv.bench;

import dev.superconv.bindings.LayerNet;
import dev.superconv.bindings.TorchEvaluator;
import dev.superconv.bindings.Natives;
import dev.superconv.bindings.Precision;
import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.AugmentedBatchSource;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch evaluation as {@code superconv train} runs its test pass: {@link TorchEvaluator} over the
 * evaluation batches (normalise to NHWC, channels-last model, no grad), in fp32 or bf16 autocast.
 */
public final class EvalForwardProbe implements AutoCloseable {
    private final Precision precision;
    private final LayerNet model;
    private final AugmentedBatchSource source;

    public EvalForwardProbe(double width, Precision precision, Dataset data, int batch) {
        Natives.load();
        this.precision = precision;
        torch.manual_seed(2);
        model = LayerNet.customResNet(new ModelSpec(width, ModelSpec.cifar10(width).logitScale(), data.classes().size()));
        model.toChannelsLast();
        model.eval();
        AugmentConfig config = AugmentConfig.defaults().withBatchSize(Math.min(batch, data.size())).withLayout(Layout.NHWC).withThreads(1);
        source = AugmentPreset.EVAL.source(data, config, Normalize.cifar10());
    }

    /** One pass over the data; images/s. */
    public double run() {
        TorchEvaluator.Result r = TorchEvaluator.evaluate(model, source, precision, Device.CPU, false);
        Checks.that(r.images() == source.imagesPerEpoch() && Double.isFinite(r.loss()), "evaluation covered every image with a finite loss");
        return r.imagesPerSecond();
    }

    /**
     * The channels-last forward in this precision against a second path: the fp32 forward of a
     * contiguous NCHW copy of the same images (equal to 1e-4 in fp32; within 10 % of the largest
     * logit in bf16, whose 8-bit mantissa loses about 0.4 % per layer).
     */
    public void check(int images) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor x = torch.randn(images, 3, 32, 32); // (N, 3, 32, 32)
            float[] reference = TorchForward.floats(model.forward(x.contiguous()));
            float[] got = TorchForward.floats(dev.superconv.bindings.Autocast.forward(model, x.contiguous(torch.MemoryFormat.ChannelsLast), precision, Device.CPU));
            double scale = 0;
            double worst = 0;
            for (int i = 0; i < reference.length; i++) {
                scale = Math.max(scale, Math.abs(reference[i]));
                worst = Math.max(worst, Math.abs(reference[i] - got[i]));
            }
            double tolerance = (precision == Precision.FP32 ? 1e-4 : 0.1) * Math.max(scale, 1e-3);
            Checks.that(scale > 0 && worst <= tolerance, precision.flag() + " eval forward within " + tolerance + " of the NCHW fp32 path (max diff " + worst + ")");
        }
    }

    @Override
    public void close() {
        source.close();
        model.close();
    }
}
