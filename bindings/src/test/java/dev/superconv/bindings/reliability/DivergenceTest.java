package dev.superconv.bindings.reliability;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.bindings.Recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.bindings.ProgressDisplay;
import dev.superconv.core.run.RunDirectory;
import dev.superconv.bindings.Trainer;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.report.EpochMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN in the middle of epoch 2 (one batch of NaN pixels) must stop the run at that very step,
 * leaving best.pt, last.pt and metrics.jsonl exactly as epoch 1 wrote them.
 */
class DivergenceTest {
    private static final int POISONED_EPOCH = 1;
    private static final int POISONED_INDEX = 2;

    @TempDir Path dir;

    /** The recipe's augmentation, except that one batch has every float set to NaN (0xFFFFFFFF). */
    private static BatchSource poisoned(Dataset train, dev.superconv.core.augment.Augmentation augmentation, dev.superconv.core.augment.AugmentConfig config) {
        BatchSource inner = Trainer.RECIPE_AUGMENTATION.create(train, augmentation, config);
        return new BatchSource() {
            @Override
            public int batchesPerEpoch() {
                return inner.batchesPerEpoch();
            }

            @Override
            public int imagesPerEpoch() {
                return inner.imagesPerEpoch();
            }

            @Override
            public EpochBatches epoch(int epoch) {
                EpochBatches batches = inner.epoch(epoch);
                return new EpochBatches() {
                    @Override
                    public boolean hasNext() {
                        return batches.hasNext();
                    }

                    @Override
                    public Batch next() {
                        Batch b = batches.next();
                        if (b.epoch() == POISONED_EPOCH && b.index() == POISONED_INDEX) {
                            b.images().fill((byte) 0xFF);
                        }
                        return b;
                    }

                    @Override
                    public void close() {
                        batches.close();
                    }
                };
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void stopsAtTheFirstNanStepAndLeavesTheCheckpointsUntouched() {
        TrainConfig b = Recipe.with(TinyRuns.config(), "epochs", 3.0);
        Dataset train = TinyRuns.dataset(96, 1);
        Dataset test = TinyRuns.dataset(30, 2);
        RunDirectory files = new RunDirectory(dir);
        List<Long> steps = new ArrayList<>();
        List<byte[]> afterEpochOne = new ArrayList<>();
        Trainer trainer = new Trainer(b, new Trainer.Listener() {
            @Override
            public void stepEnd(long step, double loss) {
                assertTrue(Double.isFinite(loss), "a non-finite loss reached the listener at step " + step);
                steps.add(step);
            }

            @Override
            public void epochEnd(EpochMetrics m) {
                afterEpochOne.add(bytes(files.best()));
                afterEpochOne.add(bytes(files.last()));
                afterEpochOne.add(bytes(files.metrics()));
            }
        }, DivergenceTest::poisoned, ProgressDisplay.NONE);

        Trainer.DivergedException e = assertThrows(Trainer.DivergedException.class, () -> trainer.train(train, test, files, false));

        int stepsPerEpoch = 96 / 16;
        long poisonedStep = (long) POISONED_EPOCH * stepsPerEpoch + POISONED_INDEX;
        assertTrue(e.getMessage().contains("loss is NaN at epoch 2, step " + poisonedStep), e.getMessage());
        assertTrue(e.getMessage().contains("--max-lr"), "the message says what to do: " + e.getMessage());
        assertEquals(poisonedStep - 1, steps.getLast(), "no step after the NaN one: " + steps);
        assertEquals(3, afterEpochOne.size(), "exactly one epoch ended");
        assertArrayEquals(afterEpochOne.get(0), bytes(files.best()), "best.pt untouched");
        assertArrayEquals(afterEpochOne.get(1), bytes(files.last()), "last.pt untouched");
        assertArrayEquals(afterEpochOne.get(2), bytes(files.metrics()), "metrics.jsonl untouched");
        assertTrue(Files.notExists(dir.resolve(".lock")), "the lock is released when training fails");
    }
}
