package dev.superconv.core.metrics;

/**
 * A learning rate suggested by a named rule from an LR range test, with the point of the smoothed
 * loss curve the rule picked ({@code atLr}, {@code atLoss}); for {@code minimum} that point is the
 * minimum itself while the suggestion is ten times lower.
 */
public record LrSuggestion(String name, double lr, double atLr, double atLoss) {}
