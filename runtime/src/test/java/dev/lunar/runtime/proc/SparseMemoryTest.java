package dev.lunar.runtime.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.lunar.fs.ByteBudget;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SparseMemory} against Chicory's own {@link ByteArrayMemory}: the same random operations,
 * aimed at block edges, must leave the same bytes and read the same values; and blocks are made
 * only where written.
 */
class SparseMemoryTest {
  private static final int BLOCK = SparseMemory.BLOCK;

  @Test
  void behavesLikeChicorysMemoryUnderRandomOperations() {
    for (long seed = 1; seed <= 20; seed++) {
      var random = new Random(seed);
      var limits = new MemoryLimits(2, 5);
      Memory expected = new ByteArrayMemory(limits);
      Memory actual = new SparseMemory(limits);
      for (int step = 0; step < 2000; step++) {
        int size = expected.pages() * Memory.PAGE_SIZE;
        int addr = address(random, size);
        String what = "seed " + seed + " step " + step + " addr " + addr;
        switch (random.nextInt(12)) {
          case 0 -> {
            byte v = (byte) random.nextInt();
            same(what, () -> expected.writeByte(addr, v), () -> actual.writeByte(addr, v));
          }
          case 1 -> {
            short v = (short) random.nextInt();
            same(what, () -> expected.writeShort(addr, v), () -> actual.writeShort(addr, v));
          }
          case 2 -> {
            int v = random.nextInt();
            same(what, () -> expected.writeI32(addr, v), () -> actual.writeI32(addr, v));
          }
          case 3 -> {
            long v = random.nextLong();
            same(what, () -> expected.writeLong(addr, v), () -> actual.writeLong(addr, v));
          }
          case 4 -> {
            int n = random.nextInt(3 * BLOCK);
            byte v = random.nextBoolean() ? 0 : (byte) random.nextInt();
            same(
                what, () -> expected.fill(v, addr, addr + n), () -> actual.fill(v, addr, addr + n));
          }
          case 5 -> {
            int src = address(random, size);
            int n = random.nextInt(3 * BLOCK);
            same(what, () -> expected.copy(addr, src, n), () -> actual.copy(addr, src, n));
          }
          case 6 -> {
            byte[] data = new byte[random.nextInt(2 * BLOCK)];
            random.nextBytes(data);
            same(what, () -> expected.write(addr, data), () -> actual.write(addr, data));
          }
          case 7 -> {
            int n = random.nextInt(2 * BLOCK);
            if (addr >= 0 && addr + n <= size) {
              assertArrayEquals(expected.readBytes(addr, n), actual.readBytes(addr, n), what);
            }
          }
          case 8 -> {
            if (addr >= 0 && addr + 8 <= size) {
              assertEquals(expected.readLong(addr), actual.readLong(addr), what);
              assertEquals(expected.readInt(addr), actual.readInt(addr), what);
              assertEquals(expected.readU16(addr), actual.readU16(addr), what);
              assertEquals(expected.read(addr), actual.read(addr), what);
              assertEquals(expected.readDouble(addr), actual.readDouble(addr), what);
            }
          }
          case 9 -> {
            if (random.nextInt(20) == 0) {
              assertEquals(expected.grow(1), actual.grow(1), what);
            }
          }
          case 10 -> {
            if (random.nextInt(50) == 0) {
              expected.zero();
              actual.zero();
            }
          }
          default -> {
            // a read past the end traps in both
            assertThrows(WasmRuntimeException.class, () -> actual.readInt(size - 2), what);
            assertThrows(WasmRuntimeException.class, () -> actual.writeLong(size - 4, 1), what);
          }
        }
        assertEquals(expected.pages(), actual.pages(), what);
      }
      int size = expected.pages() * Memory.PAGE_SIZE;
      assertArrayEquals(expected.readBytes(0, size), actual.readBytes(0, size), "seed " + seed);
      // Blocks never written share one array of zeros; nothing above may have written to it.
      var fresh = new SparseMemory(new MemoryLimits(5, 5));
      assertArrayEquals(new byte[size], fresh.readBytes(0, size), "seed " + seed);
    }
  }

  @Test
  void blocksAreMadeOnlyWhereWrittenAndZerosHandThemBack() {
    var memory = new SparseMemory(new MemoryLimits(4, 4));
    assertEquals(0, memory.residentBytes());
    assertEquals(0, memory.readLong(3 * Memory.PAGE_SIZE));
    memory.readBytes(0, 4 * Memory.PAGE_SIZE);
    assertEquals(0, memory.residentBytes(), "reading makes nothing");

    memory.writeI32(BLOCK - 2, 0x01020304); // across a block's edge: two blocks
    assertEquals(2L * BLOCK, memory.residentBytes());
    assertEquals(0x01020304, memory.readInt(BLOCK - 2));

    memory.fill((byte) 0, 0, 2 * BLOCK);
    assertEquals(0, memory.residentBytes(), "zeros over whole blocks let them go");
    assertEquals(0, memory.readInt(BLOCK - 2));

    memory.writeByte(5 * BLOCK + 7, (byte) 1);
    memory.copy(9 * BLOCK, 8 * BLOCK, BLOCK); // copying never-written bytes makes nothing
    assertEquals(BLOCK, memory.residentBytes());
    memory.zero();
    assertEquals(0, memory.residentBytes());
    assertEquals(0, memory.read(5 * BLOCK + 7));
  }

