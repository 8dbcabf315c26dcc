package dev.superconv.cli;

import dev.superconv.core.io.AtomicFiles;
import dev.superconv.inference.ImageFiles;
import dev.superconv.inference.OrtModel;
import dev.superconv.inference.PredictionWriter;
import dev.superconv.inference.Predictor;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code superconv predict}: classifies image files, streaming, in constant memory. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class, description = {
        "Classify image files (png/jpg, 32×32 unless --resize) with an ONNX model; writes CSV or JSON lines: path, top-k labels, probabilities.",
        "Folders are walked lazily (constant memory for any number of files). A file that cannot be used gets an error row and a line on stderr;"
                + " the stream goes on and the exit code is 2 at the end."})
public final class PredictCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin InferenceOptions inference;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Image files and folders (folders: every .png/.jpg/.jpeg below them).")
    List<Path> inputs;

    @Option(names = "--top-k", defaultValue = "3", description = "Classes per image (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--format", defaultValue = "csv", description = "csv or jsonl (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here (atomically: complete or not at all) instead of stdout.")
    Path out;

    @Option(names = "--resize", description = "Resize images that are not the model's input size (its graph's S×S, 32 for CIFAR-10) as training did: "
            + "shorter side to S by area filter, then the centre S×S crop.")
    boolean resize;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per session run (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--decode-threads", description = "Image decoding threads (default: up to 4, one per core).")
    int decodeThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    @Override
    public Integer call() throws Exception {
        Predictor.Options options = new Predictor.Options(batchSize, topK, resize, decodeThreads);
        PredictionWriter.Format fmt = PredictionWriter.Format.parse(format);
        PrintWriter stderr = spec.commandLine().getErr();
        Predictor.Summary summary;
        try (OrtModel model = OrtModel.open(inference.model, inference.settings())) {
            if (!model.deviceNote().isEmpty()) {
                stderr.println("superconv: " + model.deviceNote());
                stderr.flush();
            }
            int columns = Math.min(topK, model.classCount());
            if (out == null) {
                PrintWriter stdout = spec.commandLine().getOut();
                summary = predict(model, options, new PredictionWriter(new ClosedPipeCheck(stdout), fmt, columns), stderr);
                stdout.flush();
            } else {
                Predictor.Summary[] result = new Predictor.Summary[1];
                try {
                    AtomicFiles.write(out, os -> {
                        Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
                        try {
                            result[0] = predict(model, options, new PredictionWriter(w, fmt, columns), stderr);
                        } catch (java.io.IOException | RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new Failure(e);
                        }
                        w.flush();
                    });
                } catch (Failure f) {
                    throw f.cause;
                }
                summary = result[0];
            }
        }
        stderr.printf(Locale.ROOT, "superconv: predicted %d files in %.2f s (%.1f images/s)%s%n", summary.files(), summary.seconds(),
                summary.files() / Math.max(summary.seconds(), 1e-9), out == null ? "" : ", wrote " + out);
        if (summary.failed() > 0) {
            stderr.println("superconv: " + summary.failed() + " of " + summary.files() + " files could not be classified (see the error rows)");
            stderr.flush();
            return Main.EXIT_BAD_INPUT;
        }
        stderr.flush();
        return 0;
    }

    private Predictor.Summary predict(OrtModel model, Predictor.Options options, PredictionWriter writer, PrintWriter stderr) throws Exception {
        Predictor.Rows rows = new Predictor.Rows() {
            @Override
            public void prediction(Path file, List<String> labels, double[] probabilities) throws Exception {
                writer.prediction(file, labels, probabilities);
            }

            @Override
            public void error(Path file, String reason) throws Exception {
                writer.error(file, reason);
                stderr.println("superconv: " + file + ": " + reason);
            }
        };
        return Predictor.run(model, ImageFiles.walk(inputs), options, rows);
    }

    /**
     * PrintWriter swallows write errors: without this, {@code predict DIR | head} would classify the
     * whole folder after head has gone. Checks (which flushes) every few rows.
     */
    private static final class ClosedPipeCheck extends Writer {
        private final PrintWriter out;
        private int writes;

        ClosedPipeCheck(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] buf, int off, int len) throws java.io.IOException {
            out.write(buf, off, len);
            if (++writes % 64 == 0 && out.checkError()) {
                throw new java.io.IOException("standard output was closed");
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    /** Carries a checked failure of the prediction out of the atomic-write body. */
    private static final class Failure extends RuntimeException {
        final Exception cause;

        Failure(Exception cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
