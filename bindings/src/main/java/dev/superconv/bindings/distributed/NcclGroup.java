package dev.superconv.bindings.distributed;

import dev.superconv.core.BadInputException;
import dev.superconv.core.distributed.DistributedConfig;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

/**
 * The NCCL process group, kept in its own class so the CPU build never loads the NCCL bindings:
 * the CPU natives jar has no {@code libjnitorch_nccl}, so touching {@link ProcessGroupNCCL} there
 * fails with a linkage error, which becomes a one-line message. With NCCL the tensors handed to
 * collectives must live on this rank's CUDA device.
 */
final class NcclGroup {
    private NcclGroup() {}

    static org.bytedeco.pytorch.Backend create(DistributedConfig config, Store store, Milliseconds timeout) {
        if (!torch.cuda_is_available()) {
            throw new BadInputException("--backend nccl: libtorch sees no CUDA GPU on this machine; use --backend gloo");
        }
        try {
            ProcessGroupNCCL.Options options = ProcessGroupNCCL.Options.create();
            options.timeout(timeout);
            return new ProcessGroupNCCL(store, config.rank(), config.worldSize(), options);
        } catch (LinkageError e) {
            throw new BadInputException("--backend nccl: this build has no NCCL bindings (" + e.getClass().getSimpleName()
                    + "); build with -Pcuda on a CUDA machine or use --backend gloo", e);
        }
    }
}
