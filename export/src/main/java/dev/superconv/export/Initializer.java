package dev.superconv.export;

import com.google.protobuf.ByteString;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A constant tensor of the graph (weights, normalisation constants, shape operands). The values
 * stay in Java arrays until the file is written, when {@link #writeRaw} streams them as the
 * little-endian {@code raw_data} of a {@link TensorProto}; the whole model is never materialised
 * as one protobuf message.
 */
public sealed interface Initializer {
    String name();

    long[] dims();

    DataType dataType();

    /** Bytes of {@code raw_data}. */
    long rawSize();

    /** Writes {@code raw_data}'s contents: fixed-width little-endian elements, row-major. */
    void writeRaw(OutputStream out) throws IOException;

    /** The TensorProto without raw_data: name, dims and data type. */
    default TensorProto header() {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name()).setDataType(dataType().getNumber());
        for (long d : dims()) {
            t.addDims(d);
        }
        return t.build();
    }

    /** The complete TensorProto in memory (tests, small constants). */
    default TensorProto toProto() {
        ByteString.Output bytes = ByteString.newOutput((int) rawSize());
        try {
            writeRaw(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return header().toBuilder().setRawData(bytes.toByteString()).build();
    }

    /** float32 values, stored as FLOAT or (rounded to nearest even) FLOAT16. */
    record Floats(String name, long[] dims, float[] values, boolean half) implements Initializer {
        public Floats {
            checkCount(name, dims, values.length);
        }

        @Override
        public DataType dataType() {
            return half ? DataType.FLOAT16 : DataType.FLOAT;
        }

        @Override
        public long rawSize() {
            return (long) values.length * (half ? 2 : 4);
        }

        @Override
        public void writeRaw(OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (buf.remaining() < 4) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                if (half) {
                    buf.putShort(Float.floatToFloat16(v));
                } else {
                    buf.putFloat(v);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** int64 operands (Slice starts, Reshape shapes). */
    record Int64s(String name, long[] dims, long[] values) implements Initializer {
        public Int64s {
            checkCount(name, dims, values.length);
        }

        @Override
        public DataType dataType() {
            return DataType.INT64;
        }

        @Override
        public long rawSize() {
            return values.length * 8L;
        }

        @Override
        public void writeRaw(OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                buf.putLong(v);
            }
            out.write(buf.array());
        }
    }

    /** 8-bit integers stored as INT8 (quantised weights, zero points) or UINT8 (activation zero points). */
    record Bytes(String name, long[] dims, byte[] values, boolean unsigned) implements Initializer {
        public Bytes {
            checkCount(name, dims, values.length);
        }

        @Override
        public DataType dataType() {
            return unsigned ? DataType.UINT8 : DataType.INT8;
        }

        @Override
        public long rawSize() {
            return values.length;
        }

        @Override
        public void writeRaw(OutputStream out) throws IOException {
            out.write(values);
        }
    }

    /** int32 values (quantised biases). */
    record Int32s(String name, long[] dims, int[] values) implements Initializer {
        public Int32s {
            checkCount(name, dims, values.length);
        }

        @Override
        public DataType dataType() {
            return DataType.INT32;
        }

        @Override
        public long rawSize() {
            return values.length * 4L;
        }

        @Override
        public void writeRaw(OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) {
                buf.putInt(v);
            }
            out.write(buf.array());
        }
    }

    private static void checkCount(String name, long[] dims, int count) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("initializer " + name + ": dims give " + n + " elements, got " + count);
        }
    }
}
