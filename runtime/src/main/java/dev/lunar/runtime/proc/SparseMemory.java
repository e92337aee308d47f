package dev.lunar.runtime.proc;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import dev.lunar.fs.ByteBudget;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * A process's linear memory, allocated 4 KiB at a time when the guest first writes there. A block
 * never written reads as zeros, as a wasm memory must, so an idle process pays for the blocks it
 * touched (its data, the top of its stack, the start of its heap), not for every 64 KiB page it
 * declares: the same bargain an operating system's demand paging makes. Writing zeros over a whole
 * block hands it back. The blocks of all of a node's memories count against one {@link ByteBudget}:
 * a {@code memory.grow} that would pass it fails (returns -1), and a write that needs a block past
 * it traps, ending the process that wrote, as an operating system's out-of-memory killer would.
 *
 * <p>It also counts the guest's reductions: the reduction-counting rewrite ticks by growing memory
 * 0 by {@link #TICK} pages (or 2^32-N pages for a batch of N loop iterations), a grow that must
 * fail, and this memory takes each such grow off the budget of the slice it holds ({@link
 * #countReductions}).
 *
 * <p>Not for shared memories: one thread uses it at a time (the process's own, or the next one's
 * after a reset), and it grows by copying its block table.
 */
public final class SparseMemory implements Memory {
  static final int BLOCK = 4096;
  private static final int SHIFT = 12;
  private static final int MASK = BLOCK - 1;
  private static final int BLOCKS_PER_PAGE = PAGE_SIZE / BLOCK;

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * The block every slot never written points to: all zeros, shared by every memory, and never
   * written, since only {@link #writable} hands out blocks to write to and it never hands out this.
   * Reads need no test for a missing block; writes test for this one.
   */
  private static final byte[] ZEROS = new byte[BLOCK];

  private final MemoryLimits limits;

  /** The node's budget for blocks, which this memory's blocks count against. */
  private final ByteBudget resident;

  /** One slot per 4 KiB of the memory's current size. */
  private byte[][] blocks;

  private DataSegment[] dataSegments;

  /** A new memory for {@code limits}, with no bound but its own: for tests and benchmarks. */
  public static Memory of(MemoryLimits limits) {
    return of(limits, new ByteBudget(Long.MAX_VALUE));
  }

  /**
   * A new memory for {@code limits}, its blocks counted in {@code resident}: sparse, unless shared
   * between threads (Chicory's own memory then, allocated whole and not counted).
   */
  static Memory of(MemoryLimits limits, ByteBudget resident) {
    return limits.shared() ? new ByteArrayMemory(limits) : new SparseMemory(limits, resident);
  }

  SparseMemory(MemoryLimits limits) {
    this(limits, new ByteBudget(Long.MAX_VALUE));
  }

  SparseMemory(MemoryLimits limits, ByteBudget resident) {
    if (limits.shared()) {
      throw new IllegalArgumentException("a shared memory cannot be sparse");
    }
    this.limits = limits;
    this.resident = resident;
    this.blocks = new byte[limits.initialPages() * BLOCKS_PER_PAGE][];
    Arrays.fill(blocks, ZEROS);
  }

  /** Bytes of blocks allocated now: what the memory costs, as against {@link #pages}. */
  long residentBytes() {
    long n = 0;
    for (byte[] b : blocks) {
      if (b != ZEROS) {
        n += BLOCK;
      }
    }
    return n;
  }

  @Override
  public int pages() {
    return blocks.length / BLOCKS_PER_PAGE;
  }

  /**
   * Counts one reduction: {@code memory.grow} by this many pages, 2^32-1, which must fail and which
   * the reduction-counting rewrite inserts at every function entry.
   */
  public static final int TICK = -1;

  /**
   * The most reductions one tick may count: {@code memory.grow} by 2^32-N pages, for N from 1 to
   * this, counts N reductions (the rewrite ticks off loop iterations in batches).
   */
  public static final int MAX_TICK = 1 << 16;

  private static final IntSupplier UNCOUNTED = () -> Integer.MAX_VALUE;

  /** Reductions left in the current slice. */
  private int budget = Integer.MAX_VALUE;

  /** Ends a slice and returns the next slice's budget. */
  private IntSupplier endSlice = UNCOUNTED;

  /**
   * Reductions left in the current slice: at most 0 from the tick that used it up (a batch of loop
   * iterations may overrun it) until the slice's end has added the next budget. {@link
   * Proc#reductions} reads it, and tests that count what a guest ticked off.
   */
  public int budget() {
    return budget;
  }

  /**
   * Counts the guest's ticks from now on: its first tick calls {@code endSlice}, and so does the
   * tick that uses up each budget it returns (which must be positive). {@code endSlice} may throw
   * to end the guest.
   */
  public void countReductions(IntSupplier endSlice) {
    this.endSlice = endSlice;
    this.budget = 1;
  }

  @Override
  public int grow(int size) {
    if (size < 0 && size >= -MAX_TICK) {
      // Kept tiny so that the JIT inlines it into every tick. A batch that overruns the slice
      // is taken off the next one, so that slices add up to exactly what was counted.
      if ((budget += size) <= 0) {
        budget += endSlice.getAsInt();
      }
      return -1;
    }
    int old = pages();
    long wanted = old + Integer.toUnsignedLong(size);
    if (wanted > maximumPages() || !resident.fits((wanted - old) * PAGE_SIZE)) {
      return -1;
    }
    blocks = Arrays.copyOf(blocks, (int) wanted * BLOCKS_PER_PAGE);
    Arrays.fill(blocks, old * BLOCKS_PER_PAGE, blocks.length, ZEROS);
    return old;
  }

  @Override
  public int initialPages() {
    return limits.initialPages();
  }

  @Override
  public int maximumPages() {
    return Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public Object lock(int address) {
    return this;
  }

  @Override
  public int waitOn(int address, int expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  public int waitOn(int address, long expected, long timeout) {
    throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
  }

  @Override
  public int notify(int address, int maxThreads) {
    return 0;
  }

  @Override
  public void initialize(Instance instance, DataSegment[] segments) {
    initialize(instance, segments, 0);
  }

  @Override
  public void initialize(Instance instance, DataSegment[] segments, int memoryIndex) {
    // The instance's own array, not a copy: its data.drop empties the entry we read from.
    this.dataSegments = segments;
    if (segments == null) {
      return;
    }
    for (var s : segments) {
      if (s instanceof ActiveDataSegment active) {
        if (active.index() != memoryIndex) {
          continue;
        }
        byte[] data = active.data();
        int offset = (int) computeConstantValue(instance, active.offsetInstructions())[0];
        checkBounds(offset, data.length, UninstantiableException::new);
        write(offset, data, 0, data.length);
      } else if (!(s instanceof PassiveDataSegment)) {
        throw new ChicoryException("Data segment should be active or passive: " + s);
      }
    }
  }

  @Override
  public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
    write(dest, dataSegments[segmentId].data(), offset, size);
  }

  @Override
  public void drop(int segment) {
    dataSegments[segment] = PassiveDataSegment.EMPTY;
  }

  /**
   * Zeros the memory for its next guest, whose first tick starts the count over, and gives its
   * blocks back to the node: call it too on a memory no guest will use again.
   */
  @Override
  public void zero() {
    long freed = 0;
    for (int i = 0; i < blocks.length; i++) {
      if (blocks[i] != ZEROS) {
        blocks[i] = ZEROS;
        freed += BLOCK;
      }
    }
    if (freed > 0) {
      resident.give(freed); // once: a reset zeroes a memory twice (give, then initialize)
    }
    budget = 1;
  }

  // The accessors: a fast path for a value inside one block, a slow one for a value across a
  // block's edge or out of bounds, and for the first write to a block.

  /** Block {@code i}, to write to: made now if it is still the shared zeros. */
  private byte[] writable(int i) {
    byte[] b = blocks[i];
    return b != ZEROS ? b : (blocks[i] = newBlock());
  }

  private byte[] newBlock() {
    if (!resident.take(BLOCK)) {
      throw new WasmRuntimeException(
          "out of memory: the node's guests hold all the memory it allows ("
              + (resident.limit() >> 20)
              + " MiB)");
    }
    return new byte[BLOCK];
  }

  /**
   * The block holding {@code [addr, addr + size)}, to read (the shared zeros if never written), if
   * the range lies inside the memory and inside one block; null if it does not.
   */
  private byte[] block(int addr, int size) {
    byte[][] t = blocks;
    int i = addr >>> SHIFT;
    return i < t.length && (addr & MASK) <= BLOCK - size ? t[i] : null;
  }

  /**
   * The block holding {@code [addr, addr + size)} if the range lies inside the memory and inside
   * one block that was written before; else the shared zeros, which send a write to the slow path.
   */
  private byte[] written(int addr, int size) {
    byte[][] t = blocks;
    int i = addr >>> SHIFT;
    return i < t.length && (addr & MASK) <= BLOCK - size ? t[i] : ZEROS;
  }

  @Override
  public byte read(int addr) {
    byte[] b = block(addr, 1);
    return b != null ? b[addr & MASK] : (byte) readSlow(addr, 1);
  }

  @Override
  public short readShort(int addr) {
    byte[] b = block(addr, 2);
    return b != null ? (short) SHORT.get(b, addr & MASK) : (short) readSlow(addr, 2);
  }

  @Override
  public long readU16(int addr) {
    return readShort(addr) & 0xFFFF;
  }

  @Override
  public int readInt(int addr) {
    byte[] b = block(addr, 4);
    return b != null ? (int) INT.get(b, addr & MASK) : (int) readSlow(addr, 4);
  }

  @Override
  public long readLong(int addr) {
    byte[] b = block(addr, 8);
    return b != null ? (long) LONG.get(b, addr & MASK) : readSlow(addr, 8);
  }

  @Override
  public long readF32(int addr) {
    return readInt(addr);
  }

  @Override
  public float readFloat(int addr) {
    return Float.intBitsToFloat(readInt(addr));
  }

  @Override
  public long readF64(int addr) {
    return readLong(addr);
  }

  @Override
  public double readDouble(int addr) {
    return Double.longBitsToDouble(readLong(addr));
  }

  // A write to a block still the shared zeros takes the slow path, which makes the block: the
  // fast path stores nothing but the value, so the JIT keeps the block table out of the loop.

  @Override
  public void writeByte(int addr, byte data) {
    byte[] b = written(addr, 1);
    if (b != ZEROS) {
      b[addr & MASK] = data;
    } else {
      writeSlow(addr, data, 1);
    }
  }

  @Override
  public void writeShort(int addr, short data) {
    byte[] b = written(addr, 2);
    if (b != ZEROS) {
      SHORT.set(b, addr & MASK, data);
    } else {
      writeSlow(addr, data, 2);
    }
  }

  @Override
  public void writeI32(int addr, int data) {
    byte[] b = written(addr, 4);
    if (b != ZEROS) {
      INT.set(b, addr & MASK, data);
    } else {
      writeSlow(addr, data, 4);
    }
  }

  @Override
  public void writeLong(int addr, long data) {
    byte[] b = written(addr, 8);
    if (b != ZEROS) {
      LONG.set(b, addr & MASK, data);
    } else {
      writeSlow(addr, data, 8);
    }
  }

  @Override
  public void writeF32(int addr, float data) {
    writeI32(addr, Float.floatToRawIntBits(data));
  }

  @Override
  public void writeF64(int addr, double data) {
    writeLong(addr, Double.doubleToRawLongBits(data));
  }

  /** A little-endian value of {@code size} bytes, byte by byte. */
  private long readSlow(int addr, int size) {
    checkBounds(addr, size, WasmRuntimeException::new);
    long value = 0;
    for (int k = 0; k < size; k++) {
      byte[] b = blocks[(addr + k) >>> SHIFT];
      value |= (long) (b[(addr + k) & MASK] & 0xFF) << (8 * k);
    }
    return value;
  }

  private void writeSlow(int addr, long value, int size) {
    checkBounds(addr, size, WasmRuntimeException::new);
    for (int k = 0; k < size; k++) {
      writable((addr + k) >>> SHIFT)[(addr + k) & MASK] = (byte) (value >>> (8 * k));
    }
  }

  // Ranges, block by block.

  @Override
  public void write(int addr, byte[] data, int offset, int size) {
    if (offset < 0 || size < 0 || offset > data.length - size) {
      throw outOfBounds(offset, size, data.length, WasmRuntimeException::new);
    }
    checkBounds(addr, size, WasmRuntimeException::new);
    while (size > 0) {
      int n = Math.min(size, BLOCK - (addr & MASK));
      System.arraycopy(data, offset, writable(addr >>> SHIFT), addr & MASK, n);
      addr += n;
      offset += n;
      size -= n;
    }
  }

  @Override
  public byte[] readBytes(int addr, int len) {
    checkBounds(addr, len, WasmRuntimeException::new);
    byte[] out = new byte[len];
    for (int done = 0; done < len; ) {
      int a = addr + done;
      int n = Math.min(len - done, BLOCK - (a & MASK));
      System.arraycopy(blocks[a >>> SHIFT], a & MASK, out, done, n);
      done += n;
    }
    return out;
  }

  @Override
  public void fill(byte value, int fromIndex, int toIndex) {
    int size = toIndex - fromIndex;
    checkBounds(fromIndex, size, WasmRuntimeException::new);
    for (int addr = fromIndex; size > 0; ) {
      int n = Math.min(size, BLOCK - (addr & MASK));
      int i = addr >>> SHIFT;
      if (value == 0 && n == BLOCK) {
        if (blocks[i] != ZEROS) {
          resident.give(BLOCK);
          blocks[i] = ZEROS;
        }
      } else if (value != 0 || blocks[i] != ZEROS) {
        Arrays.fill(writable(i), addr & MASK, (addr & MASK) + n, value);
      }
      addr += n;
      size -= n;
    }
  }

  @Override
  public void copy(int dest, int src, int size) {
    checkBounds(dest, size, WasmRuntimeException::new);
    checkBounds(src, size, WasmRuntimeException::new);
    if (dest > src && dest < src + size) {
      // Overlapping with the destination after the source: copy from the end backwards.
      while (size > 0) {
        int d = dest + size;
        int s = src + size;
        int n = Math.min(size, Math.min(((d - 1) & MASK) + 1, ((s - 1) & MASK) + 1));
        copyPiece(d - n, s - n, n);
        size -= n;
      }
    } else {
      while (size > 0) {
        int n = Math.min(size, BLOCK - Math.max(dest & MASK, src & MASK));
        copyPiece(dest, src, n);
        dest += n;
        src += n;
        size -= n;
      }
    }
  }

  /** Copies {@code n} bytes that lie within one block at each end. */
  private void copyPiece(int dest, int src, int n) {
    byte[] from = blocks[src >>> SHIFT];
    if (from != ZEROS || blocks[dest >>> SHIFT] != ZEROS) {
      System.arraycopy(from, src & MASK, writable(dest >>> SHIFT), dest & MASK, n);
    }
  }

  private void checkBounds(int addr, int size, Function<String, ChicoryException> error) {
    long limit = (long) blocks.length * BLOCK;
    if (addr < 0 || size < 0 || (long) addr + size > limit) {
      throw outOfBounds(addr, size, limit, error);
    }
  }

  private static ChicoryException outOfBounds(
      int addr, int size, long limit, Function<String, ChicoryException> error) {
    return error.apply(
        "out of bounds memory access: attempted to access address: "
            + addr
            + " but limit is: "
            + limit
            + " and size: "
            + size);
  }
}
