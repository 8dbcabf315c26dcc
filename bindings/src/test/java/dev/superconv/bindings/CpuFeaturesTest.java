package dev.superconv.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuFeaturesTest {
    @Test
    void readsModelFlagsAndCpuMhzOfTheFirstProcessor() {
        CpuFeatures c = CpuFeatures.parse("""
                processor\t: 0
                model name\t: AMD EPYC
                cpu MHz\t\t: 2596.122
                flags\t\t: fpu avx2 avx512f avx512_bf16

                processor\t: 1
                model name\t: Other
                flags\t\t: fpu
                """);
        assertEquals("AMD EPYC", c.model());
        assertEquals(2.596122, c.clockGHz(), 1e-9);
        assertEquals("cpu MHz", c.clockSource());
        assertTrue(c.has("avx512_bf16"));
        assertTrue(c.nativeBf16());
        assertFalse(c.amxBf16());
    }

    @Test
    void prefersTheNominalClockOfTheModelName() {
        CpuFeatures c = CpuFeatures.parse("model name\t: Intel(R) Xeon(R) Platinum 8480+ @ 2.00GHz\ncpu MHz\t: 3800.000\nflags\t: avx512f amx_bf16\n");
        assertEquals(2.0, c.clockGHz(), 1e-12);
        assertEquals("model name", c.clockSource());
        assertTrue(c.amxBf16());
    }

    @Test
    void unknownClockIsZero() {
        CpuFeatures c = CpuFeatures.parse("model name\t: Intel(R) Xeon(R) Processor\nflags\t: avx512f\n");
        assertEquals(0, c.clockGHz());
        assertEquals("unknown", c.clockSource());
        assertFalse(c.nativeBf16());
    }
}
