package dev.superconv.inference.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.superconv.core.BadInputException;
import org.junit.jupiter.api.Test;

class ServeOptionsTest {
    @Test
    void sizesReadWithBinaryUnits() {
        assertEquals(8_388_608, ServeOptions.parseSize("8m"));
        assertEquals(8_388_608, ServeOptions.parseSize("8MiB"));
        assertEquals(524_288, ServeOptions.parseSize("512k"));
        assertEquals(1_073_741_824L, ServeOptions.parseSize("1G"));
        assertEquals(1000, ServeOptions.parseSize("1000"));
        for (String bad : new String[] {"", "m", "8x", "eight", "-", "99999999999999999999"}) {
            assertThrows(BadInputException.class, () -> ServeOptions.parseSize(bad), bad);
        }
    }

    @Test
    void defaultsAreSafe() {
        ServeOptions d = ServeOptions.defaults(8080);
        assertEquals("127.0.0.1", d.host());
        assertEquals(64, d.maxBatch());
        assertEquals(5, d.maxWaitMs());
        assertEquals(1024, d.queue());
        assertEquals(8L << 20, d.maxBodyBytes());
    }

    @Test
    void theTokenIsTheWholeBearerValue() {
        BearerToken t = BearerToken.of("abc-123");
        assertTrue(t.required());
        assertTrue(t.allows("Bearer abc-123"));
        assertTrue(t.allows("bearer abc-123"));
        for (String bad : new String[] {"Bearer abc-12", "Bearer abc-1234", "Bearer ", "abc-123", "Basic abc-123", ""}) {
            assertFalse(t.allows(bad), bad);
        }
        assertFalse(t.allows(null));
        assertTrue(BearerToken.open().allows(null));
        assertThrows(BadInputException.class, () -> BearerToken.of("has space"));
        assertThrows(BadInputException.class, () -> BearerToken.of(" "));
    }
}
