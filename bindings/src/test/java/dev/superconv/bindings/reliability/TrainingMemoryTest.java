package dev.superconv.bindings.reliability;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.bindings.Recipe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.bindings.Trainer;
import dev.superconv.core.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native memory over a long-ish run: 480 optimizer steps (and 30 test passes, 60 checkpoint writes)
 * of a width-1/16 model. Leaking one batch of input tensors per step (16×3×32×32 float32 = 192 KiB)
 * would add ≈ 80 MiB over the measured 420 steps; the bound is 48 MiB of growth after warm-up.
 */
class TrainingMemoryTest {
    private static final long BOUND = 48L << 20;
    private static final int WARM_UP_STEPS = 60;

    @TempDir Path dir;

    @Test
    void residentMemoryDoesNotGrowAfterWarmUp() {
        TrainConfig b = Recipe.with(TinyRuns.config(), "epochs", 30.0);
        Dataset train = TinyRuns.dataset(256, 3); // 16 steps per epoch
        Dataset test = TinyRuns.dataset(32, 4);
        long[] warm = {-1};
        List<Long> samples = new ArrayList<>();
        Trainer.train(b, train, test, dir, false, new Trainer.Listener() {
            @Override
            public void stepEnd(long step, double loss) {
                if (step == WARM_UP_STEPS) {
                    System.gc(); // heap garbage is not what this test measures
                    warm[0] = TinyRuns.rssBytes();
                } else if (step > WARM_UP_STEPS && step % 20 == 0) {
                    samples.add(TinyRuns.rssBytes());
                }
            }
        });
        long end = TinyRuns.rssBytes();
        long max = samples.stream().mapToLong(Long::longValue).max().orElseThrow();
        String trace = "RSS after warm-up " + (warm[0] >> 20) + " MiB, samples " + samples.stream().map(v -> v >> 20).toList()
                + " MiB, end " + (end >> 20) + " MiB";
        System.out.println(trace);
        assertTrue(max - warm[0] < BOUND && end - warm[0] < BOUND, trace);
    }
}
