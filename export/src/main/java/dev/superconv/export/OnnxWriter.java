package dev.superconv.export;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.superconv.core.BadInputException;
import dev.superconv.core.io.AtomicFiles;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a {@link ModelProto} whose graph initializers are streamed from Java arrays: the model
 * fields, then the graph field (ModelProto 7) with its length computed up front, the graph header,
 * and each initializer as GraphProto field 5 whose {@code raw_data} (TensorProto 9) is written
 * straight from the weights. Protobuf parsers accept fields in any order, so the file is an
 * ordinary ONNX model; memory use is one tensor, not the whole serialized model. The file is
 * written atomically (temp + fsync + rename).
 */
public final class OnnxWriter {
    /** Protobuf messages (and so ONNX files without external data) must stay under 2 GiB. */
    private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

    private OnnxWriter() {}

    /** Writes {@code model} (whose graph field must be unset) with the given graph; returns the file size. */
    public static long write(Path file, ModelProto model, GraphProto graphHeader, List<Initializer> initializers) {
        if (model.hasGraph() || graphHeader.getInitializerCount() != 0) {
            throw new IllegalArgumentException("pass the graph header and its initializers separately");
        }
        long initializerBytes = 0;
        for (Initializer init : initializers) {
            initializerBytes += fieldSize(GraphProto.INITIALIZER_FIELD_NUMBER, tensorSize(init));
        }
        long graphSize = graphHeader.getSerializedSize() + initializerBytes;
        long total = model.getSerializedSize() + fieldSize(ModelProto.GRAPH_FIELD_NUMBER, graphSize);
        if (total > MAX_MODEL_BYTES) {
            throw new BadInputException("the ONNX model would be " + total + " bytes; a single ONNX file holds at most 2 GiB");
        }
        AtomicFiles.write(file, out -> {
            CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 16);
            model.writeTo(coded);
            lengthDelimited(coded, ModelProto.GRAPH_FIELD_NUMBER, graphSize);
            graphHeader.writeTo(coded);
            for (Initializer init : initializers) {
                writeInitializer(coded, out, init);
            }
            coded.flush();
        });
        return total;
    }

    private static void writeInitializer(CodedOutputStream coded, OutputStream out, Initializer init) throws IOException {
        TensorProto header = init.header();
        lengthDelimited(coded, GraphProto.INITIALIZER_FIELD_NUMBER, tensorSize(init));
        header.writeTo(coded);
        lengthDelimited(coded, TensorProto.RAW_DATA_FIELD_NUMBER, init.rawSize());
        coded.flush();
        // the raw bytes bypass protobuf: same stream, after CodedOutputStream's buffer is flushed
        init.writeRaw(out);
    }

    private static long tensorSize(Initializer init) {
        return init.header().getSerializedSize() + fieldSize(TensorProto.RAW_DATA_FIELD_NUMBER, init.rawSize());
    }

    /** Bytes of a length-delimited field: tag, varint length, payload. */
    private static long fieldSize(int field, long payload) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(payload) + payload;
    }

    private static void lengthDelimited(CodedOutputStream coded, int field, long length) throws IOException {
        coded.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        coded.writeUInt64NoTag(length);
    }
}
