package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;

/**
 * Walks the sections of a module in binary order, copies all but the code section verbatim and
 * hands that one to {@link CodeRewriter}. A module without a memory gets an empty one, {@code
 * (memory 0 0)}, at its place in the section order (ahead of any custom sections directly before
 * that place) or in place of a memory section of no memories: the ticks need a memory 0 to name.
 */
final class SectionWalker {
  private static final int CUSTOM = 0;
  private static final int MEMORY = 5;
  private static final int CODE = 10;

  private final byte[] wasm;
  private final WasmModule module;
  private final int funcImports;
  private boolean hasMemory;

  SectionWalker(byte[] wasm, WasmModule module, int funcImports, boolean hasMemory) {
    this.wasm = wasm;
    this.module = module;
    this.funcImports = funcImports;
    this.hasMemory = hasMemory;
  }

  /**
   * The position of a section id in the required order (the tag section, id 13, sits between memory
   * and global; the data count section, id 12, between element and code).
   */
  private static int rank(int id) {
    return switch (id) {
      case 1, 2, 3, 4, 5 -> id;
      case 13 -> 6;
      case 6, 7, 8, 9 -> id + 1;
      case 12 -> 11;
      case 10, 11 -> id + 2;
      default -> Integer.MAX_VALUE;
    };
  }

  byte[] rewrite() throws RewriteException {
    // The result grows by five bytes per function and about twenty per counted loop and way
    // out of its function; 1/8 headroom avoids most regrowth.
    ByteSink out = new ByteSink(wasm.length + wasm.length / 8 + 64);
    out.bytes(wasm, 0, 8); // magic and version, already checked by the parser
    ByteReader in = new ByteReader(wasm, 8, wasm.length);
    // Custom sections wait here until the next known section, so that a section we create goes
    // before the custom sections that precede its successor (wabt insists that "name" comes after
    // every known section, for instance).
    ByteSink customs = new ByteSink(64);
    while (in.hasMore()) {
      int sectionStart = in.pos();
      int id = in.u8();
      int size = in.u32();
      int start = in.pos();
      in.skip(size);
      if (id == CUSTOM) {
        customs.bytes(wasm, sectionStart, start + size - sectionStart);
        continue;
      }
      addMemoryBefore(rank(id), out);
      out.sink(customs);
      customs.reset();
      if (id == CODE) {
        ByteReader body = new ByteReader(wasm, start, start + size);
        out.section(CODE, new CodeRewriter(wasm, module, funcImports).rewrite(body));
      } else if (id == MEMORY && !hasMemory) {
        addMemoryBefore(Integer.MAX_VALUE, out); // in place of a memory section of no memories
      } else {
        out.bytes(wasm, sectionStart, start + size - sectionStart);
      }
    }
    addMemoryBefore(Integer.MAX_VALUE, out);
    out.sink(customs);
    return out.toByteArray();
  }

  private void addMemoryBefore(int rank, ByteSink out) {
    if (!hasMemory && rank > rank(MEMORY)) {
      hasMemory = true;
      ByteSink s = new ByteSink(4);
      s.u32(1); // one memory
      s.u8(0x01); // limits with a maximum
      s.u32(0); // of no pages
      s.u32(0); // and at most none
      out.section(MEMORY, s);
    }
  }
}
