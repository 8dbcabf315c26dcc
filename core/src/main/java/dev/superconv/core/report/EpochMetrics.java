package dev.superconv.core.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of a run's {@code metrics.jsonl}: the figures of one finished epoch. Accuracies are
 * fractions in [0, 1]; {@code lr} is the learning rate the trainer reports for the epoch.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EpochMetrics(
        @JsonProperty(value = "epoch", required = true) int epoch,
        @JsonProperty(value = "lr", required = true) double lr,
        @JsonProperty(value = "train_loss", required = true) double trainLoss,
        @JsonProperty(value = "train_acc", required = true) double trainAcc,
        @JsonProperty(value = "test_loss", required = true) double testLoss,
        @JsonProperty(value = "test_acc", required = true) double testAcc,
        @JsonProperty(value = "train_seconds", required = true) double trainSeconds,
        @JsonProperty(value = "images_per_second", required = true) double imagesPerSecond) {}
