package dev.superconv.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;

/**
 * How every BatchNorm of a net behaves.
 *
 * @param eps             added to the variance (1e-5 PyTorch's default; airbench 1e-12)
 * @param momentum        PyTorch's convention: {@code running = (1 − momentum)·running + momentum·batch}
 *                        (0.1 default; airbench's "0.6" is PyTorch momentum 0.4)
 * @param trainableWeight whether the scale γ trains; airbench freezes it at 1
 * @param ghostBatch      images per ghost batch in training, 0 = the whole batch (Page's GhostBatchNorm: 32,
 *                        batch 512 in 16 ghost batches). Evaluation always uses the running statistics.
 */
public record BatchNormSettings(double eps, double momentum, boolean trainableWeight, int ghostBatch) {
    public static final BatchNormSettings PYTORCH = new BatchNormSettings(ModelSpec.BN_EPS, ModelSpec.BN_MOMENTUM, true, 0);
    /** airbench94: eps 1e-12, running = 0.6·running + 0.4·batch, γ frozen at 1. */
    public static final BatchNormSettings AIRBENCH = new BatchNormSettings(1e-12, 0.4, false, 0);

    public BatchNormSettings {
        if (!(eps > 0 && eps < 1)) {
            throw new BadInputException("BN eps must be in (0, 1), got " + eps);
        }
        if (!(momentum > 0 && momentum <= 1)) {
            throw new BadInputException("BN momentum must be in (0, 1], got " + momentum);
        }
        if (ghostBatch < 0) {
            throw new BadInputException("BN ghost_batch must be ≥ 0 (0 = the whole batch), got " + ghostBatch);
        }
    }

    /**
     * Into how many ghost batches a training batch of {@code batch} images is split: {@code batch / ghostBatch}
     * when that divides, else the nearest smaller count that divides {@code batch} (ghost batches a little
     * larger than asked, never of unequal size); 1 when off or when the batch is no larger than a ghost batch.
     */
    public int ghostSplits(long batch) {
        if (ghostBatch == 0 || batch <= ghostBatch) {
            return 1;
        }
        int splits = (int) (batch / ghostBatch);
        while (batch % splits != 0) {
            splits--;
        }
        return splits;
    }

    /** Files written before ghost BN have no {@code ghost_batch}: it meant the whole batch. */
    static void upgradeJson(JsonNode batchNorm) {
        if (batchNorm instanceof ObjectNode o && !o.has("ghost_batch")) {
            o.put("ghost_batch", 0);
        }
    }
}
