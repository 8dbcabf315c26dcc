package dev.superconv.export;

import dev.superconv.core.BadInputException;
import dev.superconv.core.model.CliName;
import dev.superconv.core.model.InputFormat;
import dev.superconv.core.model.OutputKind;
import dev.superconv.core.model.Tta;

/**
 * What the exported graph looks like.
 *
 * @param foldBn    fold BatchNormalization into the preceding convolution (exact up to fp32 rounding)
 * @param input     what clients send
 * @param output    what the graph returns
 * @param tta       test-time augmentation inside the graph
 * @param precision weights and compute precision (inputs and outputs stay fp32/uint8)
 */
public record ExportOptions(boolean foldBn, InputFormat input, OutputKind output, Tta tta, Precision precision) {
    public ExportOptions {
        if (precision == Precision.INT8 && !foldBn) {
            throw new BadInputException("--precision int8 needs folded BatchNorm; drop --no-fold-bn");
        }
    }

    public static final ExportOptions DEFAULT =
            new ExportOptions(true, InputFormat.FLOAT_NCHW, OutputKind.LOGITS, Tta.NONE, Precision.FP32);

    public enum Precision implements CliName {
        FP32("fp32"),
        /** float16 weights and activations; the graph casts at its input and output. */
        FP16("fp16"),
        /** QDQ int8: uint8 activations (per tensor, calibrated), int8 weights per output channel; fp32 I/O. */
        INT8("int8");

        private final String cliName;

        Precision(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String cliName() {
            return cliName;
        }
    }

    public ExportOptions withFoldBn(boolean v) {
        return new ExportOptions(v, input, output, tta, precision);
    }

    public ExportOptions withInput(InputFormat v) {
        return new ExportOptions(foldBn, v, output, tta, precision);
    }

    public ExportOptions withOutput(OutputKind v) {
        return new ExportOptions(foldBn, input, v, tta, precision);
    }

    public ExportOptions withTta(Tta v) {
        return new ExportOptions(foldBn, input, output, v, precision);
    }

    public ExportOptions withPrecision(Precision v) {
        return new ExportOptions(foldBn, input, output, tta, v);
    }

    @Override
    public String toString() {
        return (foldBn ? "fold-bn" : "no-fold-bn") + ", input " + input.cliName() + ", output " + output.cliName()
                + ", tta " + tta.cliName() + ", " + precision.cliName();
    }
}
