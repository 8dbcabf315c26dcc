package dev.superconv.bench;

import dev.superconv.bindings.Precision;
import dev.superconv.core.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rows of {@link EndToEndBench} that are built from measurements: names, references and derived figures (no timing here). */
final class BenchFigures {
    /** Training costs about 3 forward passes (forward, and a backward of twice its work). */
    static final double TRAIN_FLOPS_PER_FORWARD = 3;

    private BenchFigures() {}

    /**
     * One training figure from the pass over both layouts ({@code byLayout[0]} NCHW, [1] channels-last).
     * fp32 channels-last at width 1, batch 64 is shown next to the Python reference of that shape.
     */
    static Figure train(Precision precision, boolean channelsLast, double width, int batch, Stats[] byLayout) {
        Stats s = byLayout[channelsLast ? 1 : 0];
        String name = String.format(Locale.ROOT, "libtorch train step, %s, %s, width %s, batch %d", precision.flag(),
                channelsLast ? "channels-last" : "NCHW", width(width), batch);
        String key = "train_" + precision.flag() + "_" + (channelsLast ? "nhwc" : "nchw") + "_img_s";
        return precision == Precision.FP32 && channelsLast && width == 1.0 && batch == 64
                ? Figure.referenced(key, name, "img/s", s, ExternalReference.PYTORCH_TRAIN_FP32)
                : Figure.plain(key, name, "img/s", s);
    }

    /** The pipelined ONNX Runtime evaluation, next to the Python eval reference at width 1. */
    static Figure ortPipelined(String key, String name, Stats s, double width) {
        return width == 1.0 ? Figure.referenced(key, name, "img/s", s, ExternalReference.PYTORCH_EVAL_FP32) : Figure.plain(key, name, "img/s", s);
    }

    /**
     * Utilisation of the training steps (channels-last) against the hardware peak (MFU) and against
     * the measured libtorch matmul rate, and the matmul against the hardware peak. Without a known
     * clock there is no hardware peak and only the matmul-relative rows.
     */
    static List<Figure> utilisation(Stats trainFp32, Stats trainBf16, Stats matmulFp32, Stats matmulBf16, double forwardGflopPerImage,
            HardwarePeak peak) {
        double gflop = TRAIN_FLOPS_PER_FORWARD * forwardGflopPerImage;
        String work = String.format(Locale.ROOT, "%.0f × %.3f GFLOP per image", TRAIN_FLOPS_PER_FORWARD, forwardGflopPerImage);
        List<Figure> out = new ArrayList<>();
        if (peak.known()) {
            double p32 = peak.fp32GflopS();
            double p16 = peak.bf16GflopS();
            out.add(Figure.plain("hw_peak_fp32_gflop_s", "Hardware peak, fp32: " + peak.describeFp32(), "GFLOP/s", constant(p32)));
            out.add(Figure.plain("hw_peak_bf16_gflop_s", "Hardware peak, bf16: " + peak.describeBf16(), "GFLOP/s", constant(p16)));
            out.add(Figure.plain("matmul_fp32_over_hw_peak_pct", "libtorch fp32 matmul ÷ fp32 hardware peak", "%", matmulFp32.times(100 / p32)));
            out.add(Figure.plain("mfu_train_fp32_pct", "MFU, train fp32 channels-last (" + work + " ÷ fp32 hardware peak "
                    + BenchReport.number(p32) + " GFLOP/s)", "%", trainFp32.times(100 * gflop / p32)));
            out.add(Figure.plain("mfu_train_bf16_pct", "MFU, train bf16 channels-last (" + work + " ÷ bf16 hardware peak "
                    + BenchReport.number(p16) + " GFLOP/s)", "%", trainBf16.times(100 * gflop / p16)));
        }
        out.add(Figure.plain("train_fp32_over_matmul_pct", "Train fp32 channels-last ÷ measured fp32 matmul rate (" + work + " ÷ "
                + BenchReport.number(matmulFp32.median()) + " GFLOP/s; not MFU: the matmul is not the hardware peak)", "%",
                trainFp32.times(100 * gflop / matmulFp32.median())));
        out.add(Figure.plain("train_bf16_over_matmul_pct", "Train bf16 channels-last ÷ measured bf16 matmul rate (" + work + " ÷ "
                + BenchReport.number(matmulBf16.median()) + " GFLOP/s)", "%", trainBf16.times(100 * gflop / matmulBf16.median())));
        return out;
    }

    /** Bytes normalisation reads and writes per call: 1 byte of uint8 in and 4 of float out per value. */
    static long normalizeBytesMoved(int images) {
        return (long) images * Dataset.IMAGE_BYTES * (Byte.BYTES + Float.BYTES);
    }

    /** Bytes a copy of {@code bytes} reads and writes: each byte once read, once written. */
    static long copyBytesMoved(long bytes) {
        return 2 * bytes;
    }

    static Stats constant(double value) {
        return new Stats(value, value, value, 1);
    }

    static String width(double width) {
        return width == Math.rint(width) ? Integer.toString((int) width) : Double.toString(width);
    }
}
