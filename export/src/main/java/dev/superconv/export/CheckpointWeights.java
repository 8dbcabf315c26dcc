package dev.superconv.export;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import java.util.Arrays;

/** Checks that a checkpoint holds exactly the weights its model description promises. */
final class CheckpointWeights {
    private CheckpointWeights() {}

    /** Every state tensor present with the spec's shape, finite, BN variances ≥ 0; else bad input. */
    static void check(Checkpoint checkpoint, dev.superconv.core.model.ModelInfo info) {
        double width = info.model().width();
        for (TensorSpec want : info.architecture().stateTensors()) {
            Checkpoint.Tensor t = checkpoint.tensors().get(want.name());
            if (t == null) {
                throw new BadInputException("checkpoint lacks tensor " + want.name() + " of a width-" + width + " model");
            }
            if (!Arrays.equals(t.shape(), want.shape())) {
                throw new BadInputException("checkpoint tensor " + want.name() + " has shape " + Arrays.toString(t.shape())
                        + " but its metadata describes width " + width + " (" + Arrays.toString(want.shape()) + "): width mismatch");
            }
            boolean variance = want.name().endsWith(".running_var");
            for (float v : t.data()) {
                if (!Float.isFinite(v) || (variance && v < 0)) {
                    throw new BadInputException("checkpoint tensor " + want.name() + " holds " + v
                            + (variance ? " (a variance must be finite and ≥ 0)" : " (weights must be finite: did training diverge?)"));
                }
            }
        }
    }
}
