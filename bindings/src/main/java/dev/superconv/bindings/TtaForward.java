package dev.superconv.bindings;

import dev.superconv.core.model.Tta;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Logits under a {@link Tta}, from any forward function. Call inside a PointerScope, with no grad. */
final class TtaForward {
    private TtaForward() {}

    private static final Scalar HALF = new Scalar(0.5);

    /** {@code net} maps normalised images (N, 3, H, W) to logits (N, classes). */
    static Tensor logits(UnaryOperator<Tensor> net, Tensor x, Tta level) {
        return switch (level) {
            case NONE -> net.apply(x);
            case FLIP -> mirrored(net, x);
            case FLIP_TRANSLATE -> {
                long h = x.size(2), w = x.size(3);
                Tensor padded = torch.pad(x, new long[] {1, 1, 1, 1}, "reflect", new DoubleOptional()); // (N, 3, H+2, W+2)
                Tensor upLeft = padded.narrow(2, 0, h).narrow(3, 0, w);    // image content moves down-right: view of (y−1, x−1)
                Tensor downRight = padded.narrow(2, 2, h).narrow(3, 2, w); // view of (y+1, x+1)
                Tensor translated = mirrored(net, upLeft).add(mirrored(net, downRight)).mul(HALF);
                yield mirrored(net, x).mul(HALF).add(translated.mul(HALF));
            }
        };
    }

    private static Tensor mirrored(UnaryOperator<Tensor> net, Tensor x) {
        return net.apply(x).mul(HALF).add(net.apply(x.flip(3)).mul(HALF));
    }
}
