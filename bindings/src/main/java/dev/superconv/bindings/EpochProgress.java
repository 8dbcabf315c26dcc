package dev.superconv.bindings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Running sums of one training epoch. Saved in last.pt when a run stops mid-epoch, so --resume
 * skips the batches already trained on and still reports the whole epoch's loss and accuracy.
 */
final class EpochProgress {
    int steps;
    int seen;
    long correct;
    double lossSum;
    double seconds;

    void add(double batchLoss, int images, long batchCorrect) {
        steps++;
        seen += images;
        correct += batchCorrect;
        lossSum += batchLoss * images;
    }

    void writeTo(ObjectNode training) {
        training.put("step_in_epoch", steps);
        ObjectNode p = training.putObject("epoch_progress");
        p.put("seen", seen).put("correct", correct).put("loss_sum", lossSum).put("seconds", seconds);
    }

    static EpochProgress readFrom(JsonNode training) {
        EpochProgress p = new EpochProgress();
        p.steps = training.path("step_in_epoch").asInt(0);
        JsonNode n = training.path("epoch_progress");
        p.seen = n.path("seen").asInt(0);
        p.correct = n.path("correct").asLong(0);
        p.lossSum = n.path("loss_sum").asDouble(0);
        p.seconds = n.path("seconds").asDouble(0);
        return p;
    }
}
