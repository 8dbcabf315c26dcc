package dev.superconv.bindings;

import dev.superconv.core.model.Tta;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Logits under a {@link Tta}: the weighted sum over its {@link Tta#viewList()}, from any forward function. Call inside a PointerScope, with no grad. */
public final class TtaForward {
    private TtaForward() {}

    /**
     * {@code net} maps normalised images (N, 3, H, W) to logits (N, classes). Scalars are made per
     * call: a static one would belong to whichever PointerScope was open when the class loaded.
     */
    public static Tensor logits(UnaryOperator<Tensor> net, Tensor x, Tta level) {
        long h = x.size(2), w = x.size(3);
        Tensor padded = null; // (N, 3, H+2, W+2), made once for the shifted views
        Tensor sum = null;
        for (Tta.View view : level.viewList()) {
            Tensor input = x;
            if (view.shift() != 0) {
                padded = padded != null ? padded : torch.pad(x, new long[] {1, 1, 1, 1}, "reflect", new DoubleOptional());
                input = padded.narrow(2, 1 + view.shift(), h).narrow(3, 1 + view.shift(), w); // pixel (y + shift, x + shift)
            }
            Tensor logits = net.apply(view.mirror() ? input.flip(3) : input);
            Tensor weighted = view.weight() == 1 ? logits : logits.mul(new Scalar(view.weight())); // level NONE: the logits as they are
            sum = sum == null ? weighted : sum.add(weighted);
        }
        return sum;
    }
}
