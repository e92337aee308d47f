/**
 * The node's own part of the file tree: {@code /proc}, {@code /names} and {@code /bin}, as {@link
 * dev.lunar.fs.Dir} and {@link dev.lunar.fs.File} objects made per caller (a process, or null for
 * the host), so that {@code /proc/self} and owner-only files know who asks. docs/PROTOCOL.md is the
 * contract these classes implement.
 *
 * <p>Concurrency contract: directory and file objects are immutable and may be used from any
 * thread; a {@link dev.lunar.fs.Handle} belongs to the thread of the caller that opened it.
 */
package dev.lunar.runtime.tree;
