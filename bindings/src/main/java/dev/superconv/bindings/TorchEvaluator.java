package dev.superconv.bindings;

import dev.superconv.core.augment.AugmentConfig;
import dev.superconv.core.augment.AugmentPreset;
import dev.superconv.core.augment.Batch;
import dev.superconv.core.augment.BatchSource;
import dev.superconv.core.augment.Layout;
import dev.superconv.core.augment.Normalize;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.Tta;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** libtorch evaluation: accuracy, mean cross-entropy and (optionally) per-image predictions and probabilities. */
public final class TorchEvaluator {
    public static final int DEFAULT_BATCH = 256;

    private TorchEvaluator() {}

    /**
     * @param accuracy       fraction of images whose arg-max class is the label
     * @param loss           mean cross-entropy (no label smoothing)
     * @param predictions    arg-max class per image, in data-set order (empty unless asked for)
     * @param probabilities  softmax, {@code images × classes} row-major (empty unless asked for)
     * @param seconds        wall time of the pass
     */
    public record Result(int images, double accuracy, double loss, int[] predictions, float[] probabilities, double seconds) {
        public double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }
    }

    /** Loads a checkpoint and evaluates it in fp32 on {@code data} with the checkpoint's normalisation. */
    public static Result evaluate(Checkpoint checkpoint, Dataset data, Device device, int threads, boolean keepPredictions) {
        Natives.load();
        if (threads > 0) {
            torch.set_num_threads(threads);
        }
        ModelInfo info = ModelInfo.of(checkpoint);
        Device resolved = TorchDevices.resolve(device);
        AugmentConfig batches = AugmentConfig.defaults().withBatchSize(DEFAULT_BATCH).withLayout(Layout.NHWC).withThreads(1);
        try (LayerNet model = LayerNet.of(info);
                BatchSource source = AugmentPreset.EVAL.source(data, batches, new Normalize(info.mean(), info.std()))) {
            model.importState(checkpoint);
            model.toChannelsLast();
            model.to(TorchDevices.torch(resolved), false);
            return evaluate(model, source, Precision.FP32, resolved, keepPredictions);
        }
    }

    /** Evaluates {@code model} on every batch of one epoch of {@code source} (which must not shuffle). */
    public static Result evaluate(LayerNet model, BatchSource source, Precision precision, Device device, boolean keepPredictions) {
        return evaluate(model, source, precision, device, keepPredictions, Tta.NONE);
    }

    /** As {@link #evaluate(LayerNet, BatchSource, Precision, Device, boolean)}, with the logits under test-time augmentation {@code tta}. */
    public static Result evaluate(LayerNet model, BatchSource source, Precision precision, Device device, boolean keepPredictions, Tta tta) {
        int classes = model.numClasses();
        int total = source.imagesPerEpoch();
        int[] predictions = keepPredictions ? new int[total] : new int[0];
        float[] probabilities = keepPredictions ? new float[total * classes] : new float[0];
        boolean wasTraining = model.is_training();
        model.eval();
        org.bytedeco.pytorch.Device dev = TorchDevices.torch(device);
        long start = System.nanoTime();
        long correct = 0;
        double lossSum = 0;
        int seen = 0;
        try (NoGradGuard noGrad = new NoGradGuard(); BatchSource.EpochBatches epoch = source.epoch(0)) {
            while (epoch.hasNext()) {
                try (Batch batch = epoch.next(); PointerScope scope = new PointerScope()) {
                    TorchBatch b = TorchBatch.of(batch, dev);
                    Tensor logits = TtaForward.logits(x -> Autocast.forward(model, x, precision, device).to(torch.ScalarType.Float), b.images(), tta); // (N, classes)
                    lossSum += torch.cross_entropy(logits, b.labels(), new CrossEntropyLossOptions()).item_double() * batch.size();
                    Tensor predicted = logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false); // (N)
                    correct += predicted.eq(b.labels()).sum().item_long();
                    if (keepPredictions) {
                        Tensor p = predicted.cpu().contiguous();
                        long[] idx = new long[batch.size()];
                        new LongPointer(p.data_ptr_long()).capacity(idx.length).get(idx);
                        for (int i = 0; i < idx.length; i++) {
                            predictions[seen + i] = (int) idx[i];
                        }
                        Tensor probs = logits.softmax(1).cpu().contiguous(); // (N, classes)
                        new FloatPointer(probs.data_ptr_float()).capacity((long) idx.length * classes)
                                .get(probabilities, seen * classes, idx.length * classes);
                    }
                    seen += batch.size();
                }
            }
        } finally {
            model.train(wasTraining);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(seen, (double) correct / seen, lossSum / seen, predictions, probabilities, seconds);
    }
}
