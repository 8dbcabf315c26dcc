package dev.superconv.cli.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelInfo;
import dev.superconv.core.model.ModelSpec;
import dev.superconv.export.onnx.GraphProto;
import dev.superconv.export.onnx.ModelProto;
import dev.superconv.export.onnx.NodeProto;
import dev.superconv.export.onnx.OperatorSetIdProto;
import dev.superconv.export.onnx.AttributeProto;
import dev.superconv.export.onnx.TensorProto;
import dev.superconv.export.onnx.TensorShapeProto;
import dev.superconv.export.onnx.TypeProto;
import dev.superconv.export.onnx.ValueInfoProto;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Generated data sets, checkpoints and ONNX files (good and broken) for the reliability tests. */
final class Fixtures {
    static final List<String> CIFAR10 = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    static final int RECORD = 3073;

    private Fixtures() {}

    /** ImageFolder ROOT/{train,test}/c0..c2 with colour-coded, noisy 32×32 PNGs (learnable in a few steps). */
    static Path imageFolder(Path root, int trainPerClass, int testPerClass) throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] colours = {{200, 40, 40}, {40, 200, 40}, {40, 40, 200}};
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? trainPerClass : testPerClass;
            for (int k = 0; k < 3; k++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve("c" + k));
                for (int i = 0; i < n; i++) {
                    png(dir.resolve(i + ".png"), 32, 32, colours[k], rng);
                }
            }
        }
        return root;
    }

    static void png(Path file, int width, int height, int[] colour, SplittableRandom rng) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = Math.clamp(colour[0] + rng.nextInt(-50, 51), 0, 255);
                int g = Math.clamp(colour[1] + rng.nextInt(-50, 51), 0, 255);
                int b = Math.clamp(colour[2] + rng.nextInt(-50, 51), 0, 255);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    /** {@code n} CIFAR records with labels {@code i % 10} and random pixels. */
    static byte[] cifarRecords(int n, long seed) {
        byte[] b = new byte[n * RECORD];
        new SplittableRandom(seed).nextBytes(b);
        for (int i = 0; i < n; i++) {
            b[i * RECORD] = (byte) (i % 10);
        }
        return b;
    }

    /** The CIFAR-10 binary folder layout with {@code perBatch} records in each batch file. */
    static Path cifarFolder(Path dir, int perBatch) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", CIFAR10) + "\n");
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), cifarRecords(perBatch, i));
        }
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(perBatch, 99));
        return dir;
    }

    /** A .tar.gz of {@code folder} under the entry prefix {@code prefix/}. */
    static Path tarGz(Path file, Path folder, String prefix) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(raw));
                Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                TarArchiveEntry e = new TarArchiveEntry(prefix + "/" + f.getFileName());
                e.setSize(bytes.length);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** The first {@code keep} bytes of {@code source} written to {@code target}. */
    static Path truncated(Path source, Path target, long keep) throws IOException {
        byte[] b = Files.readAllBytes(source);
        Files.write(target, java.util.Arrays.copyOf(b, (int) Math.min(keep, b.length)));
        return target;
    }

    /** A checkpoint of a ResNet-9 of this width with random weights and a complete model description. */
    static Checkpoint randomCheckpoint(double width, List<String> classes, long seed) {
        ModelSpec spec = new ModelSpec(width, 0.125, classes.size());
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Checkpoint.Tensor> tensors = new LinkedHashMap<>();
        for (ModelSpec.TensorSpec t : spec.stateTensors()) {
            float[] v = new float[(int) t.numel()];
            boolean variance = t.name().endsWith("running_var") || t.name().endsWith(".bn.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (variance ? 0.5 + rnd.nextDouble() : rnd.nextDouble(-0.1, 0.1));
            }
            tensors.put(t.name(), new Checkpoint.Tensor(t.shape(), v));
        }
        ObjectNode meta = Checkpoint.newMeta();
        new ModelInfo(spec, classes, ModelInfo.CIFAR10_MEAN, ModelInfo.CIFAR10_STD).writeTo(meta);
        return new Checkpoint(meta, tensors);
    }

    /** A valid ONNX model whose input is float (N, 1, 28, 28): loads, but is not a CIFAR classifier. */
    static Path wrongInputShapeModel(Path file) throws IOException {
        GraphProto.Builder g = GraphProto.newBuilder().setName("mnist-shaped");
        g.addInput(value("input", -1, 1, 28, 28));
        g.addNode(NodeProto.newBuilder().setOpType("Flatten").setName("flat").addInput("input").addOutput("out")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
        g.addOutput(value("out", -1, 784));
        ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setProducerName("superconv-reliability-tests").setGraph(g).build();
        Files.write(file, m.toByteArray());
        return file;
    }

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    /** Every regular file and folder below {@code root}, relative, sorted (to compare before/after). */
    static List<String> tree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Every regular file below {@code root}, relative, sorted (empty folders are not output). */
    static List<String> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }
}
