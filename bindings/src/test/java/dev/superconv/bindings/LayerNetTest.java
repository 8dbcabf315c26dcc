package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.BatchNormSettings;
import dev.superconv.core.model.Layer;
import dev.superconv.core.model.Layer.Function;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.core.model.PatchWhitening;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LayerNetTest {
    @BeforeAll
    static void natives() {
        Natives.load();
    }

    private static float[] values(Tensor t) {
        return Tensors.toArray(t).data();
    }

    @Test
    void airbenchNetHasTheHandCountedParametersAndOutputShape() {
        Architecture arch = Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10);
        try (LayerNet net = new LayerNet(arch, BatchNormSettings.AIRBENCH);
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            assertEquals(1_972_792, net.parameterCount());
            net.eval();
            assertArrayEquals(new long[] {3, 10}, net.forward(torch.randn(3, 3, 32, 32)).sizes().vec().get());
            Map<String, Tensor> state = net.state();
            assertFalse(state.get("block1.norm1.weight").requires_grad(), "BN scale frozen");
            assertTrue(state.get("block1.norm1.bias").requires_grad());
            assertArrayEquals(new float[24], values(state.get("whiten.bias")), 0f);
        }
    }

    @Test
    void diracInitMapsInputChannelsThrough() {
        Architecture one = new Architecture("one-conv", List.of(new Layer.Conv("conv", 8, 8, 3, 1, false)));
        try (LayerNet net = new LayerNet(one, BatchNormSettings.PYTORCH);
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            net.diracInit();
            Tensor x = torch.randn(2, 8, 5, 5);
            assertArrayEquals(values(x), values(net.forward(x)), 0f);
        }
        // more outputs than inputs: the first `in` outputs copy the input, the rest keep their init
        Architecture wide = new Architecture("wide", List.of(new Layer.Conv("conv", 3, 6, 3, 1, false)));
        try (LayerNet net = new LayerNet(wide, BatchNormSettings.PYTORCH);
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            net.diracInit();
            Tensor x = torch.randn(1, 3, 4, 4);
            assertArrayEquals(values(x), values(net.forward(x).narrow(1, 0, 3)), 0f);
        }
    }

    @Test
    void batchNormMomentumFollowsPyTorchsConvention() {
        Architecture bnOnly = new Architecture("bn", List.of(new Layer.BatchNorm("bn", 2)));
        try (LayerNet net = new LayerNet(bnOnly, BatchNormSettings.AIRBENCH);
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            net.train(true);
            Tensor x = torch.randn(16, 2, 3, 3).add(new org.bytedeco.pytorch.Scalar(2.0));
            net.forward(x);
            float[] batchMean = values(x.mean(new long[] {0, 2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
            float[] running = values(net.state().get("bn.running_mean"));
            for (int c = 0; c < 2; c++) {
                assertEquals(0.4f * batchMean[c], running[c], 1e-6f); // running starts at 0: 0.6·0 + 0.4·batch
            }
        }
    }

    @Test
    void whiteningInitLoadsTheFiltersAndFreezesThem() {
        Dataset data = SyntheticData.dataset(64, 4, 3);
        PatchWhitening white = PatchWhitening.fit(data, 2, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});
        Architecture arch = Architecture.airbench(0.25, 2, Function.GELU, 1.0 / 9, 4);
        try (LayerNet net = new LayerNet(arch, BatchNormSettings.AIRBENCH); PointerScope scope = new PointerScope()) {
            net.initWhitening("whiten", white, PatchWhitening.DEFAULT_EPS);
            Tensor w = net.state().get("whiten.weight");
            assertFalse(w.requires_grad());
            assertArrayEquals(white.convWeights(PatchWhitening.DEFAULT_EPS), values(w), 0f);
            Checkpoint.Tensor exported = net.exportState().get("whiten.weight");
            assertArrayEquals(new long[] {24, 3, 2, 2}, exported.shape());
        }
    }
}
