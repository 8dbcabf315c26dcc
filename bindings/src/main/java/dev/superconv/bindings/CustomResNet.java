package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The Custom ResNet (ResNet-9) of {@link ModelSpec} in libtorch. Sub-modules are called explicitly
 * (the presets' {@code Sequential} rejects Java modules); their registered names make
 * {@code named_parameters()} equal {@link ModelSpec#stateTensors()}, which the constructor checks.
 * Closing the model frees its native memory.
 */
public final class CustomResNet extends Module {
    private final ModelSpec spec;
    private final ConvBn prep;
    private final ResidualStage layer1;
    private final ConvBn layer2;
    private final ResidualStage layer3;
    private final LinearImpl fc;

    public CustomResNet(ModelSpec spec) {
        this.spec = spec;
        int c0 = spec.channels(0), c1 = spec.channels(1), c2 = spec.channels(2), c3 = spec.channels(3);
        prep = register_module("prep", new ConvBn(3, c0));
        layer1 = register_module("layer1", new ResidualStage(c0, c1));
        layer2 = register_module("layer2", new ConvBn(c1, c2));
        layer3 = register_module("layer3", new ResidualStage(c2, c3));
        LinearOptions fcOptions = new LinearOptions(c3, spec.numClasses());
        fcOptions.bias().put(false);
        fc = register_module("fc", new LinearImpl(fcOptions));
        checkNamesMatchSpec();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Images (N, 3, 32, 32) float32, normalised (NCHW or channels-last strides) → logits (N, classes). */
    public Tensor forward(Tensor x) {
        Tensor h = prep.forward(x); // (N, c0, 32, 32)
        h = layer1.forward(h); // (N, c1, 16, 16)
        h = layer2.forwardPooled(h); // (N, c2, 8, 8)
        h = layer3.forward(h); // (N, c3, 4, 4)
        h = torch.max_pool2d(h, 4L); // (N, c3, 1, 1)
        h = h.flatten(1, -1); // (N, c3)
        return fc.forward(h).mul(new org.bytedeco.pytorch.Scalar(spec.logitScale())); // (N, classes)
    }

    /** Trainable parameter count (6,573,120 at width 1). */
    public long parameterCount() {
        long n = 0;
        TensorVector params = parameters();
        for (long i = 0; i < params.size(); i++) {
            n += params.get(i).numel();
        }
        return n;
    }

    /** Every state tensor by its {@link ModelSpec} name (handles on the model's own storage, not copies). */
    public Map<String, Tensor> state() {
        StringTensorDict params = named_parameters();
        StringTensorDict buffers = named_buffers();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : spec.stateTensors()) {
            // A dict's get() points into the dict, which the GC may free once this method returns:
            // new Tensor(...) is a handle of its own on the same storage, valid as long as it is kept.
            out.put(t.name(), new Tensor(t.kind() == ModelSpec.Kind.PARAMETER ? params.get(t.name()) : buffers.get(t.name())));
        }
        java.lang.ref.Reference.reachabilityFence(params);
        java.lang.ref.Reference.reachabilityFence(buffers);
        return out;
    }

    /** Trainable parameters in {@link ModelSpec} order, with their names (the optimizer's order). */
    public List<String> parameterNames() {
        return spec.stateTensors().stream().filter(t -> t.kind() == ModelSpec.Kind.PARAMETER).map(ModelSpec.TensorSpec::name).toList();
    }

    /** Copies the state out as float32 arrays (contiguous NCHW order), named as {@link ModelSpec} says. */
    public Map<String, Checkpoint.Tensor> exportState() {
        Map<String, Checkpoint.Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            state().forEach((name, t) -> out.put(name, Tensors.toArray(t)));
        }
        return out;
    }

    /** Loads weights and BN statistics from a checkpoint; a missing tensor or another shape is bad input. */
    public void importState(Checkpoint checkpoint) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : state().entrySet()) {
                Tensors.copyInto(e.getValue(), checkpoint.tensor(e.getKey()), e.getKey());
            }
        }
    }

    /** Re-lays 4-D weights out channels-last (NHWC strides), often faster for CPU convolutions. */
    public void toChannelsLast() {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            TensorVector params = parameters();
            for (long i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                if (p.dim() == 4) {
                    p.set_data(p.contiguous(torch.MemoryFormat.ChannelsLast));
                }
            }
        }
    }

    private void checkNamesMatchSpec() {
        Set<String> actual = new TreeSet<>();
        for (org.bytedeco.javacpp.BytePointer k : named_parameters().keys().get()) {
            actual.add(k.getString());
        }
        StringTensorDict buffers = named_buffers();
        for (long i = 0; i < buffers.size(); i++) {
            String name = buffers.get(i).key().getString();
            if (!name.endsWith("num_batches_tracked")) {
                actual.add(name);
            }
        }
        Set<String> expected = new TreeSet<>();
        spec.stateTensors().forEach(t -> expected.add(t.name()));
        if (!actual.equals(expected)) {
            throw new IllegalStateException("libtorch module names " + actual + " differ from ModelSpec " + expected);
        }
    }

    /** Checks that a checkpoint was written for this architecture before loading it. */
    public static void checkCompatible(ModelSpec expected, ModelSpec found, String what) {
        if (!expected.equals(found)) {
            throw new BadInputException(what + " holds a model of width " + found.width() + " / " + found.numClasses()
                    + " classes, but " + expected.width() + " / " + expected.numClasses() + " was asked for");
        }
    }
}
