package dev.lunar.kv.rocks;

import dev.lunar.fs.Errno;
import dev.lunar.fs.FsException;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** RocksDB's failures as errnos: a full disk is {@code ENOSPC}, anything else {@code EIO}. */
final class RocksErrors {
  private RocksErrors() {}

  static FsException toFs(RocksDBException e) {
    Status status = e.getStatus();
    boolean full = status != null && status.getSubCode() == Status.SubCode.NoSpace;
    return new FsException(
        full ? Errno.ENOSPC : Errno.EIO, "key-value store (RocksDB): " + e.getMessage());
  }
}
