package dev.superconv.cli;

import dev.superconv.core.model.Device;
import dev.superconv.inference.SessionSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Model and ONNX Runtime session flags shared by {@code eval}, {@code predict} and {@code serve}. */
public final class InferenceOptions {
    @Option(names = "--model", required = true, paramLabel = "MODEL.onnx", description = "ONNX model exported by superconv export (or any N×3×32×32 float / N×32×32×3 uint8 classifier).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or cuda (default ${DEFAULT-VALUE}); auto uses CUDA only when a usable GPU is found.")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (default 0 = one per physical core).")
    int threads;

    @Option(names = "--inter-op-threads", defaultValue = "1", description = "Threads running independent operators (default ${DEFAULT-VALUE}; the ResNet is a chain).")
    int interOpThreads;

    @Option(names = "--opt-level", defaultValue = "all", description = "Graph optimisation: disable, basic, extended or all (default ${DEFAULT-VALUE}).")
    String optLevel;

    @Option(names = "--no-arena", description = "Disable ONNX Runtime's CPU memory arena (less memory, slower).")
    boolean noArena;

    SessionSettings settings() {
        return new SessionSettings(Device.parse(device), threads, interOpThreads, SessionSettings.OptLevel.parse(optLevel), !noArena);
    }
}
