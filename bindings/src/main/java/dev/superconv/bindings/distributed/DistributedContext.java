package dev.superconv.bindings.distributed;

import dev.superconv.bindings.Natives;
import dev.superconv.core.BadInputException;
import dev.superconv.core.distributed.DistributedConfig;
import dev.superconv.core.distributed.Rendezvous;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.FileStore;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.gloo.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * This process's membership in a data-parallel job: a libtorch c10d process group (Gloo over TCP
 * on CPU) that the ranks built through a TCP store rank 0 hosts at the master address (or a
 * FileStore on a shared file system).
 * Every collective is blocking and bounded by the configured timeout, so a dead or hung peer turns
 * into a {@link DistributedException} on the survivors instead of a hang; bad rendezvous settings
 * (nobody listening at the master, a port in use, a rank that never joins) turn into a one-line
 * {@link BadInputException} within the same timeout.
 *
 * <p>Collectives must be issued by every rank in the same order with tensors of the same shapes.
 */
public final class DistributedContext implements AutoCloseable {
    /** Bucket cap for the list collectives; DDP's default bucket size. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final DistributedConfig config;
    private final Store store;
    private final org.bytedeco.pytorch.Backend group;
    private final Milliseconds timeout;
    private final AllreduceOptions sumOptions;
    private boolean broken;
    private boolean closed;

    private DistributedContext(DistributedConfig config, Store store, org.bytedeco.pytorch.Backend group, Milliseconds timeout) {
        this.config = config;
        this.store = Owned.retain(store);
        this.group = Owned.retain(group);
        this.timeout = Owned.retain(timeout);
        this.sumOptions = Owned.retain(new AllreduceOptions());
        sumOptions.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
        sumOptions.timeout(timeout);
    }

    /**
     * Joins the job: rank 0 starts the TCP store at the master port, every rank connects to it,
     * the process group exchanges addresses and connects all pairs. Returns when every rank has
     * joined; throws {@link BadInputException} when that does not happen within the timeout.
     */
    public static DistributedContext open(DistributedConfig config) {
        Natives.load();
        Milliseconds timeout = new Milliseconds(config.timeout().toMillis());
        Store store = switch (config.rendezvous()) {
            case Rendezvous.Tcp tcp -> tcpStore(config, tcp, timeout);
            case Rendezvous.SharedFile file -> fileStore(config, file, timeout);
        };
        try {
            org.bytedeco.pytorch.Backend group = switch (config.backend()) {
                case GLOO -> gloo(config, store, timeout);
                case NCCL -> NcclGroup.create(config, store, timeout);
            };
            return new DistributedContext(config, store, group, timeout);
        } catch (BadInputException e) {
            store.close();
            throw e;
        } catch (RuntimeException e) {
            store.close();
            throw new BadInputException("rendezvous at " + config.rendezvous().describe() + ": not all " + config.worldSize()
                    + " ranks joined within " + seconds(config) + " (is --world-size right and every rank started?): "
                    + DistributedException.reason(e), e);
        }
    }

    private static Store tcpStore(DistributedConfig config, Rendezvous.Tcp tcp, Milliseconds timeout) {
        try {
            TCPStoreOptions options = new TCPStoreOptions();
            options.port((short) tcp.port())
                    .isServer(config.primary())
                    .waitWorkers(false)
                    .timeout(timeout)
                    .useLibUV(false);
            return new TCPStore(tcp.host(), options);
        } catch (RuntimeException e) {
            String where = tcp.describe();
            String hint = config.primary()
                    ? "rank 0 cannot host the rendezvous at " + where + " (is the port in use or the address not local?)"
                    : "rank " + config.rank() + " cannot reach the rendezvous at " + where + " within " + seconds(config)
                    + " (is rank 0 running, the address right and the port open?)";
            throw new BadInputException(hint + ": " + DistributedException.reason(e), e);
        }
    }

    private static Store fileStore(DistributedConfig config, Rendezvous.SharedFile file, Milliseconds timeout) {
        try {
            FileStore store = new FileStore(file.path().toString(), config.worldSize());
            store.setTimeout(timeout);
            return store;
        } catch (RuntimeException e) {
            throw new BadInputException("rank " + config.rank() + " cannot use the rendezvous file " + file.path() + ": "
                    + DistributedException.reason(e), e);
        }
    }

    private static org.bytedeco.pytorch.Backend gloo(DistributedConfig config, Store store, Milliseconds timeout) {
        ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(timeout);
        options.devices(new GlooDeviceVector(glooDevice(config.rendezvous())));
        return new ProcessGroupGloo(store, config.rank(), config.worldSize(), options);
    }

    /**
     * The network interface Gloo binds: the one named by {@code GLOO_SOCKET_IFNAME} as in
     * PyTorch; else loopback when the master is local (a one-machine job); else the address this
     * machine's host name resolves to.
     */
    private static Device glooDevice(Rendezvous rendezvous) {
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        if (ifname != null && !ifname.isBlank()) {
            return ProcessGroupGloo.createDeviceForInterface(ifname.trim());
        }
        if (rendezvous instanceof Rendezvous.Tcp tcp) {
            try {
                if (InetAddress.getByName(tcp.host()).isLoopbackAddress()) {
                    return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
                }
            } catch (UnknownHostException e) {
                throw new BadInputException("master address " + tcp.host() + ": unknown host", e);
            }
        }
        return ProcessGroupGloo.createDefaultDevice();
    }

