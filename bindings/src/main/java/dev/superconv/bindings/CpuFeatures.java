package dev.superconv.bindings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first CPU of /proc/cpuinfo: model name, feature flags and clock.
 *
 * @param clockGHz    the nominal clock from the model name ("@ 2.60GHz"), else "cpu MHz"; 0 when neither is there
 * @param clockSource where {@code clockGHz} was read, for printing next to figures derived from it
 */
public record CpuFeatures(String model, Set<String> flags, double clockGHz, String clockSource) {
    private static final Pattern NOMINAL_GHZ = Pattern.compile("@\\s*([0-9.]+)\\s*GHz");

    public CpuFeatures {
        flags = Set.copyOf(flags);
    }

    /** This machine's; an empty description (no flags) when /proc/cpuinfo cannot be read. */
    public static CpuFeatures read() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures(System.getProperty("os.arch"), Set.of(), 0, "unknown");
        }
    }

    /** The first processor block of a /proc/cpuinfo text. */
    public static CpuFeatures parse(String cpuinfo) {
        String model = System.getProperty("os.arch");
        Set<String> flags = Set.of();
        double mhz = 0;
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank() && !flags.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "model name" -> model = value;
                case "flags" -> flags = Set.of(value.split("\\s+"));
                case "cpu MHz" -> mhz = parseOrZero(value);
                default -> { }
            }
        }
        Matcher nominal = NOMINAL_GHZ.matcher(model);
        if (nominal.find()) {
            return new CpuFeatures(model, flags, parseOrZero(nominal.group(1)), "model name");
        }
        return mhz > 0 ? new CpuFeatures(model, flags, mhz / 1000, "cpu MHz") : new CpuFeatures(model, flags, 0, "unknown");
    }

    private static double parseOrZero(String number) {
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean has(String flag) {
        return flags.contains(flag.toLowerCase(Locale.ROOT));
    }

    /** AMX tiles with bf16: far faster bf16 matmuls than AVX-512, no probe needed. */
    public boolean amxBf16() {
        return has("amx_bf16");
    }

    /** bf16 instructions of any kind; without them oneDNN emulates bf16 (≈ 3.7× slower than fp32 measured). */
    public boolean nativeBf16() {
        return has("avx512_bf16") || amxBf16();
    }
}
