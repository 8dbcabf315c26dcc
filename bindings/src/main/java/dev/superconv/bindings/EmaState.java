package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * An EMA copy of a net's whole state (weights and BN statistics): empty until {@link #start}, which
 * copies the state. airbench's Lookahead moves it and copies it back ({@link #update}); Page's
 * evaluation EMA only moves it ({@link #average}) and trades places with the weights around the
 * test pass and best.pt ({@link #swapWithWeights}). When and with what decay is
 * {@link dev.superconv.core.optim.LookaheadEma}'s or {@link dev.superconv.core.optim.EvaluationEma}'s
 * business. A checkpoint holds the copies as {@code ema.NAME}. Closing it frees them.
 */
final class EmaState implements AutoCloseable {
    static final String PREFIX = "ema.";

    private final List<String> names = new ArrayList<>();
    private final List<Tensor> live = new ArrayList<>();
    private final List<Tensor> ema = new ArrayList<>();

    boolean started() {
        return !ema.isEmpty();
    }

    /** Copies {@code state}'s floating-point tensors (integer counters such as num_batches_tracked are left alone). */
    void start(Map<String, Tensor> state) {
        if (started()) {
            throw new IllegalStateException("the EMA has started already");
        }
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor t = e.getValue();
                if (t.is_floating_point()) {
                    // Own handles, retained: the caller's handles may belong to a PointerScope that closes first.
                    Tensor handle = new Tensor(t);
                    handle.retainReference();
                    Tensor copy = t.detach().clone();
                    copy.retainReference();
                    names.add(e.getKey());
                    live.add(handle);
                    ema.add(copy);
                }
            }
        }
    }

    /** Starts from the {@code ema.*} tensors of a checkpoint instead of a copy of the weights. */
    void restore(Map<String, Tensor> state, Map<String, Checkpoint.Tensor> saved) {
        start(state);
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int i = 0; i < names.size(); i++) {
                Checkpoint.Tensor t = saved.get(PREFIX + names.get(i));
                if (t == null) {
                    throw new BadInputException("last.pt says the EMA had started but lacks " + PREFIX + names.get(i));
                }
                Tensors.copyInto(ema.get(i), t, PREFIX + names.get(i));
            }
        }
    }

    /** {@code ema += (1 − decay)·(weights − ema)}, then the weights take the EMA's values. */
    void update(double decay) {
        try (NoGradGuard noGrad = new NoGradGuard(); Scalar weight = new Scalar(1 - decay)) {
            for (int i = 0; i < live.size(); i++) {
                ema.get(i).lerp_(live.get(i), weight);
                live.get(i).copy_(ema.get(i));
            }
        }
    }

    /** {@code ema = decay·ema + (1 − decay)·weights}; the weights are left as they are. */
    void average(double decay) {
        try (NoGradGuard noGrad = new NoGradGuard(); Scalar weight = new Scalar(1 - decay)) {
            for (int i = 0; i < live.size(); i++) {
                ema.get(i).lerp_(live.get(i), weight);
            }
        }
    }

    /** The weights take the copy's values and the copy the weights' (twice: as before). */
    void swapWithWeights() {
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (int i = 0; i < live.size(); i++) {
                try (Tensor weights = live.get(i).clone()) {
                    live.get(i).copy_(ema.get(i));
                    ema.get(i).copy_(weights);
                }
            }
        }
    }

    /** The copies of the BN running statistics (the only state in which data-parallel ranks differ), in state order. */
    List<Tensor> batchNormStatistics() {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).endsWith(".running_mean") || names.get(i).endsWith(".running_var")) {
                out.add(ema.get(i));
            }
        }
        return out;
    }

    /** The copies as {@code ema.NAME} float32 tensors; empty before {@link #start}. */
    Map<String, Checkpoint.Tensor> exportState() {
        Map<String, Checkpoint.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(PREFIX + names.get(i), Tensors.toArray(ema.get(i)));
        }
        return out;
    }

    @Override
    public void close() {
        ema.forEach(Tensor::releaseReference);
        live.forEach(Tensor::releaseReference);
        ema.clear();
        live.clear();
        names.clear();
    }
}
