package broker

import (
	"context"
	"errors"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// AnyPartition asks Produce to choose the partition: murmur2 of the key when there is one (so a
// key lands where a Java or librdkafka producer would put it), round-robin for null keys.
const AnyPartition int32 = -1

// Header is one Kafka record header. Keys may repeat.
type Header struct {
	Key   string
	Value []byte
}

// Record is one entry of a partition. A nil Key is a null key; a nil Value is a tombstone (on a
// compacted topic it deletes the key). Topic, Partition and Offset are set by Fetch, and by
// Produce on the records it was given.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}

// CleanupPolicy is Kafka's cleanup.policy.
type CleanupPolicy string

const (
	CleanupDelete        CleanupPolicy = "delete"
	CleanupCompact       CleanupPolicy = "compact"
	CleanupCompactDelete CleanupPolicy = "compact,delete"
)

// TopicConfig is what CreateTopic takes and DescribeTopic reports.
type TopicConfig struct {
	Partitions int32
	// Cleanup defaults to CleanupDelete when empty.
	Cleanup CleanupPolicy
	// Retention is retention.ms as a duration: records older than this may be removed. Zero
	// means the implementation's default (7 days, like Kafka); negative means forever.
	Retention time.Duration
	// RetentionBytes is retention.bytes per partition; zero or negative means unlimited.
	RetentionBytes int64
}

// TopicInfo describes an existing topic.
type TopicInfo struct {
	Name   string
	Config TopicConfig
}

// FetchRequest reads one partition starting at Offset.
type FetchRequest struct {
	Topic     string
	Partition int32
	Offset    int64
	// MaxRecords bounds the batch (0 means 1000). MaxBytes bounds it in bytes (0 means 1 MiB);
	// at least one record is returned even if it alone exceeds MaxBytes.
	MaxRecords int
	MaxBytes   int
	// MaxWait is how long Fetch blocks when no record at or after Offset exists yet. Zero
	// means return at once. The context also bounds the wait.
	MaxWait time.Duration
}

// FetchResult is one batch. Records are in offset order; on compacted topics offsets may have
// gaps. NextOffset is where the next fetch should start (the offset after the last record, or
// the request's offset when no record was returned). HighWatermark is the partition's latest
// offset (one past the last record) as of the fetch.
type FetchResult struct {
	Records       []Record
	NextOffset    int64
	HighWatermark int64
}

// PartitionOffsets are the first available offset and the offset the next record will get.
type PartitionOffsets struct {
	Earliest int64
	Latest   int64
}

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Broker is everything the engine needs from a log of records. Implementations are safe for
// concurrent use.
type Broker interface {
	// CreateTopic creates a topic; ErrTopicExists if it exists.
	CreateTopic(ctx context.Context, name string, cfg TopicConfig) error
	// DeleteTopic removes a topic and its records; ErrUnknownTopic if absent.
	DeleteTopic(ctx context.Context, name string) error
	// DescribeTopic reports a topic's configuration; ErrUnknownTopic if absent.
	DescribeTopic(ctx context.Context, name string) (TopicInfo, error)
	// ListTopics lists all topics (internal topics such as __consumer_offsets excluded),
	// sorted by name.
	ListTopics(ctx context.Context) ([]TopicInfo, error)

	// Produce appends records to topic. A record whose Partition is AnyPartition gets one from
	// the default partitioner. When Produce returns nil every record is durable (per the
	// implementation's documented policy) and has its Topic, Partition and Offset set; a
	// zero Timestamp is replaced by the append time. Records for one partition keep their
	// relative order.
	Produce(ctx context.Context, topic string, records []Record) error

	// Fetch reads a batch from one partition, blocking up to MaxWait for new records.
	// ErrOffsetOutOfRange if the offset is before Earliest or after Latest.
	Fetch(ctx context.Context, req FetchRequest) (FetchResult, error)

	// Offsets returns earliest/latest offsets of every partition of topic, indexed by partition.
	Offsets(ctx context.Context, topic string) ([]PartitionOffsets, error)

	// CommitOffsets stores, for group, the next offset to read of each partition.
	CommitOffsets(ctx context.Context, group string, offsets map[TopicPartition]int64) error
	// FetchOffsets returns group's committed offsets for topic's partitions; partitions with no
	// commit are absent from the map.
	FetchOffsets(ctx context.Context, group string, topic string) (map[int32]int64, error)

	Close() error
}

var (
	ErrUnknownTopic     = errors.New("broker: unknown topic")
	ErrTopicExists      = errors.New("broker: topic already exists")
	ErrInvalidPartition = errors.New("broker: partition out of range")
	ErrOffsetOutOfRange = errors.New("broker: offset out of range")
	ErrInvalidConfig    = errors.New("broker: invalid topic configuration")
	ErrClosed           = errors.New("broker: closed")
	ErrRecordTooLarge   = errors.New("broker: record too large")
	ErrCorrupt          = errors.New("broker: corrupt data")
)

// AtomicProducer is a broker whose appends can commit in one durable batch with other writes
// (operator state, input offsets) to the same store: the embedded log. A query that uses it
// produces each output exactly once, even across a crash.
type AtomicProducer interface {
	// ProduceWith appends records to topic and applies extra in one atomic, durable write.
	// records may be empty (extra alone is committed).
	ProduceWith(ctx context.Context, topic string, records []Record, extra *pebble.Batch) error
}

// AtomicOffsets is an AtomicProducer that can also put a consumer group's offsets into the
// batch it commits: a query's outputs and its input offsets then commit together (exactly
// once), with one sync instead of two.
type AtomicOffsets interface {
	AtomicProducer
	// OffsetBatch returns a batch holding group's offsets, to pass to ProduceWith.
	OffsetBatch(group string, offsets map[TopicPartition]int64) (*pebble.Batch, error)
}
