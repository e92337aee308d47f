package dev.lunar.fs;

/** What a grant allows on the paths it covers. */
public enum Access {
  READ_ONLY("ro", true, false),
  WRITE_ONLY("wo", false, true),
  READ_WRITE("rw", true, true);

  private final String word;
  private final boolean read;
  private final boolean write;

  Access(String word, boolean read, boolean write) {
    this.word = word;
    this.read = read;
    this.write = write;
  }

  public boolean read() {
    return read;
  }

  public boolean write() {
    return write;
  }

  /** {@code ro}, {@code wo} or {@code rw}. */
  public String word() {
    return word;
  }

  /** Everything either allows. */
  public Access union(Access other) {
    return other == null ? this : of(read || other.read, write || other.write);
  }

  /** Whether this allows everything {@code other} does. */
  public boolean includes(Access other) {
    return (read || !other.read) && (write || !other.write);
  }

  static Access of(boolean read, boolean write) {
    return read && write ? READ_WRITE : read ? READ_ONLY : WRITE_ONLY;
  }

  /** Parses {@code ro}, {@code wo} or {@code rw}. */
  public static Access parse(String word) {
    for (Access a : values()) {
      if (a.word.equals(word)) {
        return a;
      }
    }
    throw new IllegalArgumentException("access must be ro, wo or rw, not '" + word + "'");
  }
}