  @Test
  void growsUpToItsMaximumAndNoFurther() {
    var memory = new SparseMemory(new MemoryLimits(1, 3));
    assertEquals(1, memory.grow(2));
    assertEquals(3, memory.pages());
    assertEquals(-1, memory.grow(1));
    assertEquals(-1, memory.grow(-1), "a size read as unsigned is huge");
    memory.writeLong(3 * Memory.PAGE_SIZE - 8, -1L);
    assertEquals(-1L, memory.readLong(3 * Memory.PAGE_SIZE - 8));
    assertEquals(BLOCK, memory.residentBytes());
  }

  @Test
  void blocksCountInTheNodesBudgetWhichBoundsGrowsAndWrites() {
    var resident = new ByteBudget(Memory.PAGE_SIZE); // 16 blocks
    var a = new SparseMemory(new MemoryLimits(1, 3), resident);
    var b = new SparseMemory(new MemoryLimits(1, 3), resident);
    a.writeByte(0, (byte) 1);
    b.writeI32(BLOCK - 2, 7); // two blocks
    assertEquals(3L * BLOCK, resident.held());
    a.writeByte(1, (byte) 2); // a block it has: costs nothing
    assertEquals(3L * BLOCK, resident.held());
    assertEquals(-1, a.grow(1), "a page would not fit in what is left");

    b.fill((byte) 1, 2 * BLOCK, 15 * BLOCK); // 13 blocks more: all 16 held
    assertEquals(Memory.PAGE_SIZE, resident.held());
    var e = assertThrows(WasmRuntimeException.class, () -> a.writeByte(BLOCK, (byte) 1));
    assertTrue(e.getMessage().startsWith("out of memory"), e.getMessage());
    assertEquals(0, a.read(BLOCK), "the write that failed wrote nothing");
    assertEquals(Memory.PAGE_SIZE, resident.held(), "and took nothing");

    b.fill((byte) 0, 0, BLOCK);
    assertEquals(Memory.PAGE_SIZE - BLOCK, resident.held(), "zeros over a block give it back");
    a.writeByte(BLOCK, (byte) 1);
    b.zero();
    assertEquals(2L * BLOCK, resident.held(), "zero() gives back all of b's");
    a.zero();
    assertEquals(0, resident.held());
    assertEquals(1, a.grow(1), "and a page fits again");
  }

  private static int address(Random random, int size) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextInt(size);
      case 1 -> random.nextInt(size / BLOCK) * BLOCK - random.nextInt(8) + 4; // near an edge
      case 2 -> size - random.nextInt(16); // near the end
      default -> random.nextInt(256);
    };
  }

  @Test
  void aTickFailsLikeAnyHugeGrowAndCountsOffTheBudget() {
    SparseMemory m = new SparseMemory(new MemoryLimits(1, 3));
    int[] slices = countSlices(m, 3);
    for (int tick = 1; tick <= 7; tick++) {
      assertEquals(-1, m.grow(SparseMemory.TICK), "a grow by 2^32-1 pages fails");
    }
    assertEquals(1, m.pages());
    // The first tick asks for a slice; then every third ends one: ticks 1, 4 and 7.
    assertEquals(3, slices[0]);
    m.zero();
    m.grow(SparseMemory.TICK);
    assertEquals(4, slices[0], "after zero() the next guest's first tick asks for its slice");
    assertEquals(1, m.grow(1), "other grows still grow");
  }

  @Test
  void aBatchTickCountsManyAndItsOverrunComesOffTheNextSlice() {
    SparseMemory m = new SparseMemory(new MemoryLimits(1, 3));
    int[] slices = countSlices(m, 10);
    m.grow(SparseMemory.TICK); // asks for the first slice: 10
    assertEquals(-1, m.grow(-8), "a grow by 2^32-8 pages fails and counts 8");
    assertEquals(2, m.budget());
    m.grow(-5); // overruns the slice by 3, so the next one has 7 left
    assertEquals(2, slices[0]);
    assertEquals(7, m.budget());
    assertEquals(-1, m.grow(-SparseMemory.MAX_TICK - 1), "past the batch range: an ordinary grow");
    assertEquals(7, m.budget(), "which counts nothing");
    assertEquals(1, m.pages());
  }

  /** Counts {@code m}'s ticks in slices of {@code budget}; element 0 counts the slices begun. */
  private static int[] countSlices(SparseMemory m, int budget) {
    int[] slices = {0};
    m.countReductions(() -> {
      slices[0]++;
      return budget;
    });
    return slices;
  }

  /** Runs both; they must both succeed or both trap. */
  private static void same(String what, Runnable expected, Runnable actual) {
    RuntimeException e1 = null;
    RuntimeException e2 = null;
    try {
      expected.run();
    } catch (RuntimeException e) {
      e1 = e;
    }
    try {
      actual.run();
    } catch (RuntimeException e) {
      e2 = e;
    }
    assertEquals(e1 == null, e2 == null, what + ": " + e1 + " / " + e2);
  }
}
