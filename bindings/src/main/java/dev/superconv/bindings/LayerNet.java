package dev.superconv.bindings;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.BatchNormSettings;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.PatchWhitening;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Any {@link Architecture} as a libtorch module. Each named layer becomes a registered
 * sub-module under its dotted name ({@code layer1.res1.conv} → modules {@code layer1}, {@code res1},
 * {@code conv}), so {@code named_parameters()} equals {@link Architecture#stateTensors()}, which
 * the constructor checks. Forward walks the same layer list. Closing the net frees its memory.
 */
public final class LayerNet extends Module {
    private final Architecture architecture;
    private final List<Step> steps;
    private final Map<String, Module> containers = new HashMap<>();

    /** One layer bound to its native module. */
    private sealed interface Step {}

    private record ConvStep(Conv2dImpl conv) implements Step {}

    private record BnStep(BatchNorm2dImpl bn, BatchNormSettings settings) implements Step {
        Tensor forward(Tensor x) {
            int splits = settings.ghostSplits(x.size(0));
            if (splits == 1 || !bn.is_training()) {
                return bn.forward(x);
            }
            // Ghost batch j is images j·N/s … (j+1)·N/s − 1 (the batches are shuffled, so any split is a random
            // one). Slices along N stay channels-last, so each gets the fused kernel with no copy, and one
            // split node carries the gradient back (s narrow() nodes would each build a full-size gradient).
            TensorVector ghosts = x.chunk(splits, 0), normalised = new TensorVector();
            TensorVector means = new TensorVector(), vars = new TensorVector();
            TensorOptional weight = new TensorOptional(bn.weight()), bias = new TensorOptional(bn.bias());
            for (long j = 0; j < splits; j++) {
                Tensor mean = bn.running_mean().clone(), var = bn.running_var().clone();
                normalised.push_back(torch.batch_norm(ghosts.get(j), weight, bias, new TensorOptional(mean), new TensorOptional(var),
                        true, settings.momentum(), settings.eps(), false));
                means.push_back(mean);
                vars.push_back(var);
            }
            try (NoGradGuard g = new NoGradGuard()) {
                // Each ghost batch updated its own copy of the running statistics; the net keeps their mean,
                // as Page's GhostBatchNorm collates them before evaluation.
                bn.running_mean().copy_(torch.stack(means).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
                bn.running_var().copy_(torch.stack(vars).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
            }
            return torch.cat(normalised, 0);
        }
    }

    private record ActStep(Layer.Function function) implements Step {}

    private record PoolStep(long size) implements Step {}

    private record ResidualStep(List<Step> body) implements Step {}

    private record FlattenStep() implements Step {}

    private record LinearStep(LinearImpl linear) implements Step {}

    private record ScaleStep(double factor) implements Step {}

    public LayerNet(Architecture architecture, BatchNormSettings bn) {
        this.architecture = architecture;
        this.steps = build(architecture.layers(), bn);
        checkNamesMatch();
    }

    /** The Custom ResNet of {@code spec}: ReLU and PyTorch's BatchNorm, as the seed and Page train it. */
    public static LayerNet customResNet(ModelSpec spec) {
        return new LayerNet(Architecture.customResNet(spec, Layer.Function.RELU), BatchNormSettings.PYTORCH);
    }

    /** The net a checkpoint's {@link dev.superconv.core.model.ModelInfo} describes. */
    public static LayerNet of(dev.superconv.core.model.ModelInfo info) {
        return new LayerNet(info.architecture(), info.model().batchNorm());
    }

    public Architecture architecture() {
        return architecture;
    }

    /** Logits per image: the last linear layer's outputs. */
    public int numClasses() {
        return (int) architecture.stateTensors().getLast().shape()[0];
    }

    /** Every parameter (trainable or frozen) in state order: the names a checkpoint's optimizer state uses. */
    public List<String> parameterNames() {
        return architecture.stateTensors().stream().filter(t -> t.kind() == ModelSpec.Kind.PARAMETER).map(ModelSpec.TensorSpec::name).toList();
    }

    /** Images (N, 3, H, W) float32, normalised (NCHW or channels-last strides) → logits (N, classes). */
    public Tensor forward(Tensor x) {
        return run(steps, x);
    }

    private static Tensor run(List<Step> steps, Tensor x) {
        for (Step step : steps) {
            x = switch (step) {
                case ConvStep c -> c.conv().forward(x);
                case BnStep b -> b.forward(x);
                case ActStep a -> switch (a.function()) {
                    case RELU -> torch.relu(x);
                    case GELU -> torch.gelu(x); // exact erf form, as PyTorch's nn.GELU()
                    case CELU -> torch.celu(x, new Scalar(Layer.Function.CELU_ALPHA));
                };
                case PoolStep p -> torch.max_pool2d(x, p.size());
                case ResidualStep r -> x.add(run(r.body(), x));
                case FlattenStep f -> x.flatten(1, -1);
                case LinearStep l -> l.linear().forward(x);
                case ScaleStep s -> x.mul(new Scalar(s.factor()));
            };
        }
        return x;
    }

    /** Parameters, trainable or frozen (PyTorch's {@code sum(p.numel())}). */
    public long parameterCount() {
        long n = 0;
        TensorVector params = parameters();
        for (long i = 0; i < params.size(); i++) {
            n += params.get(i).numel();
        }
        return n;
    }

    /** Every state tensor by name (own handles on the net's storage, not copies). */
    public Map<String, Tensor> state() {
        StringTensorDict params = named_parameters();
        StringTensorDict buffers = named_buffers();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : architecture.stateTensors()) {
            // A dict's get() points into the dict, which the GC may free once this method returns.
            out.put(t.name(), new Tensor(t.kind() == ModelSpec.Kind.PARAMETER ? params.get(t.name()) : buffers.get(t.name())));
        }
        java.lang.ref.Reference.reachabilityFence(params);
        java.lang.ref.Reference.reachabilityFence(buffers);
        return out;
    }

    /** Copies the state out as float32 arrays, named as {@link Architecture#stateTensors()} says. */
    public Map<String, Checkpoint.Tensor> exportState() {
        Map<String, Checkpoint.Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            state().forEach((name, t) -> out.put(name, Tensors.toArray(t)));
        }
        return out;
    }

    /**
     * The trainable parameters as the optimizer's groups: everything else first, then the
     * BatchNorm biases (airbench trains them at a higher LR). Frozen ones (a fitted whitening conv,
     * a BN scale held at 1) are in neither. Handles of their own: valid after this call.
     */
    public List<NesterovSgd.ParamGroup> parameterGroups() {
        Set<String> biases = new java.util.HashSet<>();
        architecture.batchNormNames().forEach(n -> biases.add(n + ".bias"));
        List<String> otherNames = new ArrayList<>(), biasNames = new ArrayList<>();
        TensorVector other = new TensorVector(), bias = new TensorVector();
        Map<String, Tensor> state = state();
        for (String name : parameterNames()) {
            Tensor p = state.get(name);
            if (!p.requires_grad()) {
                continue;
            }
            boolean isBias = biases.contains(name);
            (isBias ? biasNames : otherNames).add(name);
            (isBias ? bias : other).push_back(p);
        }
        List<NesterovSgd.ParamGroup> groups = new ArrayList<>();
        groups.add(new NesterovSgd.ParamGroup(otherNames, other));
        if (!biasNames.isEmpty()) {
            groups.add(new NesterovSgd.ParamGroup(biasNames, bias));
        }
        return groups;
    }

    /** Loads weights and BN statistics from a checkpoint; a missing tensor or another shape is bad input. */
    public void importState(Checkpoint checkpoint) {
        importState(checkpoint.tensors());
    }

    /** Loads every state tensor from {@code source}; a missing tensor or another shape is bad input. */
    public void importState(Map<String, Checkpoint.Tensor> source) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : state().entrySet()) {
                Checkpoint.Tensor t = source.get(e.getKey());
                if (t == null) {
                    throw new dev.superconv.core.BadInputException("the weights lack tensor " + e.getKey());
                }
                Tensors.copyInto(e.getValue(), t, e.getKey());
            }
        }
    }

    /**
     * Identity ("Dirac") init of every 3×3 conv: output channel d &lt; min(in, out) passes input
     * channel d through, so each conv starts as an implicit residual (airbench).
     */
    public void diracInit() {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Map<String, Tensor> state = state();
            forEachConv(architecture.layers(), c -> {
                if (c.kernel() == 3) {
                    torch.dirac_(state.get(c.name() + ".weight").narrow(0, 0, Math.min(c.in(), c.out())));
                }
            });
        }
    }

    /** Sets conv {@code name}'s weight to the whitening filters and freezes it; its bias starts at 0. */
    public void initWhitening(String name, PatchWhitening whitening, double eps) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Map<String, Tensor> state = state();
            Tensor w = state.get(name + ".weight");
            int d = whitening.dimension(), k = whitening.kernel();
            Tensors.copyInto(w, new Checkpoint.Tensor(new long[] {2L * d, d / (k * k), k, k}, whitening.convWeights(eps)), name + ".weight");
            w.requires_grad_(false);
            Tensor bias = state.get(name + ".bias");
            if (bias != null) {
                bias.zero_();
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

    private static void forEachConv(List<Layer> layers, java.util.function.Consumer<Layer.Conv> action) {
        for (Layer l : layers) {
            if (l instanceof Layer.Conv c) {
                action.accept(c);
            } else if (l instanceof Layer.Residual r) {
                forEachConv(r.body(), action);
            }
        }
    }

    private List<Step> build(List<Layer> layers, BatchNormSettings bn) {
        List<Step> out = new ArrayList<>();
        for (Layer layer : layers) {
            out.add(switch (layer) {
                case Layer.Conv c -> {
                    Conv2dOptions o = new Conv2dOptions(c.in(), c.out(), new LongPointer((long) c.kernel(), c.kernel()));
                    o.padding().put(new LongPointer((long) c.padding(), c.padding()));
                    o.bias().put(c.bias());
                    Conv2dImpl conv = register(c.name(), new Conv2dImpl(o));
                    if (c.bias()) {
                        try (NoGradGuard g = new NoGradGuard()) {
                            conv.bias().zero_(); // airbench zeroes conv biases; PyTorch's uniform init would be noise
                        }
                    }
                    yield new ConvStep(conv);
                }
                case Layer.BatchNorm b -> {
                    BatchNormOptions o = new BatchNormOptions(b.channels());
                    o.eps().put(bn.eps());
                    o.momentum().put(bn.momentum());
                    BatchNorm2dImpl norm = register(b.name(), new BatchNorm2dImpl(o));
                    if (!bn.trainableWeight()) {
                        norm.weight().requires_grad_(false);
                    }
                    yield new BnStep(norm, bn);
                }
                case Layer.Activation a -> new ActStep(a.function());
                case Layer.MaxPool p -> new PoolStep(p.size());
                case Layer.Residual r -> new ResidualStep(build(r.body(), bn));
                case Layer.Flatten f -> new FlattenStep();
                case Layer.Linear l -> {
                    LinearOptions o = new LinearOptions(l.in(), l.out());
                    o.bias().put(false);
                    yield new LinearStep(register(l.name(), new LinearImpl(o)));
                }
                case Layer.Scale s -> new ScaleStep(s.factor());
            });
        }
        return out;
    }

    /** Registers {@code module} under a dotted path, creating the container modules on the way. */
    private <M extends Module> M register(String path, M module) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : container(path.substring(0, dot));
        return parent.register_module(path.substring(dot + 1), module);
    }

    private Module container(String path) {
        Module existing = containers.get(path);
        if (existing != null) {
            return existing;
        }
        Module created = register(path, new Module());
        containers.put(path, created);
        return created;
    }

    private void checkNamesMatch() {
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
        architecture.stateTensors().forEach(t -> expected.add(t.name()));
        if (!actual.equals(expected)) {
            throw new IllegalStateException("libtorch module names " + actual + " differ from the architecture's " + expected);
        }
    }
}
