package dev.superconv.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.InputFormat;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One reusable batch: a direct, native-order input buffer and output buffer, with the ONNX Runtime
 * tensors that wrap them created once (ONNX Runtime reads the input and writes the scores in place,
 * no copies). A smaller last batch gets its own tensors over a prefix of the same buffers, made once
 * per size. Holds native tensors: close it (before the model).
 */
public final class BatchSlot implements AutoCloseable {
    private final OrtModel model;
    private final int capacity;
    private final int classes;
    private final ByteBuffer inputBytes;
    private final ByteBuffer outputBytes;
    private final MemorySegment input;
    private final OnnxTensor fullInput;
    private final OnnxTensor fullOutput;
    private final FloatBuffer fullScores;
    private OnnxTensor tailInput;
    private OnnxTensor tailOutput;
    private FloatBuffer tailScores;
    private int tailRows;

    /** @param capacity rows (images) per run; must equal the model's batch when that is fixed */
    BatchSlot(OrtModel model, int capacity) {
        this.model = model;
        this.capacity = capacity;
        this.classes = model.classCount();
        InputFormat f = model.inputFormat();
        inputBytes = ByteBuffer.allocateDirect(capacity * model.imageBytes() * f.elementBytes).order(ByteOrder.nativeOrder());
        outputBytes = ByteBuffer.allocateDirect(capacity * classes * Float.BYTES).order(ByteOrder.nativeOrder());
        input = MemorySegment.ofBuffer(inputBytes);
        fullScores = outputBytes.asFloatBuffer();
        OnnxTensor in = null;
        try {
            in = inputTensor(model.environment(), inputBytes, capacity);
            fullOutput = OnnxTensor.createTensor(model.environment(), fullScores, new long[] {capacity, classes});
            fullInput = in;
            in = null;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create batch tensors: " + e.getMessage(), e);
        } finally {
            if (in != null) {
                in.close();
            }
        }
    }

    public int capacity() {
        return capacity;
    }

    /** The input memory: {@code capacity} images in the model's input format, native byte order. */
    public MemorySegment input() {
        return input;
    }

    /**
     * Runs the model on the first {@code rows} images and returns their scores ({@code rows × classes}
     * floats, row-major; valid until the next run of this slot). Returns the session time in ns.
     */
    long run(int rows) throws OrtException {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows " + rows + " outside 1.." + capacity);
        }
        OnnxTensor in = fullInput;
        OnnxTensor out = fullOutput;
        // a model with a fixed batch always gets the full batch; rows past `rows` are stale and ignored
        if (rows < capacity && model.fixedBatch() < 0) {
            prepareTail(rows);
            in = tailInput;
            out = tailOutput;
        }
        long t0 = System.nanoTime();
        model.run(in, out);
        return System.nanoTime() - t0;
    }

    /** Scores of the last run, {@code rows × classes}, as a read-only view positioned at 0. */
    public FloatBuffer scores(int rows) {
        FloatBuffer src = rows < capacity && model.fixedBatch() < 0 ? tailScores : fullScores;
        return src.duplicate().position(0).limit(rows * classes).slice().asReadOnlyBuffer();
    }

    private void prepareTail(int rows) throws OrtException {
        if (tailRows == rows) {
            return;
        }
        closeTail();
        OrtEnvironment env = model.environment();
        tailInput = inputTensor(env, inputBytes.slice(0, rows * model.imageBytes() * model.inputFormat().elementBytes).order(ByteOrder.nativeOrder()), rows);
        tailScores = outputBytes.slice(0, rows * classes * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        tailOutput = OnnxTensor.createTensor(env, tailScores, new long[] {rows, classes});
        tailRows = rows;
    }

    private OnnxTensor inputTensor(OrtEnvironment env, ByteBuffer bytes, int rows) throws OrtException {
        return switch (model.inputFormat()) {
            case FLOAT_NCHW -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), new long[] {rows, 3, model.imageSize(), model.imageSize()});
            case UINT8_NHWC -> OnnxTensor.createTensor(env, bytes, new long[] {rows, model.imageSize(), model.imageSize(), 3}, OnnxJavaType.UINT8);
        };
    }

    /** The input tensor of a run of {@code rows} (tests check that it wraps {@link #input()} without a copy). */
    OnnxTensor inputTensor(int rows) throws OrtException {
        if (rows < capacity && model.fixedBatch() < 0) {
            prepareTail(rows);
            return tailInput;
        }
        return fullInput;
    }

    private void closeTail() {
        if (tailInput != null) {
            tailInput.close();
            tailOutput.close();
            tailInput = null;
            tailOutput = null;
            tailRows = 0;
        }
    }

    @Override
    public void close() {
        closeTail();
        fullInput.close();
        fullOutput.close();
    }
}
