package dev.superconv.bindings;

import dev.superconv.core.BadInputException;
import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** {@code --device auto|cpu|cuda}. */
public enum DeviceChoice {
    AUTO,
    CPU,
    CUDA;

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The recipe's device. */
    public static DeviceChoice of(dev.superconv.core.recipe.RuntimeConfig.DeviceKind kind) {
        return valueOf(kind.name());
    }

    public static DeviceChoice parse(String text) {
        for (DeviceChoice d : values()) {
            if (d.flag().equalsIgnoreCase(text.strip())) {
                return d;
            }
        }
        throw new BadInputException("--device must be auto, cpu or cuda, got '" + text + "'");
    }

    /** CPU or CUDA; asking for CUDA where libtorch sees none is bad input. Needs {@link Natives#load()}. */
    public DeviceChoice resolve() {
        boolean cuda = torch.cuda_is_available();
        return switch (this) {
            case AUTO -> cuda ? CUDA : CPU;
            case CPU -> CPU;
            case CUDA -> {
                if (!cuda) {
                    throw new BadInputException("--device cuda: libtorch sees no CUDA device (no GPU, no driver, or a CPU-only build; build with -Pcuda)");
                }
                yield CUDA;
            }
        };
    }

    /** The libtorch device of a resolved choice. */
    public Device device() {
        return switch (this) {
            case CUDA -> new Device(torch.DeviceType.CUDA);
            case CPU -> new Device(torch.DeviceType.CPU);
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
