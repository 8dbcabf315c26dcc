package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.export.GraphBuilder.Dim;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    @Test
    void valuesMustBeDefinedBeforeUseAndOnlyOnce() {
        GraphBuilder g = new GraphBuilder("t");
        g.input("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(4)), "");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.node("y", "Add", List.of("x", "b")));
        assertEquals("Add node y uses 'b' before it is defined", e.getMessage());
        g.floats("b", new long[] {4}, new float[] {1, 2, 3, 4}, false);
        g.node("y", "Add", List.of("x", "b"));
        assertThrows(IllegalStateException.class, () -> g.node("y", "Relu", List.of("x")));
        assertThrows(IllegalStateException.class, () -> g.output("z", DataType.FLOAT, List.of(), ""));
    }

    @Test
    void headerHoldsNoInitializerDataAndFullProtoDoes() {
        GraphBuilder g = new GraphBuilder("t");
        g.input("x", DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(2)), "doc");
        g.floats("h", new long[] {2}, new float[] {1.5f, -2f}, true);
        g.int64s("shape", -1, 2);
        g.output(g.node("y", "Mul", List.of("x", "h")), DataType.FLOAT, List.of(Dim.symbolic("N"), Dim.of(2)), "");
        GraphProto header = g.header();
        assertEquals(0, header.getInitializerCount());
        assertEquals("N", header.getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(2, header.getInput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        GraphProto full = g.toProto();
        ByteBuffer half = full.getInitializer(0).getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(DataType.FLOAT16_VALUE, full.getInitializer(0).getDataType());
        assertEquals(1.5f, Float.float16ToFloat(half.getShort()));
        assertEquals(-2f, Float.float16ToFloat(half.getShort()));
        ByteBuffer longs = full.getInitializer(1).getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-1L, longs.getLong());
        assertEquals(2L, longs.getLong());
    }
}
