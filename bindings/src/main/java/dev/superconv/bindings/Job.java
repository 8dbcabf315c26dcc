package dev.superconv.bindings;

import dev.superconv.bindings.distributed.DataParallel;
import dev.superconv.core.distributed.DistributedConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;

/**
 * The processes one training run is made of: a process alone, or the ranks of a data-parallel job.
 * The trainer calls the same methods either way; alone they are identities and no-ops.
 */
interface Job extends TrainStep.Ranks, AutoCloseable {
    /** Every rank's BN running statistics replaced by their mean, so all ranks hold one model. */
    void averageBatchNormStatistics();

    /** Rank {@code rank}'s own BN running statistics (by name), as every rank receives them. */
    Map<String, Tensor> batchNormStatisticsOf(int rank);

    /** {@code tensors} (the same list on every rank) replaced by their mean over the ranks. */
    void average(List<Tensor> tensors);

    /** At the end of a run: every rank holds rank 0's weights, else an exception. */
    void checkRanksAgree(DistributedConfig dist, LayerNet model, Consumer<String> log);

    @Override
    void close();

    /** A process alone. */
    Job ALONE = new Job() {
        @Override
        public double[] sum(double... values) {
            return values;
        }

        @Override
        public void averageGradients() {
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public void averageBatchNormStatistics() {
        }

        @Override
        public Map<String, Tensor> batchNormStatisticsOf(int rank) {
            return Map.of();
        }

        @Override
        public void average(List<Tensor> tensors) {
        }

        @Override
        public void checkRanksAgree(DistributedConfig dist, LayerNet model, Consumer<String> log) {
        }

        @Override
        public void close() {
        }
    };

    /** The ranks of a data-parallel job, through its process group. */
    static Job of(DataParallel group) {
        return new Job() {
            @Override
            public double[] sum(double... values) {
                return group.sum(values);
            }

            @Override
            public void averageGradients() {
                group.averageGradients();
            }

            @Override
            public int worldSize() {
                return group.worldSize();
            }

            @Override
            public void averageBatchNormStatistics() {
                group.averageBatchNormStatistics();
            }

            @Override
            public Map<String, Tensor> batchNormStatisticsOf(int rank) {
                return group.batchNormStatisticsOf(rank);
            }

            @Override
            public void average(List<Tensor> tensors) {
                try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                    group.context().average(tensors);
                }
            }

            @Override
            public void checkRanksAgree(DistributedConfig dist, LayerNet model, Consumer<String> log) {
                group.checkRanksAgree(dist, model.exportState().values(), log);
            }

            @Override
            public void close() {
                group.close();
            }
        };
    }
}
