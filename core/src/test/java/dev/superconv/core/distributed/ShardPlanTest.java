package dev.superconv.core.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.superconv.core.augment.EpochOrder;
import dev.superconv.core.distributed.ShardPlan.Tail;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShardPlanTest {

    private static int[] ordered(int size, int world, int rank, Tail tail) {
        return new ShardPlan(size, world, rank, 7, false, tail).indices(0);
    }

    @Test
    void dropTailGivesStridedEqualShards() {
        assertArrayEquals(new int[] {0, 3, 6}, ordered(10, 3, 0, Tail.DROP));
        assertArrayEquals(new int[] {1, 4, 7}, ordered(10, 3, 1, Tail.DROP));
        assertArrayEquals(new int[] {2, 5, 8}, ordered(10, 3, 2, Tail.DROP));
    }

    @Test
    void padTailWrapsToTheStart() {
        assertArrayEquals(new int[] {0, 3, 6, 9}, ordered(10, 3, 0, Tail.PAD));
        assertArrayEquals(new int[] {1, 4, 7, 0}, ordered(10, 3, 1, Tail.PAD));
        assertArrayEquals(new int[] {2, 5, 8, 1}, ordered(10, 3, 2, Tail.PAD));
        // Fewer samples than ranks: padding wraps more than once.
        assertArrayEquals(new int[] {0}, ordered(2, 5, 0, Tail.PAD));
        assertArrayEquals(new int[] {1}, ordered(2, 5, 3, Tail.PAD));
        assertArrayEquals(new int[] {0}, ordered(2, 5, 4, Tail.PAD));
    }

    @Test
    void unevenTailKeepsEverySampleOnce() {
        assertArrayEquals(new int[] {0, 3, 6, 9}, ordered(10, 3, 0, Tail.UNEVEN));
        assertArrayEquals(new int[] {1, 4, 7}, ordered(10, 3, 1, Tail.UNEVEN));
        assertArrayEquals(new int[] {2, 5, 8}, ordered(10, 3, 2, Tail.UNEVEN));
    }

    @Test
    void shuffledShardsAreTheStridedSlicesOfOneGlobalPermutation() {
        int size = 23;
        int world = 4;
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] perm = ShardPlan.permutation(size, 42, epoch);
            int[] sorted = perm.clone();
            Arrays.sort(sorted);
            assertArrayEquals(ordered(size, 1, 0, Tail.DROP), sorted, "a permutation of 0..size-1");
            for (int rank = 0; rank < world; rank++) {
                int[] mine = ShardPlan.training(size, world, rank, 42).indices(epoch);
                assertEquals(5, mine.length);
                for (int i = 0; i < mine.length; i++) {
                    assertEquals(perm[i * world + rank], mine[i]);
                }
            }
        }
    }

    @Test
    void sameSeedSameOrderOtherEpochOrSeedOtherOrder() {
        assertArrayEquals(ShardPlan.permutation(100, 5, 3), ShardPlan.permutation(100, 5, 3));
        assertFalse(Arrays.equals(ShardPlan.permutation(100, 5, 3), ShardPlan.permutation(100, 5, 4)));
        assertFalse(Arrays.equals(ShardPlan.permutation(100, 5, 3), ShardPlan.permutation(100, 6, 3)));
    }

    @Test
    void oneRankSeesTheOrderOfANonDistributedRun() {
        assertArrayEquals(EpochOrder.permutation(9, 2, 17), ShardPlan.training(17, 1, 0, 9).indices(2));
    }

    @Test
    void stepKOfAllRanksIsStepKOfOneProcessWithTheGlobalBatch() {
        int size = 37;
        int world = 2;
        int perRank = 3;
        long seed = 11;
        int[] single = ShardPlan.training(size, 1, 0, seed).indices(1);
        int[][] shards = new int[world][];
        for (int r = 0; r < world; r++) {
            shards[r] = ShardPlan.training(size, world, r, seed).indices(1);
        }
        int steps = ShardPlan.training(size, world, 0, seed).batchesPerEpoch(perRank, true);
        assertEquals(6, steps);
        for (int k = 0; k < steps; k++) {
            int[] union = new int[world * perRank];
            int n = 0;
            for (int r = 0; r < world; r++) {
                for (int j = 0; j < perRank; j++) {
                    union[n++] = shards[r][k * perRank + j];
                }
            }
            int[] globalBatch = Arrays.copyOfRange(single, k * world * perRank, (k + 1) * world * perRank);
            Arrays.sort(union);
            Arrays.sort(globalBatch);
            assertArrayEquals(globalBatch, union, "step " + k);
        }
    }

    @Test
    void everyRankRunsTheSameNumberOfStepsUnlessUneven() {
        for (int size = 0; size <= 20; size++) {
            for (int world = 1; world <= 5; world++) {
                for (Tail tail : new Tail[] {Tail.DROP, Tail.PAD}) {
                    int expected = new ShardPlan(size, world, 0, 1, true, tail).batchesPerEpoch(3, false);
                    for (int rank = 1; rank < world; rank++) {
                        assertEquals(expected, new ShardPlan(size, world, rank, 1, true, tail).batchesPerEpoch(3, false));
                    }
                }
                int total = 0;
                for (int rank = 0; rank < world; rank++) {
                    total += new ShardPlan(size, world, rank, 1, true, Tail.UNEVEN).samplesPerRank();
                }
                assertEquals(size, total);
            }
        }
        // 10 samples, 3 ranks, drop tail: 3 samples per rank.
        assertEquals(1, ShardPlan.training(10, 3, 0, 1).batchesPerEpoch(2, true));
        assertEquals(2, ShardPlan.training(10, 3, 0, 1).batchesPerEpoch(2, false));
        assertEquals(1, ShardPlan.training(10, 3, 0, 1).batchesPerEpoch(3, false));
    }

    @Test
    void rejectsRankOutsideTheWorld() {
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.training(10, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.training(10, 2, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.training(10, 0, 0, 0));
    }
}
