package dev.superconv.core.model;

import dev.superconv.core.BadInputException;

/**
 * How every BatchNorm of a net behaves.
 *
 * @param eps             added to the variance (1e-5 PyTorch's default; airbench 1e-12)
 * @param momentum        PyTorch's convention: {@code running = (1 − momentum)·running + momentum·batch}
 *                        (0.1 default; airbench's "0.6" is PyTorch momentum 0.4)
 * @param trainableWeight whether the scale γ trains; airbench freezes it at 1
 */
public record BatchNormSettings(double eps, double momentum, boolean trainableWeight) {
    public static final BatchNormSettings PYTORCH = new BatchNormSettings(ModelSpec.BN_EPS, ModelSpec.BN_MOMENTUM, true);
    /** airbench94: eps 1e-12, running = 0.6·running + 0.4·batch, γ frozen at 1. */
    public static final BatchNormSettings AIRBENCH = new BatchNormSettings(1e-12, 0.4, false);

    public BatchNormSettings {
        if (!(eps > 0 && eps < 1)) {
            throw new BadInputException("BN eps must be in (0, 1), got " + eps);
        }
        if (!(momentum > 0 && momentum <= 1)) {
            throw new BadInputException("BN momentum must be in (0, 1], got " + momentum);
        }
    }
}
