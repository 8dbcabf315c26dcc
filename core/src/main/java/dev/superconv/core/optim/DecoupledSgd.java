package dev.superconv.core.optim;

import dev.superconv.core.BadInputException;

/**
 * airbench's decoupled hyperparameters, turned into what PyTorch's Nesterov SGD takes.
 *
 * <p>With time-constant gradients, Nesterov momentum {@code m} makes each step
 * {@code 1 + 1/(1 − m)} times the gradient, and SGD's weight decay scales with the LR. Dividing by
 * that factor (per 1,024 examples) lets lr, momentum and weight decay be tuned one at a time:
 * <pre>
 * kilostep = 1024 · (1 + 1/(1 − m))
 * sgd lr   = lr / kilostep                       (lr per 1,024 examples)
 * sgd wd   = wd · batch / kilostep / peak sgd lr  (PyTorch multiplies wd by each step's lr, so lr·wd follows the schedule)
 * </pre>
 * BN biases train at {@code biasScale ×} the LR with the same absolute decay, so their group's
 * weight decay is divided by the same factor.
 *
 * @param lrPer1024  learning rate per 1,024 examples (airbench94: 11.5)
 * @param wdPer1024  weight decay per 1,024 examples, decoupled from the LR (airbench94: 0.0153)
 * @param momentum   Nesterov momentum (airbench94: 0.85)
 * @param biasScale  LR multiplier for BatchNorm biases (airbench94: 64)
 */
public record DecoupledSgd(double lrPer1024, double wdPer1024, double momentum, double biasScale) {
    public DecoupledSgd {
        if (!(lrPer1024 > 0 && Double.isFinite(lrPer1024))) {
            throw new BadInputException("--max-lr must be positive, got " + lrPer1024);
        }
        if (!(wdPer1024 >= 0 && Double.isFinite(wdPer1024))) {
            throw new BadInputException("--weight-decay must be ≥ 0, got " + wdPer1024);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new BadInputException("--momentum must be in [0, 1), got " + momentum);
        }
        if (!(biasScale > 0 && Double.isFinite(biasScale))) {
            throw new BadInputException("BN bias LR scale must be positive, got " + biasScale);
        }
    }

    /** {@code 1024 · (1 + 1/(1 − momentum))}. */
    public double kilostepScale() {
        return 1024 * (1 + 1 / (1 - momentum));
    }

    /** Peak LR of the ordinary parameter group, as PyTorch's SGD takes it. */
    public double sgdLr() {
        return lrPer1024 / kilostepScale();
    }

    /** Peak LR of the BN-bias group. */
    public double sgdBiasLr() {
        return sgdLr() * biasScale;
    }

    /** SGD weight decay of the ordinary group at this batch size. */
    public double sgdWeightDecay(int batchSize) {
        return wdPer1024 * batchSize / kilostepScale() / sgdLr();
    }

    /** SGD weight decay of the BN-bias group: the same absolute decay at a {@code biasScale ×} LR. */
    public double sgdBiasWeightDecay(int batchSize) {
        return wdPer1024 * batchSize / kilostepScale() / sgdBiasLr();
    }
}
