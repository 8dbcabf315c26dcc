package dev.superconv.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.superconv.core.BadInputException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Tta;
import dev.superconv.core.model.ValueRange;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calibration pass of an int8 export: runs a model that exposes intermediate values as extra
 * outputs over calibration images (preprocessed exactly as {@code eval} does) and returns each
 * value's smallest and largest element.
 */
public final class ActivationRanges {
    private static final int BATCH = 64;

    private ActivationRanges() {}

    /** Ranges of {@code outputs} of {@code model} over the first {@code count} images of {@code images}. */
    public static Map<String, ValueRange> measure(Path model, List<String> outputs, Dataset images, int count, SessionSettings settings) {
        if (count < 1 || count > images.size()) {
            throw new BadInputException("calibration needs 1.." + images.size() + " images, got " + count);
        }
        Map<String, ValueRange> ranges = new LinkedHashMap<>();
        outputs.forEach(o -> ranges.put(o, ValueRange.EMPTY));
        try (OrtModel m = OrtModel.open(model, settings)) {
            if (images.imageSize() != m.imageSize()) {
                throw new dev.superconv.core.BadInputException("calibration images are " + images.imageSize() + "×" + images.imageSize()
                        + " but the model takes " + m.imageSize() + "×" + m.imageSize());
            }
            Preprocessor pre = new Preprocessor(m);
            ByteBuffer input = ByteBuffer.allocateDirect(BATCH * m.imageBytes() * pre.format().elementBytes).order(ByteOrder.nativeOrder());
            float[] scratch = new float[0];
            for (int first = 0; first < count; first += BATCH) {
                int n = Math.min(BATCH, count - first);
                pre.write(images.pixelData(), first, n, Tta.View.IDENTITY, MemorySegment.ofBuffer(input), 0);
                try (OnnxTensor in = tensor(m, input, n);
                     OrtSession.Result r = m.runOutputs(in, new HashSet<>(outputs))) {
                    for (String name : outputs) {
                        OnnxValue v = r.get(name).orElseThrow(() -> new IllegalStateException("model " + model + " has no output '" + name + "'"));
                        FloatBuffer values = ((OnnxTensor) v).getFloatBuffer();
                        if (scratch.length < values.remaining()) {
                            scratch = new float[values.remaining()];
                        }
                        int size = values.remaining();
                        values.get(scratch, 0, size);
                        ranges.put(name, ranges.get(name).including(scratch, size));
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("calibration run of " + model + " failed: " + e.getMessage(), e);
        }
        return ranges;
    }

    private static OnnxTensor tensor(OrtModel m, ByteBuffer input, int n) throws OrtException {
        ByteBuffer rows = input.duplicate().order(ByteOrder.nativeOrder()).limit(n * m.imageBytes() * m.inputFormat().elementBytes);
        return switch (m.inputFormat()) {
            case FLOAT_NCHW -> OnnxTensor.createTensor(m.environment(), rows.asFloatBuffer(), new long[] {n, 3, m.imageSize(), m.imageSize()});
            case UINT8_NHWC -> OnnxTensor.createTensor(m.environment(), rows, new long[] {n, m.imageSize(), m.imageSize(), 3}, ai.onnxruntime.OnnxJavaType.UINT8);
        };
    }
}
