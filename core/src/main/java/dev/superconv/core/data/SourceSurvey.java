package dev.superconv.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the source files of an ImageFolder tree look like before resizing: how many fall in each
 * band of shorter-side length (read from the headers, nothing decoded), how many no reader
 * recognises, and how fast a sample decodes and resizes on this machine (one thread).
 *
 * @param shorterSide   files per band of shorter-side length ("< 32", "32–63", … "≥ 1024"), bands in order
 * @param unreadable    files whose header no reader recognises
 * @param sampled       files decoded for the rate
 * @param imagesPerSecond decode + resize rate over the sample, one thread
 */
public record SourceSurvey(Map<String, Integer> shorterSide, int unreadable, int sampled, double imagesPerSecond) {
    private static final int[] BANDS = {32, 64, 128, 256, 512, 1024};

    public SourceSurvey {
        shorterSide = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shorterSide));
    }

    /** Headers of every file in {@code files}; a spread sample of {@code sample} of them decoded through {@code policy}. */
    public static SourceSurvey of(List<Path> files, ResizePolicy policy, int sample) {
        Map<String, Integer> bands = new LinkedHashMap<>();
        for (int i = 0; i <= BANDS.length; i++) {
            bands.put(band(i), 0);
        }
        int unreadable = 0;
        for (Path f : files) {
            int[] wh = ImageFolderDecoder.headerSize(f);
            if (wh.length == 0) {
                unreadable++;
                continue;
            }
            bands.merge(band(bandOf(Math.min(wh[0], wh[1]))), 1, Integer::sum);
        }
        List<Path> picked = new ArrayList<>();
        int n = Math.min(sample, files.size());
        for (int k = 0; k < n; k++) {
            picked.add(files.get((int) ((long) k * files.size() / n))); // spread over the classes, which are in order
        }
        byte[] out = new byte[policy.imageBytes()];
        long t0 = System.nanoTime();
        int decoded = 0;
        for (Path f : picked) {
            try {
                policy.apply(ImageDecoder.decode(f), out, 0);
                decoded++;
            } catch (ImageDecoder.UndecodableImageException e) {
                // counted by the header pass or reported by the loader; the rate is over the files that decode
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new SourceSurvey(bands, unreadable, decoded, decoded == 0 ? 0 : decoded / seconds);
    }

    private static int bandOf(int side) {
        for (int i = 0; i < BANDS.length; i++) {
            if (side < BANDS[i]) {
                return i;
            }
        }
        return BANDS.length;
    }

    private static String band(int i) {
        if (i == 0) {
            return "< " + BANDS[0];
        }
        return i == BANDS.length ? "≥ " + BANDS[i - 1] : BANDS[i - 1] + "–" + (BANDS[i] - 1);
    }
}
