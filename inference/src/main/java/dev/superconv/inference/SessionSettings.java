package dev.superconv.inference;

import ai.onnxruntime.OrtSession.SessionOptions;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import java.util.Locale;

/**
 * ONNX Runtime session knobs that matter for throughput.
 *
 * @param device         where to run
 * @param intraOpThreads threads inside one operator (0 = ONNX Runtime's default, one per physical core)
 * @param interOpThreads threads running independent operators at once (0 = default); the ResNet is
 *                       a chain, so parallel execution buys nothing and 1 keeps cores for intra-op work
 * @param optLevel       graph optimisation level
 * @param memoryArena    CPU memory arena: reuses allocations across runs (off saves memory, costs speed)
 */
public record SessionSettings(Device device, int intraOpThreads, int interOpThreads, OptLevel optLevel, boolean memoryArena) {
    /** Graph optimisation levels, as ONNX Runtime names them. */
    public enum OptLevel {
        DISABLE(SessionOptions.OptLevel.NO_OPT),
        BASIC(SessionOptions.OptLevel.BASIC_OPT),
        EXTENDED(SessionOptions.OptLevel.EXTENDED_OPT),
        ALL(SessionOptions.OptLevel.ALL_OPT);

        final SessionOptions.OptLevel ort;

        OptLevel(SessionOptions.OptLevel ort) {
            this.ort = ort;
        }

        public static OptLevel parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--opt-level must be disable, basic, extended or all, got '" + text + "'");
            }
        }
    }

    public SessionSettings {
        if (intraOpThreads < 0) {
            throw new BadInputException("--threads must be >= 0 (0 = one per core), got " + intraOpThreads);
        }
        if (interOpThreads < 0) {
            throw new BadInputException("--inter-op-threads must be >= 0, got " + interOpThreads);
        }
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Device.AUTO, 0, 1, OptLevel.ALL, true);
    }

    public SessionSettings withDevice(Device d) {
        return new SessionSettings(d, intraOpThreads, interOpThreads, optLevel, memoryArena);
    }

    public SessionSettings withIntraOpThreads(int n) {
        return new SessionSettings(device, n, interOpThreads, optLevel, memoryArena);
    }
}
