package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.metrics.LrFinderResult;
import dev.superconv.core.metrics.LrRange;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LR finder's snapshot of the model must not hold tensors that point into a temporary
 * {@code named_parameters()} dict: once the dict is garbage-collected such a tensor dangles (the
 * SIGSEGV LayerNet.state() once had). Forced collections between steps must change nothing.
 */
class LrFinderGcTest {
    @BeforeAll
    static void natives() {
        Natives.load();
        torch.set_num_threads(1);
    }

    /** Collects garbage (and lets JavaCPP's deallocator thread run) before every batch it hands out. */
    private record CollectingSource(BatchSource inner, int[] collections) implements BatchSource {
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
                    collectGarbage();
                    collections[0]++;
                    return batches.next();
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
    }

    static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The model after one training step: gradients set and BN statistics moved. */
    private static LayerNet trainedOneStep(BatchSource source) {
        LayerNet model = LayerNet.customResNet(new ModelSpec(0.125, 0.125, 4));
        try (PointerScope scope = new PointerScope(); BatchSource.EpochBatches epoch = source.epoch(0); Batch batch = epoch.next()) {
            model.train(true);
            TorchBatch b = TorchBatch.of(batch, TorchDevices.torch(Device.CPU));
            torch.cross_entropy(model.forward(b.images()), b.labels(), new CrossEntropyLossOptions()).backward();
        }
        model.eval();
        return model;
    }

    private static BatchSource source(Dataset data) {
        return AugmentPreset.SEED.source(data, AugmentConfig.defaults().withBatchSize(32).withDropLast(true)
                .withThreads(1).withLayout(Layout.NCHW).withSeed(3), Normalize.cifar10());
    }

    private static void assertSameState(Map<String, Tensor> before, Map<String, Tensor> after) {
        assertEquals(before.keySet(), after.keySet(), "same tensors (gradients included)");
        for (String k : before.keySet()) {
            assertTrue(torch.equal(before.get(k), after.get(k)), k + " changed");
        }
    }

    @Test
    void forcedCollectionsBetweenStepsLeaveTheModelBitForBit() {
        torch.manual_seed(7);
        int[] collections = {0};
        try (PointerScope scope = new PointerScope();
                BatchSource source = new CollectingSource(source(LrFinderTest.colourClasses(256, 4, 1)), collections);
                LayerNet model = trainedOneStep(source)) {
            Map<String, Tensor> before = LrFinderTest.copyAll(model);
            LrFinderResult r = LrFinder.run(model, source, LrFinder.Settings.of(new LrRange(1e-4, 10, 12, LrRange.Mode.EXPONENTIAL)),
                    Precision.FP32, Device.CPU, 5e-4, 0);
            assertTrue(r.steps() >= 6, "steps " + r.steps());
            assertTrue(collections[0] > r.steps(), "collected before each step: " + collections[0]);
            collectGarbage();
            assertSameState(before, LrFinderTest.copyAll(model));
            assertFalse(model.is_training(), "train/eval flag restored");
        }
    }

    /**
     * The snapshot on its own, taken outside any PointerScope (so nothing but the snapshot keeps
     * what it holds alive), with the dicts it read from collected and their memory reused before
     * it restores the model.
     */
    @Test
    void aSnapshotOutlivesTheDictsItWasTakenFrom() {
        torch.manual_seed(8);
        try (BatchSource source = source(LrFinderTest.colourClasses(64, 4, 2)); LayerNet model = trainedOneStep(source)) {
            Map<String, Tensor> before = LrFinderTest.copyAll(model);
            LrFinder.Snapshot saved = LrFinder.Snapshot.of(model);
            for (int round = 0; round < 5; round++) {
                collectGarbage();
                reuseFreedMemory(model);
            }
            try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
                for (Tensor t : model.state().values()) {
                    t.add_(torch.ones_like(t)); // the step the snapshot must undo
                }
            }
            saved.restore(model);
            try (PointerScope scope = new PointerScope()) {
                assertSameState(before, LrFinderTest.copyAll(model));
            }
        }
    }

    /** Allocations the size of the freed dicts' storage, filled with other tensors. */
    private static void reuseFreedMemory(LayerNet model) {
        List<StringTensorDict> dicts = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < 50; i++) {
                dicts.add(model.named_parameters());
                dicts.add(model.named_buffers());
                torch.zeros(64).add_(torch.ones(64));
            }
        }
    }
}
