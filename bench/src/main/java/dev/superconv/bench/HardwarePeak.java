package dev.superconv.bench;

import dev.superconv.bindings.CpuFeatures;
import java.util.Locale;

/**
 * The CPU's arithmetic peak from its description: cores × FMA units per core × SIMD lanes × 2
 * (an FMA is two operations) × clock. The FMA unit count is not in /proc/cpuinfo, so it is an
 * assumption, printed with the figure.
 *
 * @param fp32Lanes    16 with AVX-512, 8 with AVX/AVX2, 4 otherwise
 * @param bf16PerFp32  bf16 operations per fp32 operation of the same units: 2 with AVX512_BF16
 *                     (VDPBF16PS: two bf16 products per fp32 lane), 2048 / fp32 FLOP per cycle with AMX,
 *                     1 where bf16 is emulated
 * @param clockGHz     0 when the clock is unknown (then there is no peak)
 */
public record HardwarePeak(int cores, int fmaUnitsPerCore, String fmaAssumption, int fp32Lanes, double bf16PerFp32,
                           double clockGHz, String clockSource) {
    public static HardwarePeak of(CpuFeatures cpu, int cores) {
        int lanes = cpu.has("avx512f") ? 16 : cpu.has("avx2") || cpu.has("avx") ? 8 : 4;
        boolean amd = cpu.model().contains("AMD");
        int fma;
        String why;
        if (amd && lanes == 16 && cpu.has("avx512_vp2intersect")) {
            fma = 2;
            why = "assumed: AMD Zen 5, two 512-bit FMA pipes (avx512_vp2intersect is on Zen 5, not Zen 4)";
        } else if (amd && lanes == 16) {
            fma = 1;
            why = "assumed: AMD Zen 4, 512-bit FMAs on two 256-bit pipes = one 512-bit FMA per cycle";
        } else {
            fma = 2;
            why = "assumed: 2, as on Xeon server parts (some Xeon Silver/Bronze have 1)";
        }
        // AMX-BF16: 1024 bf16 multiply-adds per cycle and core (Sapphire Rapids tiles)
        double bf16 = cpu.amxBf16() ? 2048.0 / (fma * lanes * 2) : cpu.has("avx512_bf16") ? 2 : 1;
        return new HardwarePeak(cores, fma, why, lanes, bf16, cpu.clockGHz(), cpu.clockSource());
    }

    public boolean known() {
        return clockGHz > 0 && cores > 0;
    }

    public double fp32GflopS() {
        return cores * fmaUnitsPerCore * fp32Lanes * 2 * clockGHz;
    }

    public double bf16GflopS() {
        return fp32GflopS() * bf16PerFp32;
    }

    /** The product with its inputs, e.g. "2 cores × 2 FMA units × 16 fp32 lanes × 2 × 2.596 GHz (cpu MHz) = 332 GFLOP/s". */
    public String describeFp32() {
        return String.format(Locale.ROOT, "%d cores × %d FMA units × %d fp32 lanes × 2 × %.3f GHz (%s) = %s GFLOP/s; FMA units %s",
                cores, fmaUnitsPerCore, fp32Lanes, clockGHz, clockSource, BenchReport.number(fp32GflopS()), fmaAssumption);
    }

    public String describeBf16() {
        if (bf16PerFp32 > 2) {
            return String.format(Locale.ROOT, "%d cores × 2048 bf16 FLOP per cycle (AMX) × %.3f GHz = %s GFLOP/s", cores, clockGHz,
                    BenchReport.number(bf16GflopS()));
        }
        return bf16PerFp32 > 1
                ? String.format(Locale.ROOT, "fp32 peak × %.0f (AVX512_BF16 dot products: two bf16 products per fp32 lane) = %s GFLOP/s",
                        bf16PerFp32, BenchReport.number(bf16GflopS()))
                : "fp32 peak × 1 (no AVX512_BF16: bf16 emulated at best at the fp32 rate) = " + BenchReport.number(bf16GflopS()) + " GFLOP/s";
    }
}
