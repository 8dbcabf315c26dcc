package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/**
 * {@code --device auto|cpu|cuda}, for training (libtorch) and inference (ONNX Runtime) alike. Each
 * runtime resolves AUTO its own way (bindings' TorchDevices, inference's ExecutionProviders), since
 * what "a usable GPU" means differs between them.
 */
public enum Device implements CliName {
    AUTO,
    CPU,
    CUDA;

    @Override
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Device parse(String text) {
        for (Device d : values()) {
            if (d.cliName().equalsIgnoreCase(text.strip())) {
                return d;
            }
        }
        throw new BadInputException("--device must be auto, cpu or cuda, got '" + text + "'");
    }
}
