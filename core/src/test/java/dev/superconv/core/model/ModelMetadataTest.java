package dev.superconv.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exported-model contract: both halves round-trip through their maps, with the key spellings the files have. */
class ModelMetadataTest {
    private static final ModelMetadata SERVING = new ModelMetadata(List.of("cat", "dog", "ship"), ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD,
            OutputKind.PROBS, Tta.FLIP);

    @Test
    void servingMetadataRoundTripsWithTheFileSpellings() {
        Map<String, String> map = SERVING.toMap();
        assertEquals(Map.of("classes", "[\"cat\",\"dog\",\"ship\"]", "mean", "[0.4914,0.4822,0.4465]", "std", "[0.247,0.2435,0.2616]",
                "output", "probs", "tta", "flip"), map);
        ModelMetadata back = ModelMetadata.fromMap(map);
        assertEquals(SERVING.classes(), back.classes());
        assertArrayEquals(SERVING.mean(), back.mean());
        assertArrayEquals(SERVING.std(), back.std());
        assertEquals(OutputKind.PROBS, back.output());
        assertEquals(Tta.FLIP, back.tta());
    }

    @Test
    void aForeignClassifiersMissingKeysReadAsDefaults() {
        ModelMetadata m = ModelMetadata.fromMap(Map.of("output", "scores", "producer", "someone else"));
        assertFalse(m.hasClassNames());
        assertFalse(m.hasNormalization());
        assertEquals(OutputKind.LOGITS, m.output());
        assertEquals(Tta.NONE, m.tta());
        assertEquals(Map.of("output", "logits", "tta", "none"), m.toMap());
    }

    @Test
    void malformedServingValuesAreBadInputNamingTheKey() {
        assertMessage("metadata 'classes' is not a JSON array: cat", Map.of("classes", "cat"));
        assertMessage("metadata 'classes' must name at least 2 classes", Map.of("classes", "[\"cat\"]"));
        assertMessage("metadata 'mean' must hold 3 numbers, got [1,2]", Map.of("mean", "[1,2]", "std", "[1,1,1]"));
        assertMessage("metadata 'std' must be positive, got [1.0, 0.0, 1.0]", Map.of("mean", "[0,0,0]", "std", "[1,0,1]"));
        assertFalse(ModelMetadata.fromMap(Map.of("mean", "[0,0,0]")).hasNormalization(), "mean without std normalises nothing");
    }

    @Test
    void provenanceRoundTripsAndIsStrict() {
        ExportProvenance p = new ExportProvenance(ExportProvenance.CUSTOM_RESNET9, 0.5, 0.125, InputFormat.UINT8_NHWC, "int8", true, "QDQ", "{\"run\":\"r1\"}");
        Map<String, String> map = p.toMap();
        assertEquals(List.of("architecture", "width", "logit_scale", "input_format", "normalization", "precision", "fold_bn", "quantization", "training"),
                List.copyOf(map.keySet()));
        assertEquals("custom-resnet9", map.get("architecture"));
        assertEquals("in-graph", map.get("normalization"));
        assertEquals("uint8-nhwc", map.get("input_format"));
        assertEquals(p, ExportProvenance.fromMap(map));

        ExportProvenance fp32 = new ExportProvenance(ExportProvenance.CUSTOM_RESNET9, 1.0, 1.0, InputFormat.FLOAT_NCHW, "fp32", false, "", "{}");
        assertFalse(fp32.toMap().containsKey("quantization"));
        assertEquals("client", fp32.toMap().get("normalization"));
        assertEquals(fp32, ExportProvenance.fromMap(fp32.toMap()));

        Map<String, String> noWidth = new java.util.HashMap<>(map);
        noWidth.remove("width");
        BadInputException e = assertThrows(BadInputException.class, () -> ExportProvenance.fromMap(noWidth));
        assertTrue(e.getMessage().contains("'width'"), e.getMessage());
    }

    private static void assertMessage(String expected, Map<String, String> map) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelMetadata.fromMap(map));
        assertEquals(expected, e.getMessage());
    }
}
