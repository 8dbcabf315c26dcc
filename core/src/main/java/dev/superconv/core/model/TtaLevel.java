package dev.superconv.core.model;

import dev.superconv.core.BadInputException;
import java.util.Locale;

/**
 * Test-time augmentation as airbench defines its levels. With n(·) the logits:
 * <pre>
 * NONE            n(x)
 * FLIP            ½·n(x) + ½·n(mirror x)
 * FLIP_TRANSLATE  ½·FLIP(x) + ½·mean(FLIP(x shifted up-left by 1), FLIP(x shifted down-right by 1))
 * </pre>
 * Shifts reflect-pad by one pixel, so FLIP_TRANSLATE costs six forward passes.
 */
public enum TtaLevel {
    NONE("none", 1), FLIP("flip", 2), FLIP_TRANSLATE("flip-translate", 6);

    private final String flag;
    private final int views;

    TtaLevel(String flag, int views) {
        this.flag = flag;
        this.views = views;
    }

    public String flag() {
        return flag;
    }

    /** Forward passes per image. */
    public int views() {
        return views;
    }

    public static TtaLevel parse(String s) {
        for (TtaLevel t : values()) {
            if (t.flag.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new BadInputException("--tta must be none, flip or flip-translate, got '" + s + "'");
    }
}
