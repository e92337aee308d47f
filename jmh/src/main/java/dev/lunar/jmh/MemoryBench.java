package dev.lunar.jmh;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.lunar.runtime.proc.SparseMemory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Linear memory as compiled guests use it, Lunar's {@link SparseMemory} beside Chicory's {@link
 * ByteArrayMemory} (the peer): {@code counter} is a load, add and store of one i64 in a loop (what
 * {@code spin.c}'s volatile counter does), {@code update} adds each i32 of 16 KiB to the next (a
 * load, a load and a store), {@code scan} reads 16 KiB byte by byte (what {@code hash.c} does).
 * Each implementation runs in its own fork, so the call sites see one class, as in a node.
 * Nanoseconds per access.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemoryBench {
  private static final int OPS = 4096;

  @Param({"chicory", "sparse"})
  String memory;

  private Memory m;

  @Setup
  public void setup() {
    var limits = new MemoryLimits(1, 16);
    m = memory.equals("sparse") ? SparseMemory.of(limits) : new ByteArrayMemory(limits);
    for (int a = 0; a < 16384; a += 4) {
      m.writeI32(a, a * 2654435761L > 0 ? a : ~a);
    }
  }

  @Benchmark
  @OperationsPerInvocation(OPS)
  public long counter() {
    for (int k = 0; k < OPS; k++) {
      m.writeLong(65528, m.readLong(65528) + 1);
    }
    return m.readLong(65528);
  }

  @Benchmark
  @OperationsPerInvocation(4095)
  public int update() {
    for (int a = 4; a < 16384; a += 4) {
      m.writeI32(a, m.readInt(a) + m.readInt(a - 4));
    }
    return m.readInt(16380);
  }

  @Benchmark
  @OperationsPerInvocation(16384)
  public int scan() {
    int h = 0x811c9dc5;
    for (int a = 0; a < 16384; a++) {
      h = (h ^ (m.read(a) & 0xFF)) * 0x01000193;
    }
    return h;
  }
}
