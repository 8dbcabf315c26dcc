package dev.superconv.bindings;

import dev.superconv.core.model.Tta;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Logits under a {@link Tta}, from any forward function. Call inside a PointerScope, with no grad. */
public final class TtaForward {
    private TtaForward() {}

    /**
     * {@code net} maps normalised images (N, 3, H, W) to logits (N, classes). Scalars are made per
     * call: a static one would belong to whichever PointerScope was open when the class loaded.
     */
    public static Tensor logits(UnaryOperator<Tensor> net, Tensor x, Tta level) {
        Scalar half = new Scalar(0.5);
        return switch (level) {
            case NONE -> net.apply(x);
            case FLIP -> mirrored(net, x, half);
            case FLIP_TRANSLATE -> {
                long h = x.size(2), w = x.size(3);
                Tensor padded = torch.pad(x, new long[] {1, 1, 1, 1}, "reflect", new DoubleOptional()); // (N, 3, H+2, W+2)
                Tensor upLeft = padded.narrow(2, 0, h).narrow(3, 0, w);    // image content moves down-right: view of (y−1, x−1)
                Tensor downRight = padded.narrow(2, 2, h).narrow(3, 2, w); // view of (y+1, x+1)
                Tensor translated = mirrored(net, upLeft, half).add(mirrored(net, downRight, half)).mul(half);
                yield mirrored(net, x, half).mul(half).add(translated.mul(half));
            }
        };
    }

    private static Tensor mirrored(UnaryOperator<Tensor> net, Tensor x, Scalar half) {
        return net.apply(x).mul(half).add(net.apply(x.flip(3)).mul(half));
    }
}
