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
    @Test
    void ghostBatchNormNormalisesEachGhostBatchByItsOwnStatistics() {
        Architecture bnOnly = new Architecture("bn", List.of(new Layer.BatchNorm("bn", 2)));
        BatchNormSettings ghost = new BatchNormSettings(1e-5, 0.1, false, 2); // 8 images → 4 ghost batches of 2
        int n = 8, c = 2, hw = 9, splits = 4, size = n / splits;
        try (LayerNet net = new LayerNet(bnOnly, ghost); PointerScope scope = new PointerScope()) {
            net.train(true);
            Tensor x = torch.randn(n, c, 3, 3).mul(new org.bytedeco.pytorch.Scalar(3.0)).add(new org.bytedeco.pytorch.Scalar(2.0));
            float[] in = values(x);
            Tensor yTensor = net.forward(x.contiguous(torch.MemoryFormat.ChannelsLast));
            assertTrue(yTensor.is_contiguous(torch.MemoryFormat.ChannelsLast), "the input's memory format is kept");
            float[] y = values(yTensor);
            double[] meanOfMeans = new double[c], meanOfVars = new double[c];
            for (int g = 0; g < splits; g++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0, sq = 0;
                    int count = 0;
                    for (int i = g * size; i < (g + 1) * size; i++) { // ghost batch g: images 2g, 2g + 1
                        for (int p = 0; p < hw; p++) {
                            double v = in[(i * c + ch) * hw + p];
                            sum += v;
                            sq += v * v;
                            count++;
                        }
                    }
                    double mean = sum / count, biased = sq / count - mean * mean;
                    for (int i = g * size; i < (g + 1) * size; i++) {
                        for (int p = 0; p < hw; p++) {
                            int at = (i * c + ch) * hw + p;
                            assertEquals((in[at] - mean) / Math.sqrt(biased + 1e-5), y[at], 1e-4, "image " + i + " channel " + ch);
                        }
                    }
                    meanOfMeans[ch] += mean / splits;
                    meanOfVars[ch] += biased * count / (count - 1) / splits;
                }
            }
            float[] runningMean = values(net.state().get("bn.running_mean")), runningVar = values(net.state().get("bn.running_var"));
            for (int ch = 0; ch < c; ch++) {
                assertEquals(0.1 * meanOfMeans[ch], runningMean[ch], 1e-5); // 0.9·0 + 0.1·(mean over ghost batches)
                assertEquals(0.9 + 0.1 * meanOfVars[ch], runningVar[ch], 1e-4); // 0.9·1 + 0.1·(mean of unbiased variances)
            }
            yTensor.sum().backward();
            assertArrayEquals(new float[] {n * hw, n * hw}, values(net.state().get("bn.bias").grad()), 1e-3f, "the bias is shared by the ghost batches");

            net.eval(); // evaluation: the running statistics, as whole-batch BN
            try (NoGradGuard noGrad = new NoGradGuard()) {
                float[] evaluated = values(net.forward(x));
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        int at = (i * c + ch) * hw;
                        assertEquals((in[at] - runningMean[ch]) / Math.sqrt(runningVar[ch] + 1e-5), evaluated[at], 1e-4);
                    }
                }
            }
        }
    }
}
