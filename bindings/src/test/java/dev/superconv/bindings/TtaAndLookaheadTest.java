package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.BatchNormSettings;
import dev.superconv.core.model.Layer.Function;
import dev.superconv.core.model.Tta;
import dev.superconv.core.optim.EvaluationEma;
import dev.superconv.core.optim.LookaheadEma;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TtaAndLookaheadTest {
    @BeforeAll
    static void natives() {
        Natives.load();
    }

    private static float[] values(Tensor t) {
        return Tensors.toArray(t).data();
    }

    private static Tensor tensor(float[] data, long... shape) {
        return torch.from_blob(new FloatPointer(data), shape).clone();
    }

    /** One image (3, h, w) as a Java array, shifted so that output (y, x) is input (y + dy, x + dx), reflecting at the edges; optionally mirrored after. */
    private static float[] view(float[] image, int h, int w, int dy, int dx, boolean mirror) {
        float[] out = new float[image.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sx0 = mirror ? w - 1 - x : x;
                    int sy = reflect(y + dy, h), sx = reflect(sx0 + dx, w);
                    out[(c * h + y) * w + x] = image[(c * h + sy) * w + sx];
                }
            }
        }
        return out;
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    @Test
    void flipTranslateIsTheWeightedMeanOfTheSixExplicitViews() {
        // logit scale 1 and identity-initialised convs: a fresh net whose six views really disagree
        Architecture arch = Architecture.airbench(0.125, 2, Function.GELU, 1, 10);
        try (LayerNet net = new LayerNet(arch, BatchNormSettings.AIRBENCH); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            net.diracInit();
            net.eval();
            float[] image = values(torch.randn(1, 3, 32, 32));
            Tensor x = tensor(image, 1, 3, 32, 32);
            float[] tta = values(TtaForward.logits(net::forward, x, Tta.FLIP_TRANSLATE));
            // ½·[½ n(x) + ½ n(mirror x)] + ½·mean over the two shifts of [½ n(s) + ½ n(mirror s)]
            float[][] views = {
                view(image, 32, 32, 0, 0, false), view(image, 32, 32, 0, 0, true),
            };
            double[] expected = new double[10];
            double[] weights = {0.25, 0.25};
            for (int v = 0; v < 2; v++) {
                accumulate(expected, net, views[v], weights[v]);
            }
            for (int shift : new int[] {-1, 1}) { // up-left view reads (y − 1, x − 1); down-right (y + 1, x + 1)
                float[] shifted = view(image, 32, 32, shift, shift, false);
                accumulate(expected, net, shifted, 0.125);
                accumulate(expected, net, view(shifted, 32, 32, 0, 0, true), 0.125);
            }
            float[] plain = values(net.forward(x));
            double spread = 0;
            for (int k = 0; k < 10; k++) {
                assertEquals(expected[k], tta[k], 1e-5, "logit " + k);
                spread = Math.max(spread, Math.abs(expected[k] - plain[k]));
            }
            assertTrue(spread > 1e-3, "the views must disagree for this test to tell them apart: " + spread);
            float[] flip = values(TtaForward.logits(net::forward, x, Tta.FLIP));
            double[] flipExpected = new double[10];
            accumulate(flipExpected, net, views[0], 0.5);
            accumulate(flipExpected, net, views[1], 0.5);
            for (int k = 0; k < 10; k++) {
                assertEquals(flipExpected[k], flip[k], 1e-5, "flip logit " + k);
            }
            assertArrayEquals(values(net.forward(x)), values(TtaForward.logits(net::forward, x, Tta.NONE)), 0f);
        }
    }

    private static void accumulate(double[] sum, LayerNet net, float[] image, double weight) {
        float[] logits = values(net.forward(tensor(image, 1, 3, 32, 32)));
        for (int k = 0; k < sum.length; k++) {
            sum[k] += weight * logits[k];
        }
    }

    @Test
    void lookaheadMatchesHandComputedValues() {
        try (PointerScope outer = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor w = tensor(new float[] {1f, 2f}, 2);
            Tensor counter = torch.zeros(new long[] {1}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long));
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("w", w);
            state.put("num_batches_tracked", counter);
            LookaheadEma plan = new LookaheadEma(0, 1, 0.5, 1, 4); // decay = 0.5 · step/4
            EmaState ema = new EmaState();
            try (PointerScope inner = new PointerScope()) {
                ema.start(state); // survives the scope it was made in
            }
            try (ema) {
                // the optimizer moves w to (3, 6); after step 2 the decay is 0.5·2/4 = 0.25:
                // ema = (1, 2) + 0.75·((3, 6) − (1, 2)) = (2.5, 5); w = ema
                w.copy_(tensor(new float[] {3f, 6f}, 2));
                ema.update(((LookaheadEma.Update) plan.afterStep(2, 0, true)).decay());
                assertArrayEquals(new float[] {2.5f, 5f}, values(w), 0f);
                // w moves to (4.5, 5); decay 0.5·4/4 = 0.5: ema = (2.5, 5) + 0.5·((4.5, 5) − (2.5, 5)) = (3.5, 5)
                w.copy_(tensor(new float[] {4.5f, 5f}, 2));
                ema.update(plan.decay(4));
                assertArrayEquals(new float[] {3.5f, 5f}, values(w), 0f);
                // decay 1: the weights go back to the EMA whatever the optimizer did
                w.add_(new Scalar(10.0));
                ema.update(1.0);
                assertArrayEquals(new float[] {3.5f, 5f}, values(w), 0f);
                assertEquals(0L, counter.item_long(), "integer buffers are not averaged");
            }
        }
    }

    @Test
    void evaluationEmaAveragesWithoutTouchingTheWeightsAndSwapsForTheTestPass() {
        try (PointerScope outer = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor w = tensor(new float[] {1f, 2f}, 2);
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("w", w);
            EvaluationEma plan = new EvaluationEma(2, 0.5); // decay 0.5² = 0.25
            EmaState ema = new EmaState();
            try (PointerScope inner = new PointerScope()) {
                ema.start(state); // Page's copy of the initial weights (1, 2)
            }
            try (ema) {
                // step 1 moves w to (5, 6) and updates: ema = 0.25·(1, 2) + 0.75·(5, 6) = (4, 5); w stays
                w.copy_(tensor(new float[] {5f, 6f}, 2));
                assertTrue(plan.updatesAfter(1));
                ema.average(plan.decay());
                assertArrayEquals(new float[] {5f, 6f}, values(w), 0f);
                // step 2 (no update), step 3 moves w to (8, 1) and updates: ema = 0.25·(4, 5) + 0.75·(8, 1) = (7, 2)
                assertFalse(plan.updatesAfter(2));
                w.copy_(tensor(new float[] {8f, 1f}, 2));
                assertTrue(plan.updatesAfter(3));
                ema.average(plan.decay());
                assertArrayEquals(new float[] {8f, 1f}, values(w), 0f);
                // the test pass sees the average, then training goes on from its own weights
                ema.swapWithWeights();
                assertArrayEquals(new float[] {7f, 2f}, values(w), 0f);
                assertArrayEquals(new float[] {8f, 1f}, ema.exportState().get("ema.w").data(), 0f);
                ema.swapWithWeights();
                assertArrayEquals(new float[] {8f, 1f}, values(w), 0f);
                assertArrayEquals(new float[] {7f, 2f}, ema.exportState().get("ema.w").data(), 0f);
            }
        }
    }
}
