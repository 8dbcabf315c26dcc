package dev.superconv.core.augment;

/** Memory layout of a float image batch handed to the model. */
public enum Layout {
    /** (N, C, H, W): PyTorch's default. */
    NCHW,
    /** (N, H, W, C): channels-last, often faster for CPU convolutions. */
    NHWC
}
