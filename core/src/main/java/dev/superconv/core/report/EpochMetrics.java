package dev.superconv.core.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of a run's {@code metrics.jsonl}: the figures of one finished epoch. Accuracies are
 * fractions in [0, 1]; {@code lr} is the learning rate the trainer reports for the epoch.
 * {@code ttaTestAcc} is the test accuracy under test-time augmentation {@code tta}: the recipe's
 * TTA on the last epoch, {@code none} (the plain pass, so equal to {@code testAcc}) on the others
 * and in files written before TTA was measured.
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
        @JsonProperty(value = "images_per_second", required = true) double imagesPerSecond,
        @JsonProperty("tta") dev.superconv.core.model.Tta tta,
        @JsonProperty("test_acc_tta") double ttaTestAcc) {

    public EpochMetrics {
        if (tta == null) {
            throw new IllegalArgumentException("tta must be given (Tta.NONE for a plain test pass)");
        }
    }

    /** A metrics.jsonl line; lines written before TTA was measured have neither tta nor test_acc_tta. */
    @com.fasterxml.jackson.annotation.JsonCreator
    static EpochMetrics fromJson(
            @JsonProperty(value = "epoch", required = true) int epoch,
            @JsonProperty(value = "lr", required = true) double lr,
            @JsonProperty(value = "train_loss", required = true) double trainLoss,
            @JsonProperty(value = "train_acc", required = true) double trainAcc,
            @JsonProperty(value = "test_loss", required = true) double testLoss,
            @JsonProperty(value = "test_acc", required = true) double testAcc,
            @JsonProperty(value = "train_seconds", required = true) double trainSeconds,
            @JsonProperty(value = "images_per_second", required = true) double imagesPerSecond,
            @JsonProperty("tta") dev.superconv.core.model.Tta tta,
            @JsonProperty("test_acc_tta") Double ttaTestAcc) {
        return tta == null || ttaTestAcc == null
                ? new EpochMetrics(epoch, lr, trainLoss, trainAcc, testLoss, testAcc, trainSeconds, imagesPerSecond)
                : new EpochMetrics(epoch, lr, trainLoss, trainAcc, testLoss, testAcc, trainSeconds, imagesPerSecond, tta, ttaTestAcc);
    }

    /** An epoch whose test pass ran without TTA. */
    public EpochMetrics(int epoch, double lr, double trainLoss, double trainAcc, double testLoss, double testAcc,
            double trainSeconds, double imagesPerSecond) {
        this(epoch, lr, trainLoss, trainAcc, testLoss, testAcc, trainSeconds, imagesPerSecond, dev.superconv.core.model.Tta.NONE, testAcc);
    }

    public EpochMetrics withTta(dev.superconv.core.model.Tta level, double accuracy) {
        return new EpochMetrics(epoch, lr, trainLoss, trainAcc, testLoss, testAcc, trainSeconds, imagesPerSecond, level, accuracy);
    }
}
