// Package kafka implements broker.Broker over a real Apache Kafka cluster with
// github.com/segmentio/kafka-go's low-level request API (kafka-go's Client and Transport).
//
// It owns the translation between streamsql's broker vocabulary and Kafka's: topic creation,
// deletion and description (partition counts from Metadata, cleanup/retention from
// DescribeConfigs), keyed partitioning, produce and fetch requests, ListOffsets, and group
// offsets stored with OffsetCommit/OffsetFetch. It must not import any streamsql package except
// broker: the engine drives it through the broker.Broker interface only.
//
// The engine stays in control of every request. There is no kafka-go group Reader (its
// rebalancing has open bugs and the engine assigns partitions itself) and no kafka-go Writer
// (its 1 s BatchTimeout makes a synchronous write wait). Produce sends one request per
// partition (concurrently across partitions) and returns when the broker has acknowledged it
// with acks=all; Fetch is one fetch request for one partition, whose records beyond
// MaxRecords/MaxBytes are kept as read-ahead for the next Fetch of that partition.
//
// # Guarantees
//
// Produce is at-least-once. kafka-go has no idempotent or transactional producer (producer id,
// epoch and sequence are always written as -1), so a request whose outcome is unknown — a
// timed-out acks=all write, a connection lost after the request was sent — is retried and may
// leave its records in the log twice. A failed Produce may also have written the records of
// some partitions and not others. Callers that need effectively-once results key their outputs
// deterministically and keep their input offsets with their state (see the engine's docs).
// Records of one partition keep their order within a Produce call.
//
// Fetch reads uncommitted data (kafka-go has no read-committed filtering): records of aborted
// transactions written by other clients are returned; transaction markers are skipped.
//
// Keyed records go to the partition Kafka's Java client and librdkafka's murmur2_random
// partitioner would choose (broker.PartitionForKey), so data produced by any Kafka client
// co-partitions with ours. Null keys are spread round-robin.
//
// # Metadata
//
// kafka-go's Transport routes each request by a cluster layout it refreshes on its own timer
// (at most every 6 s) and serves Metadata requests from that cache. That is fine for routing but
// cannot answer "does this topic exist right now", so this package keeps one separate
// connection on which it asks the cluster directly (never allowing auto-creation). A request
// that fails because kafka-go's layout is stale (a topic created by another client, a leader
// that moved) is checked against that answer, the Transport is replaced so that it reloads its
// layout, and the request is retried for a bounded time.
package kafka
