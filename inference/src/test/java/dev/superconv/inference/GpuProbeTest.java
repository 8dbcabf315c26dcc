package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuProbeTest {
    @TempDir
    Path root;

    private GpuProbe probe() {
        return new GpuProbe(root, List.of("/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64"));
    }

    @Test
    void noNvidiaDriverMeansNoGpu() {
        GpuProbe.Evidence e = probe().probeHost();
        assertFalse(e.usable());
        assertTrue(e.reason().contains("no NVIDIA GPU"), e.reason());
    }

    @Test
    void gpuWithoutCuda12AndCudnn9LibrariesIsNotUsable() throws Exception {
        Files.createDirectories(root.resolve("proc/driver/nvidia/gpus/0000:01:00.0"));
        GpuProbe.Evidence e = probe().probeHost();
        assertFalse(e.usable());
        assertTrue(e.reason().contains("libcublasLt.so.12") && e.reason().contains("libcudnn.so.9"), e.reason());

        Files.createDirectories(root.resolve("usr/local/cuda/lib64"));
        Files.createFile(root.resolve("usr/local/cuda/lib64/libcublasLt.so.12"));
        e = probe().probeHost();
        assertFalse(e.usable());
        assertTrue(e.reason().contains("libcudnn.so.9") && !e.reason().contains("libcublasLt"), e.reason());
    }

    @Test
    void gpuWithItsLibrariesIsUsable() throws Exception {
        Files.createDirectories(root.resolve("dev"));
        Files.createFile(root.resolve("dev/nvidia0"));
        Files.createDirectories(root.resolve("usr/local/cuda/lib64"));
        Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu"));
        Files.createFile(root.resolve("usr/local/cuda/lib64/libcublasLt.so.12"));
        Files.createFile(root.resolve("usr/lib/x86_64-linux-gnu/libcudnn.so.9"));
        assertTrue(probe().probeHost().usable());
    }

    @Test
    void emptyGpuFolderIsNoEvidence() throws Exception {
        Files.createDirectories(root.resolve("proc/driver/nvidia/gpus"));
        assertFalse(probe().probeHost().usable());
    }

    @Test
    void readsLoaderConfigFolders() throws Exception {
        Path conf = Files.createDirectories(root.resolve("ld.so.conf.d"));
        Files.writeString(conf.resolve("b-cuda.conf"), "# CUDA\n/usr/local/cuda-12.4/targets/x86_64-linux/lib\n");
        Files.writeString(conf.resolve("a-libc.conf"), "/usr/local/lib\ninclude other\n");
        Files.writeString(conf.resolve("ignored.txt"), "/nope\n");
        assertEquals(List.of("/usr/local/lib", "/usr/local/cuda-12.4/targets/x86_64-linux/lib"), GpuProbe.ldSoConfDirs(conf));
        assertEquals(List.of(), GpuProbe.ldSoConfDirs(root.resolve("missing")));
    }
}
