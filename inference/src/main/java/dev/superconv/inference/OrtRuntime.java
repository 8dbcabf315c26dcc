package dev.superconv.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The process's one ONNX Runtime environment, created with ONNX Runtime's Linux telemetry off.
 *
 * <p>ONNX Runtime 1.29 on Linux starts Microsoft's 1DS telemetry uploader when its first environment
 * is created, unless {@code ORT_DISABLE_TELEMETRY} is set in the process environment. That start-up
 * reads {@code /proc/self/cmdline} and matches it with a {@code std::regex}, whose libstdc++ matcher
 * recurses deeper the longer the text, on the calling thread's stack: a command line over about
 * 3.5 KB (the launcher's class path and flags plus eight image paths) overflows the 1 MB stack of
 * Java's main thread, and the JVM dies with SIGSEGV before it can write an hs_err file (-Xss64m or
 * the variable set by hand both avoid it). The uploader also leaves a device id and an
 * event cache under {@code ~/.cache/Microsoft}, a {@code /tmp/mat-debug-PID.log} per run, and sends
 * events over the network, none of which an offline training tool should do. Java's environment map
 * is read-only, so the variable is set with libc's {@code setenv}, before ONNX Runtime is loaded.
 */
public final class OrtRuntime {
    static final String TELEMETRY_SWITCH = "ORT_DISABLE_TELEMETRY";

    private OrtRuntime() {}

    /** The environment every superconv session runs in; the first call turns telemetry off and loads ONNX Runtime. */
    public static OrtEnvironment environment() {
        return Holder.ENV;
    }

    /** The lazy holder idiom: class initialisation runs once, before any ONNX Runtime class is touched from here. */
    private static final class Holder {
        static final OrtEnvironment ENV = create();

        private static OrtEnvironment create() {
            setProcessEnvironment(TELEMETRY_SWITCH, "1");
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "superconv");
        }
    }

    private static void setProcessEnvironment(String name, String value) {
        Linker linker = Linker.nativeLinker();
        MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(
                        () -> new IllegalStateException("the C library has no setenv; cannot turn ONNX Runtime's telemetry off")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            // overwrite = 1: a value of 0 inherited from the shell would bring the crash back
            rc = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
        } catch (Throwable t) {
            throw new IllegalStateException("setenv(" + name + ") failed", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("setenv(" + name + ") returned " + rc);
        }
    }
}
