package dev.lunar.fs;

/** A file: opening it gives a {@link Handle}, whose reads and writes are what the file means. */
public interface File extends Node {
  Handle open(OpenMode mode) throws FsException;
}
