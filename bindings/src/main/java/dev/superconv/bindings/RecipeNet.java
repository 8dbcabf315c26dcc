package dev.superconv.bindings;

import dev.superconv.core.augment.Normalize;
import dev.superconv.core.data.Dataset;
import dev.superconv.core.model.Architecture;
import dev.superconv.core.model.ModelConfig;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.PatchWhitening;
import dev.superconv.core.recipe.TrainConfig;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** A fresh net as a recipe starts it: seeded init, Dirac init, fitted whitening, layout, device. */
final class RecipeNet {
    private RecipeNet() {}

    static LayerNet build(TrainConfig config, ModelInfo info, Dataset train, Normalize normalize, Device device) {
        torch.manual_seed(config.seed()); // the only use of libtorch's RNG: the initial weights
        LayerNet net = new LayerNet(info.architecture(), config.model().batchNorm());
        try {
            if (config.model().diracInit()) {
                net.diracInit();
            }
            if (config.model().firstLayer() instanceof ModelConfig.Whitened w) {
                // fitted on a fixed subset drawn across classes (the ImageFolder mirror is sorted by class)
                PatchWhitening white = PatchWhitening.fit(train.limit(w.images()), w.kernel(), normalize.mean(), normalize.std());
                net.initWhitening(Architecture.WHITENING_LAYER, white, w.eps());
            }
            if (config.runtime().channelsLast()) {
                net.toChannelsLast();
            }
            net.to(device, false);
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }
}
