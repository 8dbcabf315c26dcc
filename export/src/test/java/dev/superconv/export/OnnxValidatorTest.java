package dev.superconv.export;

import static dev.superconv.export.ExportFixtures.nodeIndex;
import static dev.superconv.export.ExportFixtures.withZeroInitializer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.TypeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator accepts what the exporter writes and names each kind of structural defect. */
class OnnxValidatorTest {
    private static final Checkpoint CKPT = RandomCheckpoints.create(0.25, 1, 0.3);
    private static final ModelSpec SPEC = ModelSpec.cifar10(0.25);
    private static final ModelProto FOLDED = OnnxExporter.toProto(CKPT, ExportOptions.DEFAULT);
    private static final ModelProto UNFOLDED = OnnxExporter.toProto(CKPT, ExportOptions.DEFAULT.withFoldBn(false));

    @Test
    void everyExportVariantIsValid() {
        for (boolean fold : new boolean[] {true, false}) {
            for (InputFormat in : InputFormat.values()) {
                for (OutputKind out : OutputKind.values()) {
                    for (Tta tta : Tta.values()) {
                        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
                            ExportOptions o = new ExportOptions(fold, in, out, tta, p);
                            assertEquals(List.of(), OnnxValidator.problems(OnnxExporter.toProto(CKPT, o)), o.toString());
                        }
                    }
                }
            }
        }
    }

    @Test
    void nodeUsedBeforeItsInputIsDefined() {
        GraphProto g = FOLDED.getGraph();
        int relu = nodeIndex(g, "prep.relu");
        int conv = nodeIndex(g, "prep.conv");
        GraphProto swapped = g.toBuilder().setNode(conv, g.getNode(relu)).setNode(relu, g.getNode(conv)).build();
        assertProblem(FOLDED.toBuilder().setGraph(swapped).build(), "uses 'prep.conv' before it is defined");
    }

    @Test
    void undefinedInput() {
        GraphProto g = FOLDED.getGraph();
        int i = nodeIndex(g, "layer1.relu");
        NodeProto bad = g.getNode(i).toBuilder().setInput(0, "nowhere").build();
        assertProblem(FOLDED.toBuilder().setGraph(g.toBuilder().setNode(i, bad)).build(), "uses 'nowhere' before it is defined");
    }

    @Test
    void missingOpsetImport() {
        assertProblem(FOLDED.toBuilder().clearOpsetImport().build(), "no opset import for the default ONNX domain");
    }

    @Test
    void convWeightDisagreesWithKernelShape() {
        ModelProto m = withZeroInitializer(FOLDED, "layer2.conv.weight.folded", SPEC.channels(2), SPEC.channels(1), 5, 5);
        assertProblem(m, "weight dims [64, 32, 5, 5] do not match kernel_shape [3, 3]");
    }

    @Test
    void convInputChannelsDisagreeWithWeight() {
        ModelProto m = withZeroInitializer(FOLDED, "layer2.conv.weight.folded", SPEC.channels(2), SPEC.channels(1) + 1, 3, 3);
        assertProblem(m, "input has 32 channels, weight [64, 33, 3, 3] expects 33");
    }

    @Test
    void convBiasLengthDisagreesWithWeight() {
        assertProblem(withZeroInitializer(FOLDED, "prep.conv.bias.folded", 3), "bias dims [3] do not match 16 output channels");
    }

    @Test
    void batchNormParameterOfWrongLength() {
        assertProblem(withZeroInitializer(UNFOLDED, "layer1.bn.running_var", 7), "parameter 'layer1.bn.running_var' dims [7] do not match 32 channels");
    }

    @Test
    void gemmInnerDimensionMismatch() {
        assertProblem(withZeroInitializer(FOLDED, "fc.weight", 10, SPEC.channels(3) + 2), "inner dimensions differ (128 vs 130)");
    }

    @Test
    void initializerDataShorterThanDims() {
        GraphProto g = FOLDED.getGraph();
        int i = ExportFixtures.initializerIndex(g, "fc.weight");
        var t = g.getInitializer(i).toBuilder().setRawData(g.getInitializer(i).getRawData().substring(0, 40)).build();
        assertProblem(FOLDED.toBuilder().setGraph(g.toBuilder().setInitializer(i, t)).build(),
                "initializer 'fc.weight' holds 10 elements but its dims give 1280");
    }

    @Test
    void untypedGraphInput() {
        GraphProto g = FOLDED.getGraph();
        GraphProto bad = g.toBuilder().setInput(0, g.getInput(0).toBuilder().setType(TypeProto.getDefaultInstance())).build();
        assertProblem(FOLDED.toBuilder().setGraph(bad).build(), "graph input 'input' has no tensor element type");
    }

    @Test
    void outputNeverComputedOrMisdeclared() {
        GraphProto g = FOLDED.getGraph();
        assertProblem(FOLDED.toBuilder().setGraph(g.toBuilder().setOutput(0, g.getOutput(0).toBuilder().setName("ghost"))).build(),
                "graph output 'ghost' is never computed");
        var wrongShape = g.getOutput(0).toBuilder();
        wrongShape.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(11);
        assertProblem(FOLDED.toBuilder().setGraph(g.toBuilder().setOutput(0, wrongShape)).build(),
                "graph output 'logits' is declared [-1, 11] but computes [-1, 10]");
    }

    @Test
    void checkThrowsOneLineNamingTheFirstProblem() {
        ModelProto m = FOLDED.toBuilder().clearOpsetImport().setIrVersion(0).build();
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxValidator.check(m, "x.onnx"));
        assertEquals("x.onnx: invalid ONNX graph: IR version 0 is missing or older than 3 (opset imports need IR 3+) (and 1 more problems)",
                e.getMessage());
    }

    private static void assertProblem(ModelProto m, String expected) {
        List<String> problems = OnnxValidator.problems(m);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected '" + expected + "' among " + problems);
    }
}
