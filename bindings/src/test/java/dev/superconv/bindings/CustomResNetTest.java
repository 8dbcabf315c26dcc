package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomResNetTest {
    @BeforeAll
    static void natives() {
        Natives.load();
    }

    @Test
    void parameterCountAtWidthOneIsTheResNet9s() {
        ModelSpec spec = ModelSpec.cifar10(1);
        try (LayerNet model = LayerNet.customResNet(spec)) {
            assertEquals(6_573_120L, model.parameterCount());
            assertEquals(spec.parameterCount(), model.parameterCount());
        }
    }

    @Test
    void widthScalesEveryStage() {
        ModelSpec spec = ModelSpec.cifar10(0.25);
        try (LayerNet model = LayerNet.customResNet(spec)) {
            assertEquals(spec.parameterCount(), model.parameterCount());
            assertArrayEquals(new long[] {16, 3, 3, 3}, model.state().get("prep.conv.weight").sizes().vec().get());
            assertArrayEquals(new long[] {10, 128}, model.state().get("fc.weight").sizes().vec().get());
        }
    }

    @Test
    void forwardGivesOneLogitPerClassAndImage() {
        try (LayerNet model = LayerNet.customResNet(ModelSpec.cifar10(0.25));
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            model.eval();
            Tensor logits = model.forward(torch.randn(5, 3, 32, 32));
            assertArrayEquals(new long[] {5, 10}, logits.sizes().vec().get());
            model.toChannelsLast();
            Tensor x = torch.randn(3, 3, 32, 32);
            Tensor a = model.forward(x);
            Tensor b = model.forward(x.contiguous(torch.MemoryFormat.ChannelsLast));
            assertTrue(a.sub(b).abs().max().item_float() < 1e-4f, "channels-last input gives the same logits");
        }
    }

    @Test
    void logitScaleMultipliesTheOutput() {
        try (LayerNet one = LayerNet.customResNet(new ModelSpec(0.25, 1.0, 10));
                LayerNet eighth = LayerNet.customResNet(new ModelSpec(0.25, 0.125, 10));
                PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            one.eval();
            eighth.eval();
            Checkpoint ck = new Checkpoint(Checkpoint.newMeta(), one.exportState());
            eighth.importState(ck);
            Tensor x = torch.randn(2, 3, 32, 32);
            Tensor diff = one.forward(x).mul(new org.bytedeco.pytorch.Scalar(0.125)).sub(eighth.forward(x)).abs().max();
            assertTrue(diff.item_float() < 1e-6f);
        }
    }

    @Test
    void stateRoundTripsThroughACheckpoint() {
        ModelSpec spec = ModelSpec.cifar10(0.25);
        try (LayerNet a = LayerNet.customResNet(spec); LayerNet b = LayerNet.customResNet(spec)) {
            Map<String, Checkpoint.Tensor> exported = a.exportState();
            assertEquals(spec.stateTensors().size(), exported.size());
            b.toChannelsLast(); // import must not care about the target's strides
            b.importState(new Checkpoint(Checkpoint.newMeta(), exported));
            Map<String, Checkpoint.Tensor> back = b.exportState();
            for (String name : exported.keySet()) {
                assertArrayEquals(exported.get(name).data(), back.get(name).data(), 0f, name);
            }
        }
    }

    @Test
    void importRefusesAnotherWidth() {
        try (LayerNet small = LayerNet.customResNet(ModelSpec.cifar10(0.25)); LayerNet big = LayerNet.customResNet(ModelSpec.cifar10(0.5))) {
            Checkpoint ck = new Checkpoint(Checkpoint.newMeta(), small.exportState());
            BadInputException e = assertThrows(BadInputException.class, () -> big.importState(ck));
            assertTrue(e.getMessage().contains("prep.conv.weight"), e.getMessage());
        }
    }
}
