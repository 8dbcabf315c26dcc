package dev.superconv.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
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

    /**
     * Adds the CUDA provider to session options. The seam lets a test make registration, or the
     * session creation after it, fail on a machine without a GPU; production uses {@link #ORT}.
     */
    @FunctionalInterface
    interface CudaRegistration {
        /** ONNX Runtime's CUDA provider: the plugin EP devices when listed, else the classic provider on GPU 0. */
        CudaRegistration ORT = (options, evidence) -> {
            if (evidence.epDevices().isEmpty()) {
                options.addCUDA(0);
            } else {
                options.addExecutionProvider(evidence.epDevices(), Map.of());
            }
        };

        void register(SessionOptions options, GpuProbe.Evidence evidence) throws OrtException;
    }

    static Configured configure(OrtEnvironment env, SessionSettings settings, GpuProbe probe, CudaRegistration registration) {
        return switch (settings.device()) {
            case CPU -> cpu(settings, "");
            case CUDA -> cuda(env, settings, probe, registration, true);
            case AUTO -> cuda(env, settings, probe, registration, false);
        };
    }

    /** CPU-only options: the fallback after a failed CUDA session, and the model check behind it. */
    static Configured cpu(SessionSettings settings, String note) {
        return new Configured(base(settings), Device.CPU, note);
    }

    private static Configured cuda(OrtEnvironment env, SessionSettings settings, GpuProbe probe, CudaRegistration registration, boolean required) {
        GpuProbe.Evidence ev = probe.probe(env);
        if (!ev.usable()) {
            if (required) {
                throw new BadInputException("--device cuda: no usable GPU: " + ev.reason() + "; " + GpuProbe.REQUIREMENT);
            }
            return new Configured(base(settings), Device.CPU, "device auto: running on CPU (" + ev.reason() + ")");
        }
        SessionOptions opts = base(settings);
        try {
            registration.register(opts, ev);
            return new Configured(opts, Device.CUDA, required ? "" : "device auto: running on CUDA (" + ev.reason() + ")");
        } catch (OrtException e) {
            opts.close();
            String why = OrtModel.firstLine(e.getMessage());
            if (required) {
                // the GPU is there and the user asked for it: a provider that does not start is a runtime failure, not their mistake
                throw new ExecutionProviderException("--device cuda: the CUDA execution provider did not start (" + why + "); " + GpuProbe.REQUIREMENT, e);
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
