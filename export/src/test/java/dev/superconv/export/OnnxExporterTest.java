package dev.superconv.export;

import static dev.superconv.export.ExportFixtures.initializer;
import static dev.superconv.export.ExportFixtures.nodes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.CliName;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorProto.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {
    @TempDir
    Path dir;

    @Test
    void streamedFileParsesToExactlyTheInMemoryModel() throws Exception {
        Checkpoint c = RandomCheckpoints.create(0.5, 5, 0.3);
        for (ExportOptions o : List.of(ExportOptions.DEFAULT,
                new ExportOptions(false, InputFormat.UINT8_NHWC, OutputKind.PROBS, Tta.FLIP, Precision.FP16))) {
            Path file = dir.resolve("m.onnx");
            OnnxExporter.Result r = OnnxExporter.export(c, o, file);
            ModelProto read = OnnxReader.read(file);
            assertEquals(OnnxExporter.toProto(c, o), read, o.toString());
            assertEquals(Files.size(file), r.bytes());
            assertEquals(read.getSerializedSize(), r.bytes());
        }
    }

    @Test
    void modelHeaderFieldsAndDynamicBatch() {
        ModelProto m = OnnxExporter.toProto(RandomCheckpoints.create(0.25, 5, 0.3), ExportOptions.DEFAULT.withOutput(OutputKind.PROBS));
        assertEquals(8, m.getIrVersion());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals("superconv", m.getProducerName());
        assertTrue(m.getDocString().contains("airplane, automobile"), m.getDocString());
        assertTrue(m.getDocString().endsWith(" Trained 3 epochs (best test accuracy 0.8125 at epoch 2)."), m.getDocString());
        assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals("probs", m.getGraph().getOutput(0).getName());
        assertEquals("N", m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
    }

    @Test
    void foldedWeightsAreScaledConvWeightsAndShiftBias() {
        Checkpoint c = RandomCheckpoints.create(0.25, 5, 0.3);
        ModelProto m = OnnxExporter.toProto(c, ExportOptions.DEFAULT);
        BatchNormFold bn = BatchNormFold.of(c.tensor("prep.bn.weight").data(), c.tensor("prep.bn.bias").data(),
                c.tensor("prep.bn.running_mean").data(), c.tensor("prep.bn.running_var").data());
        float[] w = c.tensor("prep.conv.weight").data();
        float[] folded = floats(initializer(m, "prep.conv.weight.folded"));
        for (int k = 0; k < w.length; k++) {
            assertEquals(w[k] * (double) bn.scale()[k / 27], folded[k], Math.ulp(folded[k]));
        }
        assertArrayEquals(bn.shift(), floats(initializer(m, "prep.conv.bias.folded")));
    }

    @Test
    void negativeScalesAfterMaxPoolKeepSignAndShiftAfterThePool() {
        ModelProto mixed = OnnxExporter.toProto(RandomCheckpoints.create(0.25, 5, 0.3), ExportOptions.DEFAULT);
        // the three BNs that follow a max-pool have negative scales: sign·max(|s|·z) + shift after the pool
        assertEquals(List.of("layer1.bn.sign", "layer2.bn.sign", "layer3.bn.sign"), names(nodes(mixed, "Mul")));
        assertEquals(0, nodes(mixed, "BatchNormalization").size());
        for (String block : List.of("layer1", "layer2", "layer3")) {
            assertEquals(2, convInputs(mixed, block).size(), block + ": the conv has no bias, the shift comes after the pool");
        }
        assertEquals(3, convInputs(mixed, "prep").size(), "prep folds fully (no pool between conv and BN)");

        ModelProto positive = OnnxExporter.toProto(RandomCheckpoints.create(0.25, 5, 0.0), ExportOptions.DEFAULT);
        assertEquals(0, nodes(positive, "Mul").size());
        assertEquals(3, convInputs(positive, "layer2").size());
    }

    @Test
    void unfoldedKeepsEveryBatchNorm() {
        ModelProto m = OnnxExporter.toProto(RandomCheckpoints.create(0.25, 5, 0.3), ExportOptions.DEFAULT.withFoldBn(false));
        assertEquals(8, nodes(m, "BatchNormalization").size());
        assertEquals(1e-5f, nodes(m, "BatchNormalization").get(0).getAttribute(0).getF());
    }

    @Test
    void fp16StoresHalfWeightsBehindFloatInputAndOutput() {
        ModelProto m = OnnxExporter.toProto(RandomCheckpoints.create(0.25, 5, 0.3), ExportOptions.DEFAULT.withPrecision(Precision.FP16));
        assertEquals(DataType.FLOAT_VALUE, m.getGraph().getInput(0).getType().getTensorType().getElemType());
        assertEquals(DataType.FLOAT_VALUE, m.getGraph().getOutput(0).getType().getTensorType().getElemType());
        for (TensorProto t : m.getGraph().getInitializerList()) {
            // the classifier head stays fp32 (a 0.001 % share of the compute, most of the fp16 error)
            int want = t.getName().equals("fc.weight") ? DataType.FLOAT_VALUE : DataType.FLOAT16_VALUE;
            assertEquals(want, t.getDataType(), t.getName());
        }
        assertEquals(2, nodes(m, "Cast").size());
    }

    @Test
    void badCheckpointsAreBadInputAndLeaveNoFile() throws Exception {
        Checkpoint good = RandomCheckpoints.create(0.25, 5, 0.3);
        Path file = Files.writeString(dir.resolve("model.onnx"), "previous export");
        Checkpoint wide = new Checkpoint(RandomCheckpoints.create(0.5, 5, 0.3).meta(), good.tensors());
        float[] nan = good.tensor("layer2.conv.weight").data().clone();
        nan[3] = Float.NaN;
        float[] negVar = good.tensor("layer1.bn.running_var").data().clone();
        negVar[0] = -1;
        float[] huge = good.tensor("layer2.conv.weight").data().clone();
        huge[0] = 1e6f;
        var cases = List.of(
                new Object[] {wide, ExportOptions.DEFAULT, "checkpoint tensor prep.conv.weight has shape [16, 3, 3, 3] but its metadata describes width 0.5 ([32, 3, 3, 3]): width mismatch"},
                new Object[] {new Checkpoint(good.meta(), java.util.Map.of()), ExportOptions.DEFAULT, "checkpoint lacks tensor prep.conv.weight of a width-0.25 model"},
                new Object[] {RandomCheckpoints.withTensor(good, "layer2.conv.weight", new Checkpoint.Tensor(good.tensor("layer2.conv.weight").shape(), nan)),
                        ExportOptions.DEFAULT, "checkpoint tensor layer2.conv.weight holds NaN (weights must be finite: did training diverge?)"},
                new Object[] {RandomCheckpoints.withTensor(good, "layer1.bn.running_var", new Checkpoint.Tensor(new long[] {32}, negVar)),
                        ExportOptions.DEFAULT, "checkpoint tensor layer1.bn.running_var holds -1.0 (a variance must be finite and ≥ 0)"},
                new Object[] {RandomCheckpoints.withTensor(good, "layer2.conv.weight", new Checkpoint.Tensor(good.tensor("layer2.conv.weight").shape(), huge)),
                        ExportOptions.DEFAULT.withFoldBn(false).withPrecision(Precision.FP16),
                        "weight layer2.conv.weight holds 1000000.0, outside the float16 range; export with --precision fp32"});
        for (Object[] c : cases) {
            BadInputException e = assertThrows(BadInputException.class, () -> OnnxExporter.export((Checkpoint) c[0], (ExportOptions) c[1], file));
            assertEquals(c[2], e.getMessage());
            assertEquals("previous export", Files.readString(file));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temp file left behind");
            }
        }
    }

    @Test
    void optionNamesParseAndUnknownOnesAreBadInput() {
        assertEquals(InputFormat.UINT8_NHWC, CliName.parse(InputFormat.class, "--input", "uint8-nhwc"));
        assertEquals(Precision.FP16, CliName.parse(Precision.class, "--precision", "fp16"));
        BadInputException e = assertThrows(BadInputException.class, () -> CliName.parse(Tta.class, "--tta", "five-crop"));
        assertEquals("--tta must be one of none, flip, flip-translate, got 'five-crop'", e.getMessage());
    }

    private static List<String> names(List<NodeProto> nodes) {
        return nodes.stream().map(NodeProto::getName).toList();
    }

    private static List<String> convInputs(ModelProto m, String block) {
        return nodes(m, "Conv").stream().filter(n -> n.getName().equals(block + ".conv")).findFirst().orElseThrow().getInputList();
    }

    private static float[] floats(TensorProto t) {
        java.nio.FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
