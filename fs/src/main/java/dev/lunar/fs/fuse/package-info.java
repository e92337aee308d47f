/**
 * The FUSE adapter: mounts a {@link dev.lunar.fs.Dir} on a host directory ({@link
 * dev.lunar.fs.fuse.FuseMount}), so the host drives the live tree with plain programs.
 *
 * <p>A thin translator over libfuse 2's low-level API: {@code NodeRequests} and {@code
 * FileRequests} have one handler per request kind, {@code Failures} the one error table, and
 * everything else is plumbing — node ids ({@code Inodes}), open files, directory paging, the
 * receiving threads and the native bindings. The only package that imports jnr-fuse and jnr-ffi.
 *
 * <p>Threads: requests run on the threads of {@link dev.lunar.fs.fuse.FuseOptions#threads}, several
 * at once; a read that waits parks its thread after handing the receiving to another. Handles are
 * used by one request at a time, as the kernel orders requests on one descriptor.
 */
package dev.lunar.fs.fuse;
