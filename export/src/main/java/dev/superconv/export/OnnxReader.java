package dev.superconv.export;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.superconv.core.BadInputException;
import dev.superconv.export.onnx.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads an ONNX file into the generated {@link ModelProto}; anything that is not one is bad input. */
public final class OnnxReader {
    private OnnxReader() {}

    public static ModelProto read(Path file) {
        String what = "ONNX model " + file + ": ";
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in, 1 << 16);
            coded.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(coded);
        } catch (NoSuchFileException e) {
            throw new BadInputException(what + "no such file");
        } catch (InvalidProtocolBufferException e) {
            throw new BadInputException(what + "not an ONNX file or truncated (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BadInputException(what + "cannot read (" + e.getMessage() + ")", e);
        }
        // arbitrary bytes can parse as a message made only of unknown fields
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getOpsetImportCount() == 0) {
            throw new BadInputException(what + "not an ONNX model (no IR version, opset import or graph)");
        }
        return model;
    }
}
