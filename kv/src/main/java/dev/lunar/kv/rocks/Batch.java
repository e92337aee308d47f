package dev.lunar.kv.rocks;

import java.util.Arrays;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The changes of one group commit, readable through: a change sees the database plus every change
 * queued before it in the group. Used by the committer thread only.
 */
final class Batch {
  private final RocksDB db;
  private final ReadOptions readOptions;
  final WriteBatchWithIndex writes = new WriteBatchWithIndex(true);

  Batch(RocksDB db, ReadOptions readOptions) {
    this.db = db;
    this.readOptions = readOptions;
  }

  byte[] get(byte[] key) throws RocksDBException {
    return writes.getFromBatchAndDB(db, readOptions, key);
  }

  void put(byte[] key, byte[] value) throws RocksDBException {
    writes.put(key, value);
  }

  void delete(byte[] key) throws RocksDBException {
    writes.delete(key);
  }

  /** Whether some record lies in {@code [from, end)}. */
  boolean any(byte[] from, byte[] end) throws RocksDBException {
    try (RocksIterator base = db.newIterator(readOptions);
        RocksIterator it = writes.newIteratorWithBase(base)) {
      it.seek(from);
      if (!it.isValid()) {
        it.status();
        return false;
      }
      return Arrays.compareUnsigned(it.key(), end) < 0;
    }
  }
}
