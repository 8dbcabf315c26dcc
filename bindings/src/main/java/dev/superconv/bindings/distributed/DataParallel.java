package dev.superconv.bindings.distributed;

import dev.superconv.bindings.LayerNet;
import dev.superconv.core.distributed.DistributedConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * What the trainer needs from data parallelism, in the order it needs it: {@link #join} once the
 * model exists (and, on {@code --resume}, after its state was restored) makes every rank start
 * from rank 0's weights and BN statistics; {@link #averageGradients()} goes between
 * {@code backward()} and the optimizer step; {@link #sum} adds up per-rank metrics; only the
 * {@link #primary()} rank writes files.
 *
 * <p>BatchNorm normalises with each rank's own batch statistics, as in PyTorch DDP (no
 * SyncBatchNorm). The running statistics drift apart between ranks unless synchronised:
 * {@link #broadcastBatchNormStatistics()} copies rank 0's (DDP's {@code broadcast_buffers}),
 * {@link #averageBatchNormStatistics()} takes the mean over the ranks. Either one before each
 * evaluation and checkpoint makes every rank hold the same model.
 */
public final class DataParallel implements AutoCloseable {
    private final DistributedContext context;
    private final GradientAllReducer reducer;
    private final List<String> batchNormNames;
    private final List<Tensor> batchNormStatistics;

    private DataParallel(DistributedContext context, GradientAllReducer reducer, List<String> batchNormNames, List<Tensor> batchNormStatistics) {
        this.context = context;
        this.reducer = reducer;
        this.batchNormNames = batchNormNames;
        this.batchNormStatistics = batchNormStatistics;
    }

    /** Joins the job described by {@code config} (blocks until every rank has) and broadcasts rank 0's model state. */
    public static DataParallel join(DistributedConfig config, LayerNet model) {
        DistributedContext context = DistributedContext.open(config);
        try {
            Map<String, Tensor> state = model.state();
            List<Tensor> params = new ArrayList<>();
            for (String name : model.parameterNames()) {
                params.add(state.get(name));
            }
            List<String> names = new ArrayList<>();
            List<Tensor> statistics = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                if (e.getKey().endsWith(".running_mean") || e.getKey().endsWith(".running_var")) {
                    names.add(e.getKey());
                    statistics.add(Owned.retain(e.getValue()));
                }
            }
            context.broadcast(new ArrayList<>(state.values()), 0);
            return new DataParallel(context, new GradientAllReducer(context, params), List.copyOf(names), List.copyOf(statistics));
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    public int rank() {
        return context.rank();
    }

    public int worldSize() {
        return context.worldSize();
    }

    /** Rank 0: writes checkpoints, metrics, plots, config.json and shows the progress bar. */
    public boolean primary() {
        return context.primary();
    }

    public DistributedContext context() {
        return context;
    }

    /** After {@code loss.backward()}, before {@code optimizer.step()}: every rank, every step. */
    public void averageGradients() {
        reducer.averageGradients();
    }

    /** Wall time of the last gradient average, for logging. */
    public long lastAllReduceNanos() {
        return reducer.lastNanos();
    }

    /** Replaces every BN running mean and variance by its mean over the ranks (every rank calls it). */
    public void averageBatchNormStatistics() {
        try (PointerScope scope = new PointerScope()) {
            context.average(batchNormStatistics);
        }
    }

    /**
     * Replaces every BN running mean and variance by rank 0's: what DDP does before each forward
     * with its default {@code broadcast_buffers=True}.
     */
    public void broadcastBatchNormStatistics() {
        try (PointerScope scope = new PointerScope()) {
            context.broadcast(batchNormStatistics, 0);
        }
    }

    /**
     * Rank {@code root}'s BN running statistics by state name, as copies on every rank (every rank
     * calls it; its own statistics stay as they are). Call inside a PointerScope.
     */
    public Map<String, Tensor> batchNormStatisticsOf(int root) {
        List<Tensor> copies = new ArrayList<>();
        for (Tensor t : batchNormStatistics) {
            copies.add(t.clone());
        }
        context.broadcast(copies, root);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < copies.size(); i++) {
            out.put(batchNormNames.get(i), copies.get(i));
        }
        return out;
    }

    /** Element-wise sums over the ranks (e.g. loss sum, correct count, image count of an epoch). */
    public double[] sum(double... values) {
        return context.sum(values);
    }

    /** Waits for every rank, e.g. before the primary's last write so no rank exits while others still need it. */
    public void barrier() {
        context.barrier();
    }

    /**
     * End of a distributed run: every rank must hold bit-identical weights and BN statistics (the
     * averaged gradients and statistics guarantee it unless a rank went astray). Compares each
     * rank's CRC32 of {@code state} with rank 0's; doubles carry 32-bit values exactly. Doubles as the
     * barrier that keeps every rank in the group until rank 0 has written its files.
     */
    public void checkRanksAgree(DistributedConfig dist, java.util.Collection<dev.superconv.core.checkpoint.Checkpoint.Tensor> state,
            java.util.function.Consumer<String> log) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (dev.superconv.core.checkpoint.Checkpoint.Tensor t : state) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * t.data().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(t.data());
            crc.update(bytes);
        }
        double mine = crc.getValue();
        double primary = sum(dist.primary() ? mine : 0)[0];
        double disagreeing = sum(mine == primary ? 0 : 1)[0];
        if (disagreeing > 0) {
            throw new IllegalStateException((int) disagreeing + " of " + dist.worldSize() + " ranks ended with other weights than rank 0");
        }
        log.accept(String.format(java.util.Locale.ROOT, "all %d ranks hold the same weights (CRC32 %08x)", dist.worldSize(), (long) mine));
    }

    @Override
    public void close() {
        reducer.close();
        for (Tensor t : batchNormStatistics) {
            t.close();
        }
        context.close();
    }
}
