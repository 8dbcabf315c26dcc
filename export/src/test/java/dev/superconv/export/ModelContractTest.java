package dev.superconv.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ExportProvenance;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelMetadata;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;
import dev.superconv.export.ExportOptions.Precision;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.StringStringEntryProto;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the exporter writes is the contract's two halves, read back with the values the export was made from. */
class ModelContractTest {
    @Test
    void exportedMetadataReadsBackThroughTheContract() throws Exception {
        Checkpoint c = RandomCheckpoints.create(0.25, 9, 0.3);
        ModelInfo info = ModelInfo.of(c);
        ExportOptions options = ExportOptions.DEFAULT.withInput(InputFormat.UINT8_NHWC).withOutput(OutputKind.PROBS).withTta(Tta.FLIP)
                .withPrecision(Precision.FP16).withFoldBn(false);
        Map<String, String> meta = metadata(OnnxExporter.toProto(c, options));

        assertEquals(Set.of("architecture", "classes", "mean", "std", "width", "logit_scale", "input_format", "normalization",
                "output", "tta", "precision", "fold_bn", "training", "image_size", "resize_policy"), meta.keySet(),
                "the key spellings of files already written, and issue 18's input size and resize policy");
        assertEquals("32", meta.get(ModelMetadata.IMAGE_SIZE));
        assertEquals("short-side-area-centre-crop-v1@32", meta.get(ModelMetadata.RESIZE_POLICY));
        ModelMetadata serving = ModelMetadata.fromMap(meta);
        assertEquals(RandomCheckpoints.CIFAR10, serving.classes());
        assertArrayEquals(info.mean(), serving.mean());
        assertArrayEquals(info.std(), serving.std());
        assertEquals(OutputKind.PROBS, serving.output());
        assertEquals(Tta.FLIP, serving.tta());

        ExportProvenance p = ExportProvenance.fromMap(meta);
        assertEquals(new ExportProvenance(ExportProvenance.CUSTOM_RESNET9, 0.25, 0.125, InputFormat.UINT8_NHWC, "fp16", false, "", p.training()), p);
        assertEquals("in-graph", meta.get("normalization"));
        assertEquals("random-9", new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.training()).get("run").asText());
    }

    private static Map<String, String> metadata(ModelProto m) {
        Map<String, String> map = new LinkedHashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            map.put(e.getKey(), e.getValue());
        }
        return map;
    }
}
