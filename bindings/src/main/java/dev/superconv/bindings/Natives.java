package dev.superconv.bindings;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads libtorch safely. On a machine whose JavaCPP cache is empty, the first JVM that loads
 * libtorch dies with SIGSEGV in {@code torch.<clinit>}; extracting the native resources before any
 * torch class loads avoids it. Every entry point and test that touches libtorch calls
 * {@link #load()} first.
 */
public final class Natives {
    private static volatile boolean loaded;

    private Natives() {}

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            Loader.cacheResources("/org/bytedeco/openblas/" + Loader.getPlatform() + "/");
            Loader.cacheResources("/org/bytedeco/pytorch/" + Loader.getPlatform() + "/");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract libtorch natives to the JavaCPP cache: " + e.getMessage(), e);
        }
        Loader.load(org.bytedeco.pytorch.global.torch.class);
        loaded = true;
    }
}
