package dev.superconv.bindings.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.superconv.bindings.Natives;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FlatBucketsTest {
    @BeforeAll
    static void load() {
        Natives.load();
    }

    private static List<int[]> layout(FlatBuckets buckets) {
        List<int[]> out = new ArrayList<>();
        for (FlatBuckets.Bucket b : buckets.buckets()) {
            out.add(new int[] {b.first(), b.count(), (int) b.flat().numel()});
        }
        return out;
    }

    @Test
    void bucketsFollowCapAndDtype() {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> tensors = List.of(
                    torch.zeros(3, 4),                                 // 48 B
                    torch.zeros(5),                                    // 20 B
                    torch.zeros(2, 2),                                 // 16 B
                    torch.zeros(3).to(torch.ScalarType.Long),          // other dtype
                    torch.zeros(40),                                   // 160 B > cap: alone
                    torch.zeros(1));
            try (FlatBuckets buckets = new FlatBuckets(tensors, 64)) {
                List<int[]> got = layout(buckets);
                List<int[]> want = List.of(new int[] {0, 1, 12}, new int[] {1, 2, 9}, new int[] {3, 1, 3}, new int[] {4, 1, 40}, new int[] {5, 1, 1});
                assertEquals(want.size(), got.size(), got.stream().map(Arrays::toString).toList().toString());
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(want.get(i), got.get(i), "bucket " + i);
                }
            }
            try (FlatBuckets oneBucket = new FlatBuckets(List.of(torch.zeros(3, 4), torch.zeros(5)), 25L << 20)) {
                assertEquals(1, oneBucket.buckets().size());
            }
        }
    }

    @Test
    void packThenUnpackRestoresShapesAndValues() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = torch.arange(new Scalar(12)).to(torch.ScalarType.Float).reshape(3, 4);
            Tensor b = torch.arange(new Scalar(5)).to(torch.ScalarType.Float).add(new Scalar(100));
            List<Tensor> sources = List.of(a, b);
            try (FlatBuckets buckets = new FlatBuckets(sources, 1 << 20)) {
                FlatBuckets.Bucket bucket = buckets.buckets().get(0);
                buckets.pack(bucket, sources);
                assertEquals(4.0, bucket.flat().get(4).item_double());
                assertEquals(102.0, bucket.flat().get(14).item_double());
                bucket.flat().mul_(new Scalar(2.0));
                Tensor a2 = torch.zeros(3, 4);
                Tensor b2 = torch.zeros(5);
                buckets.unpack(bucket, List.of(a2, b2));
                assertEquals(a.mul(new Scalar(2.0)).sub(a2).abs().max().item_double(), 0.0);
                assertEquals(b.mul(new Scalar(2.0)).sub(b2).abs().max().item_double(), 0.0);
            }
        }
    }
}
