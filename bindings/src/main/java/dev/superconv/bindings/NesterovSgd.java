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
    private final double weightDecay;

    /** {@code names[i]} names {@code params[i]}. */
    public NesterovSgd(TensorVector params, List<String> names, double lr, double momentum, double weightDecay) {
        if (params.size() != names.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + names.size() + " names");
        }
        this.params = params;
        this.names = List.copyOf(names);
        this.weightDecay = weightDecay;
        SGDOptions options = new SGDOptions(lr);
        // libtorch refuses Nesterov with momentum 0 only when built; its step() skips the momentum term at 0,
        // which is plain SGD (as in PyTorch), so a 0 is set right after construction.
        options.momentum().put(momentum > 0 ? momentum : 0.9);
        options.nesterov().put(true);
        options.weight_decay().put(weightDecay);
        sgd = new SGD(params, options);
        setMomentum(momentum);
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
            double lr = lr();
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
            setLr(0);
            setWeightDecay(0);
            sgd.step();
            setWeightDecay(weightDecay);
            setLr(lr);
            zeroGrad();
        } catch (BadInputException e) {
            throw e;
        }
    }

    private void setWeightDecay(double wd) {
        OptimizerParamGroupVector groups = sgd.param_groups();
        for (long i = 0; i < groups.size(); i++) {
            new SGDOptions(groups.get(i).options()).weight_decay().put(wd);
        }
    }

    @Override
    public void close() {
        sgd.close();
    }
}
