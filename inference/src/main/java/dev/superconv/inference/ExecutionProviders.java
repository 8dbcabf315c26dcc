package dev.superconv.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.superconv.core.BadInputException;
import java.util.Map;

/** Turns {@link SessionSettings} into ONNX Runtime session options, choosing the execution provider. */
final class ExecutionProviders {
    private ExecutionProviders() {}

    /** Session options ready to use, the device they run on, and a one-line note on the choice. */
    record Configured(SessionOptions options, Device device, String note) implements AutoCloseable {
        @Override
        public void close() {
            options.close();
        }
    }

    static Configured configure(OrtEnvironment env, SessionSettings settings, GpuProbe probe) {
        return switch (settings.device()) {
            case CPU -> new Configured(base(settings), Device.CPU, "");
            case CUDA -> cuda(env, settings, probe, true);
            case AUTO -> cuda(env, settings, probe, false);
        };
    }

    private static Configured cuda(OrtEnvironment env, SessionSettings settings, GpuProbe probe, boolean required) {
        GpuProbe.Evidence ev = probe.probe(env);
        if (!ev.usable()) {
            if (required) {
                throw new BadInputException("--device cuda: no usable GPU: " + ev.reason() + "; " + GpuProbe.REQUIREMENT);
            }
            return new Configured(base(settings), Device.CPU, "device auto: running on CPU (" + ev.reason() + ")");
        }
        SessionOptions opts = base(settings);
        try {
            if (ev.epDevices().isEmpty()) {
                opts.addCUDA(0);
            } else {
                opts.addExecutionProvider(ev.epDevices(), Map.of());
            }
            return new Configured(opts, Device.CUDA, required ? "" : "device auto: running on CUDA (" + ev.reason() + ")");
        } catch (OrtException e) {
            opts.close();
            String why = OrtModel.firstLine(e.getMessage());
            if (required) {
                throw new BadInputException("--device cuda: the CUDA execution provider did not start (" + why + "); " + GpuProbe.REQUIREMENT, e);
            }
            // fresh options: the failed ones may hold a half-registered provider
            return new Configured(base(settings), Device.CPU, "device auto: running on CPU (CUDA provider did not start: " + why + ")");
        }
    }

    private static SessionOptions base(SessionSettings settings) {
        SessionOptions opts = new SessionOptions();
        try {
            opts.setOptimizationLevel(settings.optLevel().ort);
            if (settings.intraOpThreads() > 0) {
                opts.setIntraOpNumThreads(settings.intraOpThreads());
            }
            if (settings.interOpThreads() > 0) {
                opts.setInterOpNumThreads(settings.interOpThreads());
            }
            opts.setExecutionMode(settings.interOpThreads() > 1 ? SessionOptions.ExecutionMode.PARALLEL : SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setCPUArenaAllocator(settings.memoryArena());
            return opts;
        } catch (OrtException e) {
            opts.close();
            throw new IllegalStateException("cannot set ONNX Runtime session options: " + e.getMessage(), e);
        }
    }
}
