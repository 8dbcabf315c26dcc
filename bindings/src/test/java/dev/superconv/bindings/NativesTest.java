package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class NativesTest {
    @Test
    void libtorchLoadsAndComputes() {
        Natives.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor a = torch.ones(2, 3);
            Tensor s = a.sum();
            assertEquals(6.0f, s.item_float(), 0.0f);
        }
    }
}
