package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * libtorch's SGD (momentum, Nesterov, weight decay), with the LR and momentum set from Java before
 * every step and the momentum buffers readable and restorable by parameter name, so a checkpoint
 * holds them as {@code optim.<param>.momentum_buffer} float32 tensors.
 */
public final class NesterovSgd implements AutoCloseable {
    public static final String PREFIX = "optim.";
    public static final String SUFFIX = ".momentum_buffer";

    private final SGD sgd;
    private final List<String> names;
    private final TensorVector params;

    /**
     * Parameters that share an LR and weight decay: airbench trains BatchNorm biases at 64× the LR
     * of everything else. {@code names[i]} names {@code params[i]}.
     */
    public record ParamGroup(List<String> names, TensorVector params) {
        public ParamGroup {
            if (params.size() != names.size()) {
                throw new IllegalArgumentException(params.size() + " parameters but " + names.size() + " names");
            }
            names = List.copyOf(names);
        }
    }

    /** One group: {@code names[i]} names {@code params[i]}. */
    public NesterovSgd(TensorVector params, List<String> names, double lr, double momentum, double weightDecay) {
        this(List.of(new ParamGroup(names, params)), lr, momentum, weightDecay);
    }

    /** Groups in order; every group starts at {@code lr} and {@code weightDecay} (set them per step with {@link #setGroup}). */
    public NesterovSgd(List<ParamGroup> groups, double lr, double momentum, double weightDecay) {
        List<String> allNames = new java.util.ArrayList<>();
        TensorVector all = new TensorVector();
        for (ParamGroup g : groups) {
            allNames.addAll(g.names());
            for (long i = 0; i < g.params().size(); i++) {
                all.push_back(g.params().get(i));
            }
        }
        this.params = all;
        this.names = List.copyOf(allNames);
        SGDOptions options = new SGDOptions(lr);
        // libtorch refuses Nesterov with momentum 0 only when built; its step() skips the momentum term at 0,
        // which is plain SGD (as in PyTorch), so a 0 is set right after construction.
        options.momentum().put(momentum > 0 ? momentum : 0.9);
        options.nesterov().put(true);
        options.weight_decay().put(weightDecay);
        sgd = new SGD(groups.getFirst().params(), options);
        for (ParamGroup g : groups.subList(1, groups.size())) {
            sgd.add_param_group(new org.bytedeco.pytorch.OptimizerParamGroup(g.params())); // takes a clone of the defaults
        }
        setMomentum(momentum);
    }

    /** Sets group {@code index}'s LR and weight decay (PyTorch's: the decay is multiplied by the LR in the step). */
    public void setGroup(int index, double lr, double weightDecay) {
        org.bytedeco.pytorch.OptimizerOptions o = sgd.param_groups().get(index).options();
        o.set_lr(lr);
        new SGDOptions(o).weight_decay().put(weightDecay);
    }

    public int groupCount() {
        return (int) sgd.param_groups().size();
    }

    public void setLr(double lr) {
        OptimizerParamGroupVector groups = sgd.param_groups();
        for (long i = 0; i < groups.size(); i++) {
            groups.get(i).options().set_lr(lr);
        }
    }

    /** Through the SGD view of each group's options (the base class exposes only the LR). */
    public void setMomentum(double momentum) {
        OptimizerParamGroupVector groups = sgd.param_groups();
        for (long i = 0; i < groups.size(); i++) {
            new SGDOptions(groups.get(i).options()).momentum().put(momentum);
        }
    }

    public double lr() {
        return sgd.param_groups().get(0).options().get_lr();
    }

    public double momentum() {
        return new SGDOptions(sgd.param_groups().get(0).options()).momentum().get();
    }

    public void zeroGrad() {
        sgd.zero_grad(true);
    }

    public void step() {
        sgd.step();
    }

    /**
     * The momentum buffers by name ({@code optim.<param>.momentum_buffer}); empty before the first
     * step. libtorch keeps optimizer state keyed by TensorImpl address and exposes it only through
     * its archive, so the state is serialized to bytes in memory and read back (no file: a temp file
     * per checkpoint would be left behind by a SIGKILL).
     */
    public Map<String, Checkpoint.Tensor> exportMomentumBuffers() {
        Map<String, Checkpoint.Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            OutputArchive archive = new OutputArchive();
            sgd.save(archive);
            byte[] bytes = serialize(archive);
            InputArchive in = new InputArchive();
            in.load_from(new BytePointer(bytes), bytes.length);
            InputArchive state = new InputArchive();
            in.read("state", state);
            Set<String> keys = new HashSet<>();
            for (BytePointer k : state.keys().get()) {
                keys.add(k.getString());
            }
            for (int i = 0; i < names.size(); i++) {
                String key = Long.toString(params.get(i).unsafeGetTensorImpl().address());
                if (!keys.contains(key)) {
                    continue; // no step taken yet for this parameter
                }
                InputArchive paramState = new InputArchive();
                state.read(key, paramState);
                Tensor buffer = new Tensor();
                paramState.read("momentum_buffer", buffer);
                out.put(PREFIX + names.get(i) + SUFFIX, Tensors.toArray(buffer));
            }
        }
        return out;
    }

    /** The archive as libtorch would write it to a file, through its writer callback. */
    private static byte[] serialize(OutputArchive archive) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArchiveWriter writer = new ArchiveWriter() {
            @Override
            public long call(Pointer data, long size) {
                byte[] chunk = new byte[Math.toIntExact(size)];
                new BytePointer(data).capacity(size).get(chunk);
                bytes.write(chunk, 0, chunk.length);
                return size;
            }
        }) {
            archive.save_to(writer);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores momentum buffers written by {@link #exportMomentumBuffers()}. libtorch creates a
     * buffer as {@code clone(grad)} on a parameter's first step, so one priming step with gradient =
     * saved buffer, weight decay 0 and LR 0 recreates every buffer bit for bit and leaves the weights
     * untouched ({@code p + (−0)·d = p}). A parameter without a saved buffer gets a zero buffer,
     * which libtorch's next step treats exactly like a fresh one ({@code 0·m + g = g}).
     */
    public void importMomentumBuffers(Checkpoint checkpoint) {
        try (PointerScope scope = new PointerScope()) {
            OptimizerParamGroupVector groups = sgd.param_groups();
            double[] lrs = new double[(int) groups.size()];
            double[] decays = new double[lrs.length];
            for (int g = 0; g < lrs.length; g++) {
                lrs[g] = groups.get(g).options().get_lr();
                decays[g] = new SGDOptions(groups.get(g).options()).weight_decay().get();
            }
            try (NoGradGuard noGrad = new NoGradGuard()) {
                for (int i = 0; i < names.size(); i++) {
                    Tensor p = params.get(i);
                    String key = PREFIX + names.get(i) + SUFFIX;
                    Tensor grad = org.bytedeco.pytorch.global.torch.zeros_like(p);
                    if (checkpoint.tensors().containsKey(key)) {
                        Tensors.copyInto(grad, checkpoint.tensor(key), key);
                    }
                    p.mutable_grad().put(grad);
                }
            }
            for (int g = 0; g < lrs.length; g++) {
                setGroup(g, 0, 0);
            }
            sgd.step();
            for (int g = 0; g < lrs.length; g++) {
                setGroup(g, lrs[g], decays[g]);
            }
            zeroGrad();
        } catch (BadInputException e) {
            throw e;
        }
    }

    @Override
    public void close() {
        sgd.close();
    }
}
