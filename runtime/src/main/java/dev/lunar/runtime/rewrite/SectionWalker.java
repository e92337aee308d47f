package dev.lunar.runtime.rewrite;

import com.dylibso.chicory.wasm.WasmModule;

/**
 * Walks the sections of a module in binary order, copies the untouched ones verbatim and hands the
 * ones that mention function indices (or that gain entries) to {@link Sections} and {@link
 * CodeRewriter}. A type, import or global section the module lacks is created at its place in the
 * section order, ahead of any custom sections directly before that place.
 */
final class SectionWalker {
  private static final int CUSTOM = 0;
  private static final int TYPE = 1;
  private static final int IMPORT = 2;
  private static final int FUNCTION = 3;
  private static final int GLOBAL = 6;
  private static final int EXPORT = 7;
  private static final int START = 8;
  private static final int ELEMENT = 9;
  private static final int CODE = 10;

  private final byte[] wasm;
  private final WasmModule module;
  private final Plan plan;
  private boolean hasType;
  private boolean hasImport;
  private boolean hasGlobal;

  SectionWalker(byte[] wasm, WasmModule module, Plan plan) {
    this.wasm = wasm;
    this.module = module;
    this.plan = plan;
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
    // The result grows by a few bytes per function and loop; 1/8 headroom avoids most regrowth.
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
      ByteReader body = new ByteReader(wasm, start, start + size);
      if (id != CUSTOM) {
        emitMissingBefore(rank(id), out);
        out.sink(customs);
        customs.reset();
      }
      switch (id) {
        case TYPE -> {
          hasType = true;
          if (!plan.appendedTypes().isEmpty()) {
            out.section(TYPE, Sections.types(body, plan));
          } else {
            out.bytes(wasm, sectionStart, start + size - sectionStart);
          }
        }
        case IMPORT -> {
          hasImport = true;
          out.section(IMPORT, Sections.imports(body, plan));
        }
        case GLOBAL -> {
          hasGlobal = true;
          out.section(GLOBAL, Sections.globals(body, plan));
        }
        case FUNCTION -> out.section(FUNCTION, Sections.functions(body, plan));
        case EXPORT -> out.section(EXPORT, Sections.exports(body, plan));
        case START -> out.section(START, Sections.start(body, plan));
        case ELEMENT -> out.section(ELEMENT, Sections.elements(body, plan));
        case CODE -> out.section(CODE, new CodeRewriter(wasm, module, plan).rewrite(body));
        case CUSTOM -> {
          ByteSink custom = NameSection.rewrite(body, plan);
          if (custom != null) {
            customs.section(CUSTOM, custom);
          }
        }
        default -> out.bytes(wasm, sectionStart, start + size - sectionStart);
      }
    }
    emitMissingBefore(Integer.MAX_VALUE, out);
    out.sink(customs);
    return out.toByteArray();
  }

  private void emitMissingBefore(int rank, ByteSink out) {
    if (!hasType && !plan.appendedTypes().isEmpty() && rank > rank(TYPE)) {
      hasType = true;
      ByteSink s = new ByteSink(16);
      s.u32(plan.appendedTypes().size());
      Sections.appendedTypes(s, plan);
      out.section(TYPE, s);
    }
    if (!hasImport && rank > rank(IMPORT)) {
      hasImport = true;
      ByteSink s = new ByteSink(16);
      s.u32(1);
      Sections.yieldImport(s, plan);
      out.section(IMPORT, s);
    }
    if (!hasGlobal && rank > rank(GLOBAL)) {
      hasGlobal = true;
      ByteSink s = new ByteSink(8);
      s.u32(1);
      Sections.budgetGlobal(s);
      out.section(GLOBAL, s);
    }
  }
}
