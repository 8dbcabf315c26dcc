package dev.superconv.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.superconv.core.augment.HorizontalFlip;
import dev.superconv.core.augment.PadCrop;
import dev.superconv.core.augment.PadMode;
import dev.superconv.core.model.Tta;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The TTA views the evaluator renders, against augment's reference pad-crop and mirror. */
class PreprocessorViewTest {
    @Test
    void everyViewIsTheReflectPaddedCropThenTheMirror() {
        for (int size : new int[] {3, 5, 32}) {
            int imageBytes = size * size * 3;
            int count = 3;
            byte[] images = new byte[count * imageBytes];
            new Random(size).nextBytes(images);
            for (Tta level : Tta.values()) {
                for (Tta.View view : level.viewList()) {
                    byte[] got = new byte[count * imageBytes];
                    Preprocessor.render(images, 0, count, size, view, got);
                    for (int i = 0; i < count; i++) {
                        byte[] one = Arrays.copyOfRange(images, i * imageBytes, (i + 1) * imageBytes);
                        // shift s samples (y + s, x + s): the crop at (1 + s, 1 + s) of the image reflect-padded by 1
                        byte[] want = PadCrop.apply(one, size, size, 1, PadMode.REFLECT, 1 + view.shift(), 1 + view.shift());
                        if (view.mirror()) {
                            want = HorizontalFlip.apply(want, size, size);
                        }
                        assertArrayEquals(want, Arrays.copyOfRange(got, i * imageBytes, (i + 1) * imageBytes), level + " " + view + " size " + size + " image " + i);
                    }
                }
            }
        }
    }

    @Test
    void theShiftedViewsMoveTheContentByOnePixel() {
        int size = 4;
        byte[] image = new byte[size * size * 3];
        for (int p = 0; p < size * size; p++) {
            image[3 * p] = (byte) p; // red = y·4 + x
        }
        byte[] upLeft = new byte[image.length];
        Preprocessor.render(image, 0, 1, size, new Tta.View(-1, false, 1), upLeft);
        byte[] downRight = new byte[image.length];
        Preprocessor.render(image, 0, 1, size, new Tta.View(1, true, 1), downRight);
        // up-left crop: (1, 1) shows source (0, 0); (0, 0) reflects to source (1, 1)
        assertEquals(0, upLeft[3 * (size + 1)]);
        assertEquals(5, upLeft[0]);
        // down-right, mirrored: output (0, 0) is shifted (0, 3) = source (1, 4 → reflected 2)
        assertEquals(6, downRight[0]);
        assertEquals(1.0, Tta.FLIP_TRANSLATE.viewList().stream().mapToDouble(Tta.View::weight).sum(), 0);
        assertEquals(6, Tta.FLIP_TRANSLATE.views());
    }
}
