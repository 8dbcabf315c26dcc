package dev.superconv.bindings.distributed;

import org.bytedeco.javacpp.Pointer;

/**
 * Long-lived native objects (process group, store, flat buckets) are created while the caller may
 * have a {@link org.bytedeco.javacpp.PointerScope} open, which would free them when it closes. One
 * extra reference keeps them alive until their owner's {@code close()} releases it.
 */
final class Owned {
    private Owned() {}

    static <P extends Pointer> P retain(P pointer) {
        pointer.retainReference();
        return pointer;
    }
}
