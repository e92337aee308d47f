package dev.lunar.fs;

/**
 * One name in a directory listing.
 *
 * @param cursor where a listing continues after this entry, opaque to callers
 */
public record DirEntry(String name, boolean dir, String cursor) {}
