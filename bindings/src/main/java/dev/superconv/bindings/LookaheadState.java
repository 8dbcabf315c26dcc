package dev.superconv.bindings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * airbench's Lookahead-style EMA over a net's whole state (weights and BN statistics): a copy
 * taken once, then per update {@code ema = lerp(ema, weights, 1 − decay)} and
 * {@code weights = ema}. When and with what decay is {@link dev.superconv.core.optim.LookaheadEma}'s
 * business. Closing it frees the copies.
 */
final class LookaheadState implements AutoCloseable {
    private final List<Tensor> live = new ArrayList<>();
    private final List<Tensor> ema = new ArrayList<>();

    /** Copies {@code state} (its floating-point tensors; integer counters such as num_batches_tracked are left alone). */
    LookaheadState(Map<String, Tensor> state) {
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (Tensor t : state.values()) {
                if (t.is_floating_point()) {
                    // Own handles, retained: the caller's handles may belong to a PointerScope that closes first.
                    Tensor handle = new Tensor(t);
                    handle.retainReference();
                    live.add(handle);
                    Tensor copy = t.detach().clone();
                    copy.retainReference();
                    ema.add(copy);
                }
            }
        }
    }

    /** {@code ema += (1 − decay)·(weights − ema)}, then the weights take the EMA's values. */
    void update(double decay) {
        try (NoGradGuard noGrad = new NoGradGuard()) {
            Scalar weight = new Scalar(1 - decay);
            for (int i = 0; i < live.size(); i++) {
                ema.get(i).lerp_(live.get(i), weight);
                live.get(i).copy_(ema.get(i));
            }
            weight.close();
        }
    }

    @Override
    public void close() {
        for (Tensor t : ema) {
            t.releaseReference();
        }
        for (Tensor t : live) {
            t.releaseReference();
        }
        ema.clear();
        live.clear();
    }
}
