package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	kgo "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/streamsql/streamsql/broker"
)

// kafkaError turns a response's error code into kafka-go's error value (nil for 0).
func kafkaError(code int16) error {
	if code == 0 {
		return nil
	}
	return kgo.Error(code)
}

// kafkaCode is the Kafka protocol error code carried by err, if any.
func kafkaCode(err error) (kgo.Error, bool) {
	var ke kgo.Error
	if errors.As(err, &ke) {
		return ke, true
	}
	return 0, false
}

// sentinelFor is the broker error a Kafka error corresponds to, or nil when none does.
func sentinelFor(err error) error {
	code, ok := kafkaCode(err)
	if !ok {
		return nil
	}
	switch code {
	case kgo.UnknownTopicOrPartition, kgo.InvalidTopic, kgo.UnknownTopicID:
		return broker.ErrUnknownTopic
	case kgo.TopicAlreadyExists:
		return broker.ErrTopicExists
	case kgo.OffsetOutOfRange:
		return broker.ErrOffsetOutOfRange
	case kgo.MessageSizeTooLarge, kgo.RecordListTooLarge:
		// MESSAGE_TOO_LARGE: a batch above message.max.bytes (broker) or max.message.bytes
		// (topic); RECORD_LIST_TOO_LARGE: a batch above the segment size.
		return broker.ErrRecordTooLarge
	case kgo.InvalidPartitionNumber, kgo.InvalidReplicationFactor, kgo.InvalidReplicaAssignment,
		kgo.InvalidConfiguration, kgo.PolicyViolation:
		return broker.ErrInvalidConfig
	case kgo.InvalidMessage: // CORRUPT_MESSAGE: a CRC mismatch
		return broker.ErrCorrupt
	}
	return nil
}

// wrap adds what the operation was about to err and, when the Kafka error has a broker
// sentinel, makes errors.Is find that sentinel too.
func wrap(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if s := sentinelFor(err); s != nil && !errors.Is(err, s) {
		return fmt.Errorf("kafka: %s: %w: %w", what, s, err)
	}
	return fmt.Errorf("kafka: %s: %w", what, err)
}

// failure says what a retry loop should do about an error.
type failure int

const (
	// permanent errors are returned to the caller as they are.
	permanent failure = iota
	// transient errors (timeouts, a coordinator loading, a lost connection) are retried
	// after a backoff.
	transient
	// stale errors mean kafka-go's cluster layout (or the broker's view of it) may be out of
	// date: the topic is checked against fresh metadata, routing is reloaded, then retried.
	stale
)

func classify(err error) failure {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return permanent
	}
	// kafka-go's Transport reports these itself when its layout lacks the topic, partition
	// or leader; no request reached a broker.
	if errors.Is(err, protocol.ErrNoTopic) || errors.Is(err, protocol.ErrNoPartition) || errors.Is(err, protocol.ErrNoLeader) {
		return stale
	}
	if code, ok := kafkaCode(err); ok {
		switch code {
		case kgo.UnknownTopicOrPartition, kgo.NotLeaderForPartition, kgo.LeaderNotAvailable,
			kgo.BrokerNotAvailable, kgo.ReplicaNotAvailable, kgo.FencedLeaderEpoch,
			kgo.UnknownLeaderEpoch, kgo.NotController, kgo.KafkaStorageError, kgo.UnknownTopicID,
			kgo.InconsistentTopicID:
			return stale
		case kgo.RequestTimedOut, kgo.NetworkException, kgo.GroupLoadInProgress,
			kgo.GroupCoordinatorNotAvailable, kgo.NotCoordinatorForGroup, kgo.NotEnoughReplicas,
			kgo.NotEnoughReplicasAfterAppend, kgo.OffsetNotAvailable, kgo.ThrottlingQuotaExceeded,
			kgo.UnstableOffsetCommit, kgo.PreferredLeaderNotAvailable, kgo.Unknown:
			// Unknown (-1) is what kafka-go's ListOffsets merger reports for a sub-request
			// that failed on the wire.
			return transient
		}
		return permanent
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) {
		return transient
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return transient
	}
	return permanent
}
