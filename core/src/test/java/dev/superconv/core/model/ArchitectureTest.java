package dev.superconv.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Layer.Function;
import dev.superconv.core.model.ModelSpec.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    @Test
    void customResNetMatchesModelSpecTensorForTensor() {
        for (double width : new double[] {0.25, 0.5, 1}) {
            ModelSpec spec = new ModelSpec(width, 0.125, 10);
            Architecture arch = Architecture.customResNet(spec, Function.RELU);
            List<TensorSpec> expected = spec.stateTensors(), actual = arch.stateTensors();
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).name(), actual.get(i).name());
                assertArrayEquals(expected.get(i).shape(), actual.get(i).shape(), expected.get(i).name());
                assertEquals(expected.get(i).kind(), actual.get(i).kind());
            }
            assertEquals(spec.parameterCount(), arch.parameterCount());
            assertEquals(spec.forwardFlopsPerImage(), arch.forwardFlopsPerImage(32), 0);
            assertEquals(new Architecture.Shape(10, 0, 0), arch.outputShape(32));
        }
        assertEquals(6_573_120, Architecture.customResNet(ModelSpec.cifar10(1), Function.RELU).parameterCount());
    }

    @Test
    void airbench94ByHand() {
        Architecture arch = Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10);
        // whiten 24·3·2·2 + 24 bias; per group conv1 + conv2 (3×3, no bias) + two BNs (weight + bias); head 10·256
        long expected = (24 * 12 + 24)
                + (64 * 24 * 9 + 64 * 64 * 9 + 4 * 64)
                + (256 * 64 * 9 + 256 * 256 * 9 + 4 * 256)
                + (256 * 256 * 9 + 256 * 256 * 9 + 4 * 256)
                + 10 * 256;
        assertEquals(1_972_792, expected);
        assertEquals(expected, arch.parameterCount());
        // 32 → whiten (no padding) 31 → pools 15, 7, 3 → max-pool 3 → 1; convs at 31, 15 | 15, 7 | 7, 3.
        double flops = 2.0 * (12 * 24 * 31 * 31
                + 24 * 64 * 9 * 31 * 31 + 64 * 64 * 9 * 15 * 15
                + 64 * 256 * 9 * 15 * 15 + 256 * 256 * 9 * 7 * 7
                + 256 * 256 * 9 * 7 * 7 + 256 * 256 * 9 * 3 * 3
                + 256 * 10);
        assertEquals(236_294_720, flops, 0);
        assertEquals(flops, arch.forwardFlopsPerImage(32), 0);
        assertEquals("whiten.weight", arch.stateTensors().get(0).name());
        assertArrayEquals(new long[] {24, 3, 2, 2}, arch.stateTensors().get(0).shape());
        assertEquals("head.weight", arch.stateTensors().getLast().name());
        // a third of ResNet-9's forward FLOPs, as the recipe claims
        double ratio = flops / ModelSpec.cifar10(1).forwardFlopsPerImage();
        assertEquals(0.31, ratio, 0.01);
    }

    @Test
    void whitenedCustomResNetByHand() {
        Architecture plain = Architecture.customResNet(ModelSpec.cifar10(1), Function.GELU);
        Architecture white = Architecture.customResNetWhitened(ModelSpec.cifar10(1), Function.GELU, 3);
        // prep's 3×3 conv (64·3·9) gives way to whiten 54·3·9 + 54 bias and a 1×1 prep conv 64·54; the rest is the same
        assertEquals(plain.parameterCount() - 64 * 27 + (54 * 27 + 54) + 64 * 54, white.parameterCount());
        // all three at 32×32 ("same" padding keeps the size)
        assertEquals(plain.forwardFlopsPerImage(32) + 2.0 * 1024 * (54 * 27 + 64 * 54 - 64 * 27), white.forwardFlopsPerImage(32), 0);
        assertArrayEquals(new long[] {54, 3, 3, 3}, white.stateTensors().get(0).shape());
        assertEquals("whiten.bias", white.stateTensors().get(1).name());
        assertArrayEquals(new long[] {64, 54, 1, 1}, white.stateTensors().get(2).shape());
        assertEquals("prep.conv.weight", white.stateTensors().get(2).name());
        assertEquals(described(plain.stateTensors()).subList(1, plain.stateTensors().size()),
                described(white.stateTensors()).subList(3, white.stateTensors().size()));
        assertEquals(new Architecture.Shape(10, 0, 0), white.outputShape(32));
    }

    private static List<String> described(List<TensorSpec> tensors) {
        return tensors.stream().map(t -> t.name() + java.util.Arrays.toString(t.shape()) + t.kind()).toList();
    }

    @Test
    void theCustomResNetRefusesAnEvenWhiteningKernel() {
        BadInputException e = assertThrows(BadInputException.class, () -> new ModelConfig(ModelConfig.ArchitectureKind.CUSTOM_RESNET, 1, 0.125,
                Function.GELU, BatchNormSettings.PYTORCH, new ModelConfig.Whitened(2, 1e-2, 100, 3), false));
        assertEquals("model.first_layer.kernel must be odd for the Custom ResNet (Page uses 3), got 2", e.getMessage());
    }

    @Test
    void widthAndWhiteningKernelScaleTheNet() {
        Architecture half = Architecture.airbench(0.5, 3, Function.RELU, 1.0 / 9, 10);
        assertArrayEquals(new long[] {54, 3, 3, 3}, half.stateTensors().get(0).shape());
        assertArrayEquals(new long[] {32, 54, 3, 3}, half.stateTensors().get(2).shape()); // block1.conv1
        assertEquals(new Architecture.Shape(10, 0, 0), half.outputShape(32)); // 30 → 15, 7, 3 → 1
    }

    @Test
    void aLayerThatDoesNotFitIsNamed() {
        Architecture arch = Architecture.customResNet(ModelSpec.cifar10(1), Function.RELU);
        BadInputException e = assertThrows(BadInputException.class, () -> arch.outputShape(16)); // 16 → … 2×2 at the final pool
        assertEquals("architecture: max-pool 4 on Shape[channels=512, height=2, width=2]", e.getMessage());
    }

    @Test
    void theHeadPoolsWhatRemainsAtAnySize() {
        ModelSpec spec = ModelSpec.cifar10(1);
        Architecture at32 = Architecture.customResNet(spec, Function.RELU, 32);
        assertEquals(Architecture.customResNet(spec, Function.RELU).layers(), at32.layers(), "at 32 the net is today's, max-pool 4 included");
        assertEquals(new Layer.MaxPool(4), at32.layers().get(at32.layers().size() - 4));
        Architecture at64 = Architecture.customResNet(spec, Function.RELU, 64);
        assertEquals(new Layer.MaxPool(8), at64.layers().get(at64.layers().size() - 4));
        assertEquals(new Architecture.Shape(10, 0, 0), at64.outputShape(64));
        assertEquals(at32.parameterCount(), at64.parameterCount());
        double head = 2.0 * 512 * 10; // the linear layer's FLOPs do not grow with the image
        assertEquals(4 * (at32.forwardFlopsPerImage(32) - head), at64.forwardFlopsPerImage(64) - head, 0, "conv FLOPs ∝ N²");
        BadInputException e = assertThrows(BadInputException.class, () -> Architecture.customResNet(spec, Function.RELU, 36));
        assertEquals("the Custom ResNet needs an input size that is a multiple of 8 (three 2× max-pools), got 36", e.getMessage());

        Architecture air32 = Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10, 32);
        assertEquals(Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10).layers(), air32.layers());
        Architecture air64 = Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10, 64);
        // 64 → whiten 63 → pools 31, 15, 7 → max-pool 7
        assertEquals(new Layer.MaxPool(7), air64.layers().get(air64.layers().size() - 4));
        assertEquals(air32.parameterCount(), air64.parameterCount());
        assertEquals(new Architecture.Shape(10, 0, 0), air64.outputShape(64));
        assertEquals(new Architecture.Shape(10, 0, 0), Architecture.airbench(1, 2, Function.GELU, 1.0 / 9, 10, 48).outputShape(48));
    }
}
