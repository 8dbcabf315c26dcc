package dev.superconv.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtEpDevice;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides, cheaply and before touching the CUDA provider, whether ONNX Runtime's CUDA execution
 * provider can run here. {@code getAvailableProviders()} lists CUDA on every machine (it is the
 * compile-time list), and {@code addCUDA} on a machine without a GPU extracts 583 MB and fails
 * after seconds, so it is only tried with evidence:
 * <ol>
 *   <li>ONNX Runtime's EP device list ({@code getEpDevices()}) already holds a CUDA device (when the
 *       CUDA plugin library has been registered with the environment), or</li>
 *   <li>the host has an NVIDIA GPU with its driver loaded ({@code /proc/driver/nvidia/gpus/*} or
 *       {@code /dev/nvidia0}) and the libraries the 1.29 CUDA provider links against
 *       (CUDA 12 {@code libcublasLt.so.12}, cuDNN 9 {@code libcudnn.so.9}) are on the loader path.</li>
 * </ol>
 *
 * @param root       file-system root to look under ("/" on a real host; a fake tree in tests)
 * @param libraryDirs folders the dynamic loader searches, relative to {@code root}
 */
public record GpuProbe(Path root, List<String> libraryDirs) {
    /** The 1.29 CUDA provider's hard dependencies: CUDA 12 cuBLASLt and cuDNN 9. */
    static final List<String> REQUIRED_LIBRARIES = List.of("libcublasLt.so.12", "libcudnn.so.9");
    static final String CUDA_EP = "CUDAExecutionProvider";
    public static final String REQUIREMENT = "ONNX Runtime 1.29's CUDA provider needs an NVIDIA GPU with CUDA 12 and cuDNN 9 installed on the host";

    public GpuProbe {
        libraryDirs = List.copyOf(libraryDirs);
    }

    /** What the probe found: whether to use CUDA, how (plugin EP devices or the classic provider), and why. */
    public record Evidence(boolean usable, List<OrtEpDevice> epDevices, String reason) {
        public Evidence {
            epDevices = List.copyOf(epDevices);
        }
    }

    /** The probe for this host: loader folders from LD_LIBRARY_PATH, /etc/ld.so.conf.d and the usual places. */
    public static GpuProbe host() {
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(ldSoConfDirs(Path.of("/etc/ld.so.conf.d")));
        dirs.addAll(List.of("/usr/local/cuda/lib64", "/usr/local/cuda-12/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu"));
        return new GpuProbe(Path.of("/"), new ArrayList<>(dirs));
    }

    public Evidence probe(OrtEnvironment env) {
        List<OrtEpDevice> cuda = new ArrayList<>();
        try {
            for (OrtEpDevice d : env.getEpDevices()) {
                if (CUDA_EP.equals(d.getEpName())) {
                    cuda.add(d);
                }
            }
        } catch (OrtException e) {
            // an environment that cannot list devices just gives no evidence; the host check still runs
        }
        if (!cuda.isEmpty()) {
            return new Evidence(true, cuda, "ONNX Runtime lists " + cuda.size() + " CUDA device(s)");
        }
        return probeHost();
    }

    /** The host half of the probe (no ONNX Runtime call). */
    public Evidence probeHost() {
        if (!nvidiaGpuPresent()) {
            return new Evidence(false, List.of(), "no NVIDIA GPU found (no /proc/driver/nvidia/gpus, no /dev/nvidia0)");
        }
        List<String> missing = new ArrayList<>();
        for (String lib : REQUIRED_LIBRARIES) {
            if (findLibrary(lib).isEmpty()) {
                missing.add(lib);
            }
        }
        if (!missing.isEmpty()) {
            return new Evidence(false, List.of(), "an NVIDIA GPU is present but " + String.join(", ", missing) + " not found on the loader path");
        }
        return new Evidence(true, List.of(), "NVIDIA GPU with CUDA 12 + cuDNN 9 libraries found");
    }

    private boolean nvidiaGpuPresent() {
        Path gpus = root.resolve("proc/driver/nvidia/gpus");
        if (Files.isDirectory(gpus)) {
            try (Stream<Path> s = Files.list(gpus)) {
                if (s.findAny().isPresent()) {
                    return true;
                }
            } catch (IOException e) {
                // unreadable: fall through to the device node
            }
        }
        return Files.exists(root.resolve("dev/nvidia0"));
    }

    private List<Path> findLibrary(String name) {
        List<Path> found = new ArrayList<>();
        for (String dir : libraryDirs) {
            Path p = root.resolve(dir.startsWith("/") ? dir.substring(1) : dir).resolve(name);
            if (Files.exists(p)) {
                found.add(p);
            }
        }
        return found;
    }

    static List<String> ldSoConfDirs(Path confDir) {
        List<String> dirs = new ArrayList<>();
        if (!Files.isDirectory(confDir)) {
            return dirs;
        }
        try (Stream<Path> files = Files.list(confDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (t.startsWith("/")) {
                        dirs.add(t);
                    }
                }
            }
        } catch (IOException e) {
            // a broken loader config only narrows the search
        }
        return dirs;
    }
}
