package dev.superconv.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LrSuggestionsTest {
    private static final double[] LRS8 = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void valleyFollowsFastaiOnAHandComputedCurve() {
        // Longest decreasing run: indices 0..5 (lds[5] = 6). fastai sets max_start = max_end − lds = 5 − 6 = −1,
        // sections = (5 − (−1)) / 3 = 2, idx = −1 + int(2) + int(1) = 2.
        LrSuggestion v = LrSuggestions.valley(LRS8, new double[] {5, 4, 3, 2, 1, 0, 1, 2});
        assertEquals("valley", v.name());
        assertEquals(3.0, v.lr(), 0);
        assertEquals(3.0, v.atLoss(), 0);
    }

    @Test
    void valleyPicksTheLongestRunNotTheDeepestDrop() {
        // Run A: indices 0..2 falls 10 → 1 (length 3). Then a bump; run B: 3..9 falls 9.0 → 8.4 (length 7 via
        // 9.0, 8.9, ..., 8.4), which also continues from index 0 (10 > 9.0): lds[9] = 8 with 10 first.
        double[] losses = {10, 5, 1, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5, 8.4};
        double[] lrs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        // lds: [1,2,3,2,3,4,5,6,7,8] → max_end = 9, max_start = 9 − 8 = 1, sections = 8/3 = 2.67,
        // idx = 1 + 2 + int(1.33) = 4 → lr 5.
        assertEquals(5.0, LrSuggestions.valley(lrs, losses).lr(), 0);
    }

    @Test
    void valleyOnARisingCurveFallsBackToTheFirstPoint() {
        assertEquals(1.0, LrSuggestions.valley(new double[] {1, 2, 3}, new double[] {1, 2, 3}).lr(), 0);
    }

    @Test
    void steepIsTheLeftEndOfTheSteepestSegmentInLogLr() {
        double[] lrs = {1e-4, 1e-3, 1e-2, 1e-1, 1};
        // Slopes per decade: −0.1, −0.9, −0.2, +2.2.
        LrSuggestion s = LrSuggestions.steep(lrs, new double[] {2.0, 1.9, 1.0, 0.8, 3.0});
        assertEquals(1e-3, s.lr(), 0);
        assertEquals(1.9, s.atLoss(), 0);
    }

    @Test
    void steepUsesLogSpacingNotIndexSpacing() {
        // Per step the drop is larger at index 2→3 (−0.5 vs −0.4), but that step spans 10× more in log LR.
        double[] lrs = {1e-3, 2e-3, 4e-3, 4e-2};
        double[] losses = {3.0, 2.9, 2.5, 2.0};
        // slopes: −0.1/ln2 = −0.144, −0.4/ln2 = −0.577, −0.5/ln10 = −0.217.
        assertEquals(2e-3, LrSuggestions.steep(lrs, losses).lr(), 0);
    }

    @Test
    void minimumIsATenthOfTheLrAtTheLowestLoss() {
        LrSuggestion m = LrSuggestions.minimum(new double[] {0.01, 0.1, 1, 10}, new double[] {2, 1, 0.5, 4});
        assertEquals(0.1, m.lr(), 1e-15);
        assertEquals(1.0, m.atLr(), 0);
        assertEquals(0.5, m.atLoss(), 0);
    }

    @Test
    void suggestionsIgnoreTheWarmUpTenthAndTheLastFivePoints() {
        int n = 20;
        double[] lrs = new double[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = Math.pow(10, -5 + i * 0.25);
            loss[i] = 2.0 - 0.05 * i;
        }
        loss[1] = 0.1; // inside the first n/10 = 2 points: ignored
        loss[17] = 0.0; // inside the last 5: ignored
        List<LrSuggestion> s = LrSuggestions.of(lrs, loss, n);
        assertEquals(List.of("valley", "steep", "minimum"), s.stream().map(LrSuggestion::name).toList());
        // Kept: indices 2..14, loss falling linearly; its minimum is at index 14.
        assertEquals(lrs[14] / 10, s.get(2).lr(), 1e-15);
    }

    @Test
    void tooFewPointsGiveNoSuggestion() {
        double[] lrs = {1e-3, 1e-2, 1e-1, 1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
        double[] loss = {5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        // 100 requested: the first 10 and the last 5 go, leaving nothing.
        assertEquals(List.of(), LrSuggestions.of(lrs, loss, 100));
        // 20 requested: indices 2..8 remain (7 points), enough.
        assertEquals(3, LrSuggestions.of(lrs, loss, 20).size());
    }
}
