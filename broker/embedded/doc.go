// Package embedded is a durable, single-node log of records in Pebble: the broker streamsql
// uses when no Kafka cluster is configured. It implements broker.Broker and passes the same
// contract suite (broker/brokertest) as the Kafka implementation.
//
// It owns the on-disk format of topics, records, log-start offsets, compaction indexes and
// consumer-group offsets. It must not import any streamsql package except broker.
//
// # Layout
//
// One Pebble DB holds everything, under one-byte prefixes so that it could later be shared
// with other stores:
//
//	's'                                    the last topic id handed out
//	'm' name                               topic metadata (id, configuration), JSON
//	'r' topicID partition offset           a record: CRC32-C, flags, timestamp, key, value, headers
//	'n' topicID partition                  the partition's next offset (written by every append)
//	'l' topicID partition                  the partition's log-start offset
//	'k' topicID partition key              latest offset of key (compacted topics only)
//	'g' topicID len(group) group partition a consumer group's committed offset
//
// Numbers are big-endian so that keys sort by partition and offset. Everything of a topic
// sits under its *id*, not its name: DeleteTopic removes it with one DeleteRange per prefix,
// and a topic created again under the same name never sees old records or old commits.
//
// # Durability
//
// Every Produce call is one Pebble batch written with pebble.Sync: the batch is durable when
// Produce returns, and after a crash it is there entirely or not at all (the WAL replays
// whole batches). This is group commit per batch, never an fsync per record. Offsets are
// assigned and the batch applied under a per-topic lock, so batches reach the WAL in offset
// order; the fsync is awaited outside the lock (DB.ApplyNoSyncWait then Batch.SyncWait), so
// concurrent producers share syncs. Fetch sees a Produce batch only once it is synced, so a
// record from outside is never observed before a crash can no longer take it back.
//
// ProduceWith, the atomic commit of a query's outputs, state and input offsets, is the one
// exception: it is written to the WAL without waiting for an fsync and visible at once.
// Everything in it is derived from durable records, and the WAL replays as a prefix, so a
// crash that takes it back takes back whatever was written after it (what other queries
// derived from it included), and the query recomputes it from its committed offsets.
//
// Options.NoSync skips the fsync, for tests and benchmarks: a machine crash may then lose the
// last acknowledged batches, but never tears one. Topic creation and deletion, offset
// commits and cleanup are synced the same way.
//
// # Corruption
//
// Every record carries a CRC32-C checked on read: a mismatch is an error wrapping
// broker.ErrCorrupt that names the topic, partition and offset. Pebble's own checksums
// cover its files; a damaged table makes the read fail with broker.ErrCorrupt and the file's
// path, never a panic (Pebble's default reaction, a fatal log, is replaced), and a damaged
// MANIFEST or WAL makes Open fail with broker.ErrCorrupt and the directory.
//
// The store is pinned to a Pebble format whose WAL records sync offsets, which is what lets
// replay after a crash tell damage in the middle of the WAL (an error) from a torn tail
// (tolerated: those batches were never acknowledged). One case stays ambiguous by
// construction: damage inside the last 32 KiB block of the WAL being replayed looks like a
// torn write, and replay stops there. Close flushes, so after a clean shutdown nothing is
// left in the WAL to lose.
//
// # Cleanup
//
// A background loop every Options.CleanupInterval (and RunCleanup, for tests) applies each
// topic's cleanup.policy:
//
//   - "delete" drops the oldest records of a partition while they are older than
//     retention.ms or the partition is larger than retention.bytes, stopping at the first
//     record that may stay (as Kafka does with segments), and advances the persisted
//     log-start offset. Fetching below it is ErrOffsetOutOfRange.
//   - "compact" keeps the latest record of each key, found through the key index that each
//     append updates in its own batch, and drops tombstones older than
//     Options.TombstoneRetention (Kafka's delete.retention.ms) with their index entry. The
//     log-start offset moves to the first record that remains.
//   - "compact,delete" does both.
//
// Offsets are never reused or renumbered; a compacted partition simply has gaps, which
// Fetch skips. Compacted topics refuse records with a null key (ErrInvalidConfig), as Kafka
// does: compaction could never remove them.
package embedded
