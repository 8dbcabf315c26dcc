package dev.superconv.bindings;

import dev.superconv.core.recipe.TrainConfig;

import dev.superconv.core.recipe.Presets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.DataSets;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrRange;
import dev.superconv.core.metrics.LrSuggestion;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LrFinderTest {
    @BeforeAll
    static void natives() {
        Natives.load();
        torch.set_num_threads(1);
    }

    /** Learnable images: each class has its own mean colour, plus pixel noise. */
    static Dataset colourClasses(int n, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[n * Dataset.IMAGE_BYTES];
        byte[] labels = new byte[n];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(classes);
            labels[i] = (byte) c;
            for (int p = 0; p < Dataset.HEIGHT * Dataset.WIDTH; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    int base = ((c >> ch) & 1) == 1 ? 170 : 70;
                    px[i * Dataset.IMAGE_BYTES + p * 3 + ch] = (byte) Math.clamp(base + rng.nextInt(-60, 61), 0, 255);
                }
            }
        }
        return new Dataset(px, labels, names);
    }

    /** Every parameter, buffer and gradient of the model, copied. */
    static Map<String, Tensor> copyAll(LayerNet model) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (StringTensorDict d : List.of(model.named_parameters(), model.named_buffers())) {
            for (long i = 0; i < d.size(); i++) {
                Tensor t = d.get(i).value();
                out.put(d.get(i).key().getString(), t.detach().clone());
                if (t.grad().defined()) {
                    out.put(d.get(i).key().getString() + ".grad", t.grad().detach().clone());
                }
            }
        }
        return out;
    }

    @Test
    void callersModelAndOptimizerAreUnchanged() {
        Dataset data = colourClasses(256, 4, 1);
        torch.manual_seed(7);
        try (PointerScope scope = new PointerScope();
                LayerNet model = LayerNet.customResNet(new ModelSpec(0.125, 0.125, 4));
                BatchSource source = AugmentPreset.SEED.source(data, AugmentConfig.defaults().withBatchSize(32).withDropLast(true)
                        .withThreads(1).withLayout(Layout.NCHW).withSeed(3), Normalize.cifar10())) {
            Map<String, Tensor> state = model.state();
            TensorVector params = new TensorVector();
            for (String name : model.parameterNames()) {
                params.push_back(state.get(name));
            }
            // The caller has trained a step: momentum buffers exist, BN statistics moved, gradients are set.
            try (NesterovSgd callers = new NesterovSgd(params, model.parameterNames(), 0.05, 0.9, 5e-4)) {
                try (BatchSource.EpochBatches epoch = source.epoch(0); var batch = epoch.next()) {
                    model.train(true);
                    TorchBatch b = TorchBatch.of(batch, TorchDevices.torch(Device.CPU));
                    torch.cross_entropy(model.forward(b.images()), b.labels(), new CrossEntropyLossOptions()).backward();
                    callers.step();
                }
                model.eval(); // the finder must put this flag back too

                Map<String, Tensor> before = copyAll(model);
                Map<String, Checkpoint.Tensor> momentumBefore = callers.exportMomentumBuffers();
                double lrBefore = callers.lr();

                LrFinderResult r = LrFinder.run(model, source, LrFinder.Settings.of(new LrRange(1e-4, 10, 30, LrRange.Mode.EXPONENTIAL)),
                        Precision.FP32, Device.CPU, 5e-4, 0);

                // The test really trained: the loss moved (it falls, then blows up at large LRs).
                assertTrue(r.steps() >= 10, "steps " + r.steps());
                double lo = java.util.Arrays.stream(r.losses()).min().orElseThrow();
                double hi = java.util.Arrays.stream(r.losses()).max().orElseThrow();
                assertTrue(hi - lo > 0.1, "loss range " + lo + " .. " + hi);

                Map<String, Tensor> after = copyAll(model);
                assertEquals(before.keySet(), after.keySet(), "same tensors (gradients included)");
                assertTrue(before.keySet().stream().anyMatch(k -> k.endsWith("num_batches_tracked")));
                for (String k : before.keySet()) {
                    assertTrue(torch.equal(before.get(k), after.get(k)), k + " changed");
                }
                assertFalse(model.is_training(), "train/eval flag restored");
                Map<String, Checkpoint.Tensor> momentumAfter = callers.exportMomentumBuffers();
                assertEquals(momentumBefore.keySet(), momentumAfter.keySet());
                for (String k : momentumBefore.keySet()) {
                    assertArrayEquals(momentumBefore.get(k).data(), momentumAfter.get(k).data(), k);
                }
                assertEquals(lrBefore, callers.lr(), 0);
            }
        }
    }

    /**
     * Real CIFAR-10 subset, width 0.25. Asserted order: every suggestion lies at or below the LR of
     * the lowest smoothed loss — valley and steep pick points on the falling part of the curve and
     * minimum is a tenth of the bottom — because past the minimum the loss is climbing towards
     * divergence. All are finite and inside the swept range.
     */
    @Test
    void realDataSuggestionsAreFiniteInRangeAndBeforeTheMinimum() {
        String jpeg = System.getProperty("superconv.data.jpeg", "");
        assumeTrue(!jpeg.isEmpty() && Files.isDirectory(Path.of(jpeg)), "real CIFAR-10 JPEG mirror not present");
        Dataset train = DataSets.loadSplit(jpeg, "train").limit(3_000);
        TrainConfig b = Recipe.with(Presets.S11.config(), "model.width", 0.25, "batch_size", 64, "runtime.threads", 2, "seed", 1L);
        LrRange range = new LrRange(1e-5, 10, 60, LrRange.Mode.EXPONENTIAL);
        LrFinderResult r = LrFinder.run(b, train, LrFinder.Settings.of(range));
        System.out.print(r.summary());
        for (int i = 0; i < r.steps(); i += 5) {
            System.out.printf(java.util.Locale.ROOT, "step %d lr %.3e loss %.4f smoothed %.4f%n", i, r.lrs()[i], r.losses()[i], r.smoothed()[i]);
        }
        assertEquals(3, r.suggestions().size(), r.summary());
        int min = r.minimumIndex();
        // With β = 0.98 over 60 steps the smoothed curve lags far behind the raw loss: it falls, but not by much.
        assertTrue(min > 0 && r.smoothed()[min] < r.smoothed()[0], "the loss fell: " + r.smoothed()[0] + " → " + r.smoothed()[min]);
        for (LrSuggestion s : r.suggestions()) {
            assertTrue(Double.isFinite(s.lr()), s.toString());
            assertTrue(s.lr() >= range.startLr() && s.lr() <= range.endLr(), s + " outside the swept range");
            assertTrue(s.lr() <= r.lrs()[min], s + " above the LR of the lowest loss " + r.lrs()[min]);
        }
        assertTrue(r.suggestion("minimum").lr() < r.suggestion("minimum").atLr());
    }
}
