package dev.lunar.fs;

/**
 * How a file is opened.
 *
 * @param read for reading
 * @param write for writing
 * @param truncate {@code O_TRUNC}
 * @param append {@code O_APPEND}
 */
public record OpenMode(boolean read, boolean write, boolean truncate, boolean append) {
  public static final OpenMode READ = new OpenMode(true, false, false, false);
  public static final OpenMode WRITE = new OpenMode(false, true, false, false);
  public static final OpenMode READ_WRITE = new OpenMode(true, true, false, false);
}
