package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import dev.superconv.core.model.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens when the CUDA provider fails, on a machine without a GPU: a fake host tree makes the
 * probe find a GPU and its libraries, and the registration seam either throws (the provider does
 * not start) or registers options under which ONNX Runtime then refuses to create the session.
 */
class CudaProviderFailureTest {
    @TempDir Path dir;
    private GpuProbe gpuHost;

    /** Registration passes; session creation then fails, as a provider that registered and broke at initialisation does. */
    private static final ExecutionProviders.CudaRegistration FAILS_AT_SESSION =
            (options, evidence) -> options.addConfigEntry("session.disable_cpu_ep_fallback", "1");

    private static final ExecutionProviders.CudaRegistration FAILS_TO_REGISTER = (options, evidence) -> {
        throw new OrtException("libcublasLt.so.12: cannot open shared object file");
    };

    @BeforeEach
    void fakeGpuHost() throws Exception {
        Path root = dir.resolve("host");
        Files.createDirectories(root.resolve("dev"));
        Files.createFile(root.resolve("dev/nvidia0"));
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createFile(root.resolve("usr/lib/libcublasLt.so.12"));
        Files.createFile(root.resolve("usr/lib/libcudnn.so.9"));
        gpuHost = new GpuProbe(root, List.of("/usr/lib"));
        assertTrue(gpuHost.probeHost().usable());
    }

    private static SessionSettings on(Device device) {
        return SessionSettings.defaults().withDevice(device).withIntraOpThreads(1);
    }

    @Test
    void autoFallsBackToTheCpuWhenTheCudaSessionFails() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 1).file();
        try (OrtModel m = OrtModel.open(f, on(Device.AUTO), gpuHost, FAILS_AT_SESSION)) {
            assertEquals(Device.CPU, m.device());
            assertTrue(m.deviceNote().startsWith("device auto: running on CPU (the CUDA provider failed to create a session: "), m.deviceNote());
            assertTrue(m.deviceNote().contains("fallback to CPU EP has been explicitly disabled"), m.deviceNote());
            assertFalse(m.deviceNote().contains("\n"));
            assertEquals(TestModels.CLASSES, m.classes());
        }
    }

    @Test
    void cudaIsARuntimeFailureNamingTheProviderErrorWhenTheSessionFails() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 2).file();
        ExecutionProviderException e = assertThrows(ExecutionProviderException.class, () -> OrtModel.open(f, on(Device.CUDA), gpuHost, FAILS_AT_SESSION));
        assertTrue(e.getMessage().startsWith("--device cuda: the CUDA execution provider failed to create a session for " + f), e.getMessage());
        assertTrue(e.getMessage().contains("fallback to CPU EP has been explicitly disabled"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the model itself loads on the CPU"), e.getMessage());
        assertInstanceOf(OrtException.class, e.getCause());
    }

    @Test
    void aProviderThatDoesNotStartFallsBackUnderAutoAndFailsUnderCuda() throws Exception {
        Path f = TestModels.linear(dir, InputFormat.FLOAT_NCHW, 3).file();
        try (OrtModel m = OrtModel.open(f, on(Device.AUTO), gpuHost, FAILS_TO_REGISTER)) {
            assertEquals(Device.CPU, m.device());
            assertEquals("device auto: running on CPU (CUDA provider did not start: libcublasLt.so.12: cannot open shared object file)", m.deviceNote());
        }
        ExecutionProviderException e = assertThrows(ExecutionProviderException.class, () -> OrtModel.open(f, on(Device.CUDA), gpuHost, FAILS_TO_REGISTER));
        assertTrue(e.getMessage().startsWith("--device cuda: the CUDA execution provider did not start (libcublasLt.so.12: cannot open shared object file)"),
                e.getMessage());
    }

    @Test
    void anUnloadableModelStaysBadInputWhateverTheDevice() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "this is not a model\n");
        for (Device device : new Device[] {Device.AUTO, Device.CUDA}) {
            BadInputException e = assertThrows(BadInputException.class, () -> OrtModel.open(junk, on(device), gpuHost, FAILS_AT_SESSION));
            assertTrue(e.getMessage().startsWith("model " + junk + ": not a loadable ONNX model"), device + ": " + e.getMessage());
        }
    }
}
