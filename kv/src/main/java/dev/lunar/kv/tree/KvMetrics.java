package dev.lunar.kv.tree;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@code /kv} tree asked of its store: counts of calls and bytes, cheap to bump from any
 * thread, read by whoever exposes them ({@code /metrics}).
 */
public final class KvMetrics {
  final LongAdder gets = new LongAdder();
  final LongAdder puts = new LongAdder();
  final LongAdder deletes = new LongAdder();
  final LongAdder renames = new LongAdder();
  final LongAdder lists = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();

  /** Values read from the store (each open for reading reads one). */
  public long gets() {
    return gets.sum();
  }

  /** Values written to the store (each commit of a written file is one). */
  public long puts() {
    return puts.sum();
  }

  public long deletes() {
    return deletes.sum();
  }

  public long renames() {
    return renames.sum();
  }

  /** Pages of listings, of buckets or of keys. */
  public long lists() {
    return lists.sum();
  }

  /** Bytes of values put. */
  public long bytesIn() {
    return bytesIn.sum();
  }

  /** Bytes of values got. */
  public long bytesOut() {
    return bytesOut.sum();
  }

  /** Every counter by name ({@code kv_gets}, …), in a stable order, for an exposition format. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("kv_gets", gets());
    out.put("kv_puts", puts());
    out.put("kv_deletes", deletes());
    out.put("kv_renames", renames());
    out.put("kv_lists", lists());
    out.put("kv_bytes_in", bytesIn());
    out.put("kv_bytes_out", bytesOut());
    return out;
  }
}
