package dev.superconv.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.BadInputException;
import dev.superconv.core.recipe.ConfigJson;
import dev.superconv.core.recipe.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormSettingsTest {
    private static BatchNormSettings ghost(int images) {
        return new BatchNormSettings(1e-5, 0.1, false, images);
    }

    @Test
    void ghostSplitsGiveEqualGhostBatchesOfAtLeastTheAskedSize() {
        assertEquals(16, ghost(32).ghostSplits(512)); // Page: 512 = 16 × 32
        assertEquals(8, ghost(32).ghostSplits(256)); // one of two data-parallel ranks
        assertEquals(10, ghost(32).ghostSplits(500)); // 15, 14, …, 11 do not divide 500: 10 × 50
        assertEquals(2, ghost(32).ghostSplits(100)); // 3 does not divide 100: 2 × 50
        assertEquals(97, ghost(1).ghostSplits(97)); // a prime batch splits only into single images
        assertEquals(1, ghost(32).ghostSplits(32));
        assertEquals(1, ghost(32).ghostSplits(20));
        assertEquals(1, BatchNormSettings.PYTORCH.ghostSplits(512));
        assertThrows(BadInputException.class, () -> ghost(-1));
    }

    @Test
    void aRecipeOrCheckpointWrittenBeforeGhostBatchNormReadsAsWholeBatch() {
        ObjectNode recipe = ConfigJson.toJson(Presets.DAWN.config());
        ((ObjectNode) recipe.at("/model/batch_norm")).remove("ghost_batch");
        assertEquals(Presets.DAWN.config(), ConfigJson.fromJson(recipe));
        assertEquals(false, recipe.at("/model/batch_norm").has("ghost_batch"), "the caller's tree is left as it was");

        ModelInfo info = new ModelInfo(Presets.BAG_OF_TRICKS.config().model(), List.of("a", "b"), new float[3], new float[] {1, 1, 1});
        ObjectNode meta = ModelConfig.JSON.createObjectNode();
        info.writeTo(meta);
        ((ObjectNode) meta.at("/model/config/batch_norm")).remove("ghost_batch");
        assertEquals(0, ModelInfo.readFrom(meta).model().batchNorm().ghostBatch());
    }
}
