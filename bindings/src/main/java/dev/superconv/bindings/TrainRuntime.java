package dev.superconv.bindings;

import dev.superconv.core.model.Device;
import dev.superconv.core.recipe.RuntimeConfig;

/** What the recipe's runtime settings mean on this machine. */
final class TrainRuntime {
    private TrainRuntime() {}

    /** libtorch intra-op threads: the setting, or one per physical core for 0. */
    static int threads(RuntimeConfig runtime) {
        return runtime.threads() == 0 ? TorchDevices.physicalCores() : runtime.threads();
    }
}
