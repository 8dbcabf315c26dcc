package dev.superconv.bindings;

/** The precision a run computes in and why: config.json's {@code resolved_precision} and {@code precision_reason}. */
public record PrecisionDecision(Precision precision, String reason) {}
