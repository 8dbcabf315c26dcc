package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.Device;
import org.bytedeco.pytorch.global.torch;

/** libtorch's side of {@code --device}: what AUTO means here, and the libtorch device of a choice. */
public final class TorchDevices {
    private TorchDevices() {}

    /** CPU or CUDA; asking for CUDA where libtorch sees none is bad input. Needs {@link Natives#load()}. */
    public static Device resolve(Device choice) {
        boolean cuda = torch.cuda_is_available();
        return switch (choice) {
            case AUTO -> cuda ? Device.CUDA : Device.CPU;
            case CPU -> Device.CPU;
            case CUDA -> {
                if (!cuda) {
                    throw new BadInputException("--device cuda: libtorch sees no CUDA device (no GPU, no driver, or a CPU-only build; build with -Pcuda)");
                }
                yield Device.CUDA;
            }
        };
    }

    /** The libtorch device of a resolved choice. */
    public static org.bytedeco.pytorch.Device torch(Device resolved) {
        return switch (resolved) {
            case CUDA -> new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA);
            case CPU -> new org.bytedeco.pytorch.Device(torch.DeviceType.CPU);
            case AUTO -> throw new IllegalStateException("resolve() the device first");
        };
    }

    /** Physical cores (not hyper-threads) from /proc/cpuinfo; the JVM's processor count elsewhere. */
    public static int physicalCores() {
        try {
            java.util.Set<String> cores = new java.util.HashSet<>();
            String physical = "0";
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("physical id")) {
                    physical = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("core id")) {
                    cores.add(physical + "/" + line.substring(line.indexOf(':') + 1).strip());
                }
            }
            if (!cores.isEmpty()) {
                return Math.min(cores.size(), Runtime.getRuntime().availableProcessors());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux or unreadable: fall through
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
