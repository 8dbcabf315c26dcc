package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.checkpoint.Checkpoint;
import dev.superconv.core.model.ModelSpec;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NesterovSgdTest {
    private static final ModelSpec SPEC = ModelSpec.cifar10(0.0625);

    @BeforeAll
    static void natives() {
        Natives.load();
        torch.set_num_threads(1);
    }

    private static NesterovSgd optimizer(LayerNet model, double lr, double momentum, double wd) {
        Map<String, Tensor> state = model.state();
        TensorVector params = new TensorVector();
        for (String name : model.parameterNames()) {
            params.push_back(state.get(name));
        }
        return new NesterovSgd(params, model.parameterNames(), lr, momentum, wd);
    }

    /** Forward + backward on a fixed batch; gradients land in the parameters' .grad. */
    private static void backward(LayerNet model, NesterovSgd sgd, long seed) {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(seed);
            sgd.zeroGrad();
            Tensor x = torch.randn(8, 3, 32, 32);
            Tensor y = torch.randint(10, new long[] {8});
            torch.cross_entropy(model.forward(x), y).backward();
        }
    }

    private static Map<String, float[]> grads(LayerNet model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (String name : model.parameterNames()) {
                out.put(name, Tensors.toArray(model.state().get(name).grad()).data());
            }
        }
        return out;
    }

    @Test
    void zeroLearningRateLeavesWeightsUnchanged() {
        try (LayerNet model = LayerNet.customResNet(SPEC); NesterovSgd sgd = optimizer(model, 0.1, 0.9, 5e-4)) {
            Map<String, Checkpoint.Tensor> before = model.exportState();
            backward(model, sgd, 1);
            sgd.setLr(0);
            sgd.step();
            Map<String, Checkpoint.Tensor> after = model.exportState();
            for (String name : model.parameterNames()) {
                assertArrayEquals(before.get(name).data(), after.get(name).data(), 0f, name);
            }
        }
    }

    @Test
    void firstStepMovesEachWeightByLrTimesNesterovDirection() {
        double lr = 0.05, m = 0.8, wd = 5e-4;
        try (LayerNet model = LayerNet.customResNet(SPEC); NesterovSgd sgd = optimizer(model, 0.3, 0.9, wd)) {
            sgd.setLr(lr); // set from Java before the step, as the trainer does
            sgd.setMomentum(m);
            assertEquals(lr, sgd.lr(), 0);
            assertEquals(m, sgd.momentum(), 0);
            Map<String, Checkpoint.Tensor> before = model.exportState();
            backward(model, sgd, 2);
            Map<String, float[]> g = grads(model);
            sgd.step();
            Map<String, Checkpoint.Tensor> after = model.exportState();
            int moved = 0;
            for (String name : model.parameterNames()) {
                float[] p = before.get(name).data();
                float[] q = after.get(name).data();
                for (int i = 0; i < p.length; i++) {
                    // libtorch, first step: d = g + wd·p; buf = d; update = d + m·buf; p ← p − lr·update
                    float d = g.get(name)[i] + (float) wd * p[i];
                    float update = d + (float) m * d;
                    float expected = p[i] - (float) lr * update;
                    assertEquals(expected, q[i], 1e-6f + 1e-5f * Math.abs(expected), name + "[" + i + "]");
                    moved += q[i] != p[i] ? 1 : 0;
                }
            }
            assertTrue(moved > 1000, "most weights moved: " + moved);
        }
    }

    @Test
    void momentumZeroIsPlainSgd() {
        double lr = 0.05, wd = 5e-4;
        try (LayerNet model = LayerNet.customResNet(SPEC); NesterovSgd sgd = optimizer(model, lr, 0, wd)) {
            assertEquals(0, sgd.momentum(), 0);
            Map<String, Checkpoint.Tensor> before = model.exportState();
            backward(model, sgd, 3);
            Map<String, float[]> g = grads(model);
            sgd.step();
            Map<String, Checkpoint.Tensor> after = model.exportState();
            for (String name : model.parameterNames()) {
                float[] p = before.get(name).data();
                float[] q = after.get(name).data();
                for (int i = 0; i < p.length; i++) {
                    float expected = p[i] - (float) lr * (g.get(name)[i] + (float) wd * p[i]); // p ← p − lr·(g + wd·p)
                    assertEquals(expected, q[i], 1e-6f + 1e-5f * Math.abs(expected), name + "[" + i + "]");
                }
            }
            assertTrue(sgd.exportMomentumBuffers().isEmpty(), "plain SGD keeps no momentum buffers");
        }
    }

    @Test
    void eachGroupStepsWithItsOwnLrAndWeightDecay() {
        double m = 0.85;
        double[] lr = {0.01, 0.64}, wd = {5e-3, 5e-3 / 64};
        try (LayerNet model = LayerNet.customResNet(SPEC)) {
            Map<String, Tensor> state = model.state();
            List<List<String>> split = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>());
            for (String name : model.parameterNames()) {
                split.get(name.endsWith(".bn.bias") ? 1 : 0).add(name); // BN biases apart, as airbench groups them
            }
            List<NesterovSgd.ParamGroup> groups = new java.util.ArrayList<>();
            for (List<String> names : split) {
                TensorVector params = new TensorVector();
                names.forEach(n -> params.push_back(state.get(n)));
                groups.add(new NesterovSgd.ParamGroup(names, params));
            }
            try (NesterovSgd sgd = new NesterovSgd(groups, 1, m, 0)) {
                assertEquals(2, sgd.groupCount());
                for (int g = 0; g < 2; g++) {
                    sgd.setGroup(g, lr[g], wd[g]);
                }
                Map<String, Checkpoint.Tensor> before = model.exportState();
                backward(model, sgd, 4);
                Map<String, float[]> grad = grads(model);
                sgd.step();
                Map<String, Checkpoint.Tensor> after = model.exportState();
                for (int g = 0; g < 2; g++) {
                    for (String name : split.get(g)) {
                        float[] p = before.get(name).data(), q = after.get(name).data();
                        for (int i = 0; i < p.length; i++) {
                            // first Nesterov step: buf = g + wd·p; p ← p − lr·(1 + m)·buf
                            float expected = (float) (p[i] - lr[g] * (1 + m) * (grad.get(name)[i] + wd[g] * p[i]));
                            assertEquals(expected, q[i], 1e-6f + 1e-5f * Math.abs(expected), name + "[" + i + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void momentumBuffersSurviveExportAndImport() {
        try (LayerNet a = LayerNet.customResNet(SPEC); LayerNet b = LayerNet.customResNet(SPEC);
                NesterovSgd sgdA = optimizer(a, 0.05, 0.9, 5e-4); NesterovSgd sgdB = optimizer(b, 0.05, 0.9, 5e-4)) {
            assertTrue(sgdA.exportMomentumBuffers().isEmpty(), "no buffers before the first step");
            for (int s = 0; s < 2; s++) {
                backward(a, sgdA, 10 + s);
                sgdA.step();
            }
            Map<String, Checkpoint.Tensor> saved = new LinkedHashMap<>(a.exportState());
            saved.putAll(sgdA.exportMomentumBuffers());
            assertEquals(2 * a.parameterNames().size(), saved.size() - (a.state().size() - a.parameterNames().size()));
            Checkpoint ck = new Checkpoint(Checkpoint.newMeta(), saved);
            b.importState(ck);
            sgdB.importMomentumBuffers(ck);
            for (String name : b.parameterNames()) {
                assertArrayEquals(saved.get(name).data(), b.exportState().get(name).data(), 0f, "priming step left " + name + " unchanged");
            }
            // the same third step on both gives the same weights only if the buffers were restored exactly
            backward(a, sgdA, 20);
            sgdA.step();
            backward(b, sgdB, 20);
            sgdB.step();
            Map<String, Checkpoint.Tensor> wa = a.exportState();
            Map<String, Checkpoint.Tensor> wb = b.exportState();
            for (String name : a.parameterNames()) {
                assertArrayEquals(wa.get(name).data(), wb.get(name).data(), 0f, name);
            }
        }
    }

    /**
     * A checkpoint's optimizer state used to pass through a temp file in /tmp, which a SIGKILL left
     * behind. Watched in a JVM of its own with a temp folder of its own: other processes use /tmp too.
     */
    @Test
    void exportingTheStateWritesNoTempFile(@TempDir Path tmp) throws Exception {
        Path childTmp = Files.createDirectories(tmp.resolve("java.io.tmpdir"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + childTmp));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NesterovSgdTest.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(300, TimeUnit.SECONDS), "the exporting JVM did not finish");
        String log = Files.readString(tmp.resolve("child.log"));
        assertEquals(0, child.exitValue(), log);
        int parameters;
        try (LayerNet model = LayerNet.customResNet(SPEC)) {
            parameters = model.parameterNames().size();
        }
        assertTrue(log.contains("exported " + parameters + " buffers; created in java.io.tmpdir: []"), log);
    }

    /** The exporting side of {@link #exportingTheStateWritesNoTempFile}: one step, then three exports while its temp folder is watched. */
    public static void main(String[] args) throws Exception {
        natives();
        Path tmpDir = Path.of(System.getProperty("java.io.tmpdir"));
        try (LayerNet a = LayerNet.customResNet(SPEC); NesterovSgd sgd = optimizer(a, 0.05, 0.9, 5e-4);
                WatchService watch = FileSystems.getDefault().newWatchService()) {
            backward(a, sgd, 10);
            sgd.step();
            tmpDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            int exported = 0;
            for (int i = 0; i < 3; i++) {
                exported = sgd.exportMomentumBuffers().size();
            }
            List<String> created = new ArrayList<>();
            WatchKey key;
            while ((key = watch.poll(1, TimeUnit.SECONDS)) != null) {
                for (WatchEvent<?> e : key.pollEvents()) {
                    created.add(String.valueOf(e.context()));
                }
                key.reset();
            }
            System.out.println("exported " + exported + " buffers; created in java.io.tmpdir: " + created);
        }
    }
}
