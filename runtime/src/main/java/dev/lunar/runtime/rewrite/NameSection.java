package dev.lunar.runtime.rewrite;

/**
 * Custom sections. All are kept byte for byte except the "name" section, whose function-indexed
 * subsections follow the functions so that traps and stack traces still name the right ones: a
 * defined function's name goes to both its entry and its body, its local names to its body (with
 * declared locals moved up past the budget parameter; the entry keeps its parameters' names). Label
 * names are dropped, since the inserted checks renumber the blocks they count. The yield import and
 * the sync function stay unnamed.
 */
final class NameSection {
  private static final int FUNCTION_NAMES = 1;
  private static final int LOCAL_NAMES = 2;
  private static final int LABEL_NAMES = 3;

  private NameSection() {}

  /**
   * Returns the new contents of a custom section, or {@code null} to drop it: a "name" section we
   * cannot decode is dropped rather than left with stale indices (engines treat it as optional).
   */
  static ByteSink rewrite(ByteReader in, Plan plan) throws RewriteException {
    int start = in.pos();
    ByteSink out = new ByteSink(in.end() - start + 16);
    String name = in.name();
    in.copySince(start, out);
    if (!"name".equals(name)) {
      in.copyRest(out);
      return out;
    }
    try {
      while (in.hasMore()) {
        subsection(in, out, plan);
      }
      return out;
    } catch (RewriteException e) {
      return null;
    }
  }

  private static void subsection(ByteReader in, ByteSink out, Plan plan) throws RewriteException {
    int from = in.pos();
    int id = in.u8();
    int size = in.u32();
    int start = in.pos();
    in.skip(size);
    if (id == LABEL_NAMES) {
      return;
    }
    if (id != FUNCTION_NAMES && id != LOCAL_NAMES) {
      in.copySince(from, out);
      return;
    }
    ByteReader sub = new ByteReader(in.buffer(), start, start + size);
    // Entries are sorted by function index: imports and entries keep their order, and the bodies,
    // whose indices are above all of those, follow in the same order.
    ByteSink entries = new ByteSink(size + 8);
    ByteSink bodies = new ByteSink(size + 8);
    int count = sub.u32();
    int written = 0;
    for (int i = 0; i < count; i++) {
      long index = Integer.toUnsignedLong(sub.u32());
      if (index >= plan.functions()) {
        throw new RewriteException("name for unknown function " + index);
      }
      boolean defined = plan.isDefined(index);
      if (id == FUNCTION_NAMES) {
        int name = sub.pos();
        sub.skipName();
        entries.u32(plan.shift(index));
        sub.copySince(name, entries);
        written++;
        if (defined) {
          bodies.u32(plan.body(index));
          sub.copySince(name, bodies);
          written++;
        }
      } else if (defined) {
        locals(
            sub, plan.params()[(int) (index - plan.funcImports())], entries, bodies, index, plan);
        written += 2;
      } else {
        int names = sub.pos();
        skipNameMap(sub);
        entries.u32(plan.shift(index));
        sub.copySince(names, entries);
        written++;
      }
    }
    if (sub.hasMore()) {
      throw new RewriteException("trailing bytes in name subsection " + id);
    }
    ByteSink body = new ByteSink(entries.size() + bodies.size() + 8);
    body.u32(written);
    body.sink(entries);
    body.sink(bodies);
    out.u8(id);
    out.u32(body.size());
    out.sink(body);
  }

  /** Splits one function's local names between its entry (parameters) and its body (all). */
  private static void locals(
      ByteReader sub, int params, ByteSink entries, ByteSink bodies, long index, Plan plan)
      throws RewriteException {
    int n = sub.u32();
    ByteSink entry = new ByteSink(64);
    ByteSink body = new ByteSink(64);
    int inEntry = 0;
    for (int k = 0; k < n; k++) {
      long local = Integer.toUnsignedLong(sub.u32());
      int name = sub.pos();
      sub.skipName();
      if (local < params) {
        entry.u32(local);
        sub.copySince(name, entry);
        inEntry++;
      }
      body.u32(local < params ? local : local + 1);
      sub.copySince(name, body);
    }
    entries.u32(plan.shift(index));
    entries.u32(inEntry);
    entries.sink(entry);
    bodies.u32(plan.body(index));
    bodies.u32(n);
    bodies.sink(body);
  }

  private static void skipNameMap(ByteReader sub) throws RewriteException {
    int n = sub.u32();
    for (int k = 0; k < n; k++) {
      sub.u32();
      sub.skipName();
    }
  }
}