    private static String seconds(DistributedConfig config) {
        return config.timeout().toMillis() / 1000.0 + " s";
    }

    public DistributedConfig config() {
        return config;
    }

    public int rank() {
        return config.rank();
    }

    public int worldSize() {
        return config.worldSize();
    }

    /** Rank 0: the only rank that writes files and prints progress. */
    public boolean primary() {
        return config.primary();
    }

    /** Sums {@code tensor} over all ranks, in place, on every rank. */
    public void allReduceSum(Tensor tensor) {
        await(startAllReduceSum(tensor), "all-reduce");
    }

    /** Starts an in-place sum over all ranks; finish it with {@link #await}. Keep {@code tensor} alive until then. */
    Work startAllReduceSum(Tensor tensor) {
        checkOpen();
        try (TensorVector tensors = new TensorVector(tensor)) {
            return group.allreduce(tensors, sumOptions);
        } catch (RuntimeException e) {
            throw failure("all-reduce", e);
        }
    }

    /** Waits for a started collective, at most the timeout. */
    void await(Work work, String what) {
        try {
            work._wait(timeout);
        } catch (RuntimeException e) {
            throw failure(what, e);
        } finally {
            work.close();
        }
    }

    /** Replaces {@code tensor} on every rank by its value on {@code root}. */
    public void broadcast(Tensor tensor, int root) {
        checkOpen();
        Work work;
        try (TensorVector tensors = new TensorVector(tensor); BroadcastOptions options = new BroadcastOptions()) {
            options.rootRank(root).timeout(timeout);
            work = group.broadcast(tensors, options);
        } catch (RuntimeException e) {
            throw failure("broadcast", e);
        }
        await(work, "broadcast");
    }

    /**
     * Replaces each tensor on every rank by its value on {@code root}, bucketed. Use it on the
     * model's parameters and buffers right after construction so all ranks start from rank 0's
     * weights (parameters are written under no-grad).
     */
    public void broadcast(List<Tensor> tensors, int root) {
        try (FlatBuckets buckets = new FlatBuckets(tensors, DEFAULT_BUCKET_BYTES); NoGradGuard noGrad = new NoGradGuard()) {
            for (FlatBuckets.Bucket bucket : buckets.buckets()) {
                buckets.pack(bucket, tensors);
                broadcast(bucket.flat(), root);
                buckets.unpack(bucket, tensors);
            }
        }
    }

    /**
     * Replaces each floating-point tensor by its mean over the ranks, bucketed: the optional
     * synchronisation of BatchNorm running statistics (PyTorch DDP keeps them per rank by default).
     */
    public void average(List<Tensor> tensors) {
        try (FlatBuckets buckets = new FlatBuckets(tensors, DEFAULT_BUCKET_BYTES); NoGradGuard noGrad = new NoGradGuard()) {
            for (FlatBuckets.Bucket bucket : buckets.buckets()) {
                buckets.pack(bucket, tensors);
                allReduceSum(bucket.flat());
                try (PointerScope scope = new PointerScope()) {
                    bucket.flat().div_(new org.bytedeco.pytorch.Scalar((double) worldSize()));
                }
                buckets.unpack(bucket, tensors);
            }
        }
    }

    /** Element-wise sums over the ranks of a few numbers (loss sums, correct counts) in float64. */
    public double[] sum(double... values) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = torch.zeros(values.length).to(torch.ScalarType.Double);
            t.data_ptr_double().put(values);
            allReduceSum(t);
            double[] out = new double[values.length];
            t.data_ptr_double().get(out);
            return out;
        }
    }

    /** Returns when every rank has reached this call (or throws after the timeout). */
    public void barrier() {
        checkOpen();
        Work work;
        try (BarrierOptions options = new BarrierOptions()) {
            options.timeout(timeout);
            work = group.barrier(options);
        } catch (RuntimeException e) {
            throw failure("barrier", e);
        }
        await(work, "barrier");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("distributed context of rank " + rank() + " is closed");
        }
        if (broken) {
            throw new IllegalStateException("distributed context of rank " + rank() + " failed earlier; the job cannot continue");
        }
    }

    private DistributedException failure(String what, RuntimeException e) {
        broken = true;
        String reason = DistributedException.reason(e);
        String hint = reason.contains("timed out") || reason.contains("Timed out")
                ? " (no answer from a peer within " + seconds(config) + ": a peer hung or died)"
                : reason.contains("closed") || reason.contains("reset") ? " (a peer process died or the network dropped)" : "";
        return new DistributedException("rank " + rank() + " of " + worldSize() + ": " + what + " failed: " + reason + hint, e);
    }

    /**
     * Leaves the job. After a failure the process group is deliberately not destroyed: its
     * destructor waits for outstanding work, which a dead peer may never finish; the process is
     * about to exit anyway.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sumOptions.close();
        if (broken) {
            group.deallocate(false);
            store.deallocate(false);
            return;
        }
        group.close();
        store.close();
        timeout.close();
    }
}
