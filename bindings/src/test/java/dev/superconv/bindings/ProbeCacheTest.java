package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe cache with an injected measurement: measured once per key, read back after. */
class ProbeCacheTest {
    @TempDir Path dir;
    private final AtomicInteger measured = new AtomicInteger();

    private ProbeCache.Speeds measure() {
        measured.incrementAndGet();
        return new ProbeCache.Speeds(106, 70, 0.4);
    }

    @Test
    void measuresOncePerKeyThenReadsTheCache() {
        ProbeCache cache = new ProbeCache(dir.resolve("sub/precision-probe.json"));
        ProbeResult first = cache.lookupOrMeasure("cpu A | width 1", "width 1", this::measure);
        assertEquals(1, measured.get());
        assertEquals(106, first.fp32ImagesPerSecond());
        assertEquals(70, first.bf16ImagesPerSecond());
        assertTrue(first.provenance().startsWith("measured now, cached in "), first.provenance());

        ProbeResult again = new ProbeCache(dir.resolve("sub/precision-probe.json")).lookupOrMeasure("cpu A | width 1", "width 1", this::measure);
        assertEquals(1, measured.get(), "second lookup comes from the file");
        assertEquals(106, again.fp32ImagesPerSecond());
        assertTrue(again.provenance().startsWith("cached 20"), again.provenance());

        cache.lookupOrMeasure("cpu A | width 0.5", "width 0.5", this::measure);
        assertEquals(2, measured.get(), "another shape is another key");
    }

    @Test
    void aMeasurementOnABusyMachineIsUsedButNotCached() {
        ProbeCache cache = new ProbeCache(dir.resolve("precision-probe.json"));
        java.util.function.Supplier<ProbeCache.Speeds> busy = () -> {
            measured.incrementAndGet();
            return new ProbeCache.Speeds(15, 16, 7.8);
        };
        ProbeResult r = cache.lookupOrMeasure("k", "s", busy);
        assertEquals(16, r.bf16ImagesPerSecond());
        assertEquals("measured now on a busy machine (load 7.8 per CPU), not cached", r.provenance());
        cache.lookupOrMeasure("k", "s", busy);
        assertEquals(2, measured.get(), "measured again: nothing was cached");
        assertTrue(!Files.exists(dir.resolve("precision-probe.json")));
    }

    @Test
    void aTornFileIsMeasuredAgainAndReplaced() throws Exception {
        Path file = dir.resolve("precision-probe.json");
        Files.writeString(file, "{\"cpu A\": {\"fp32_img_s\": 1");
        ProbeResult r = new ProbeCache(file).lookupOrMeasure("cpu A", "s", this::measure);
        assertEquals(1, measured.get());
        assertEquals(70, r.bf16ImagesPerSecond());
        assertTrue(Files.readString(file).contains("\"bf16_img_s\" : 70.0"), Files.readString(file));
    }

    @Test
    void theKeyNamesFlagsNotJustTheModelName() {
        CpuFeatures a = new CpuFeatures("AMD EPYC", Set.of("avx512f", "avx512_bf16"), 2.6, "cpu MHz");
        CpuFeatures b = new CpuFeatures("AMD EPYC", Set.of("avx512f"), 2.6, "cpu MHz");
        assertEquals(8, PrecisionProbe.flagsDigest(a).length());
        assertTrue(!PrecisionProbe.flagsDigest(a).equals(PrecisionProbe.flagsDigest(b)));
        assertEquals(PrecisionProbe.flagsDigest(a), PrecisionProbe.flagsDigest(new CpuFeatures("x", Set.of("avx512_bf16", "avx512f"), 0, "unknown")));
    }
}
