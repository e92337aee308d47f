package dev.lunar.kv.rocks;

import dev.lunar.kv.Durability;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteOptions;

/**
 * RocksDB's settings for the store, in one place, and their native objects to free on close.
 *
 * <ul>
 *   <li>Values of {@value #MIN_BLOB_SIZE} bytes and more go to blob files (RocksDB's integrated
 *       BlobDB), so compaction moves small records, not 64 MiB values; garbage collection reclaims
 *       overwritten ones.
 *   <li>A bloom filter per table: lookups of absent keys (every {@code create}) seldom touch disk.
 *   <li>Default write-ahead log recovery (point in time): after {@code kill -9} the database opens
 *       with every synced write, and a torn tail of the log is dropped, never replayed in part.
 * </ul>
 */
final class RocksOptions implements AutoCloseable {
  static final long MIN_BLOB_SIZE = 64 << 10;

  final Options db;
  final ReadOptions read = new ReadOptions();
  final WriteOptions write;
  private final LRUCache cache = new LRUCache(64L << 20);
  private final BloomFilter filter = new BloomFilter(10);

  RocksOptions(Durability durability) {
    db =
        new Options()
            .setCreateIfMissing(true)
            .setMaxBackgroundJobs(2)
            .setBytesPerSync(1 << 20)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            .setKeepLogFileNum(3)
            .setMaxLogFileSize(8 << 20)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setEnableBlobFiles(true)
            .setMinBlobSize(MIN_BLOB_SIZE)
            .setEnableBlobGarbageCollection(true)
            .setTableFormatConfig(
                new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter));
    write = new WriteOptions().setSync(durability == Durability.SYNC);
  }

  @Override
  public void close() {
    write.close();
    read.close();
    db.close();
    filter.close();
    cache.close();
  }
}
