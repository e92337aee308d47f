package dev.lunar.runtime.rewrite;

/**
 * Custom sections. All are kept byte for byte except the "name" section, whose function-indexed
 * subsections (function names, local names, label names) get their function indices shifted so that
 * traps and stack traces still name the right functions. The yield import stays unnamed.
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
    if (id != FUNCTION_NAMES && id != LOCAL_NAMES && id != LABEL_NAMES) {
      in.copySince(from, out);
      return;
    }
    ByteReader sub = new ByteReader(in.buffer(), start, start + size);
    ByteSink body = new ByteSink(size + 8);
    int count = sub.u32();
    body.u32(count);
    for (int i = 0; i < count; i++) {
      Sections.funcIndex(sub, body, plan);
      int entry = sub.pos();
      if (id == FUNCTION_NAMES) {
        sub.skipName();
      } else {
        int inner = sub.u32();
        for (int k = 0; k < inner; k++) {
          sub.u32();
          sub.skipName();
        }
      }
      sub.copySince(entry, body);
    }
    if (sub.hasMore()) {
      throw new RewriteException("trailing bytes in name subsection " + id);
    }
    out.u8(id);
    out.u32(body.size());
    out.sink(body);
  }
}
