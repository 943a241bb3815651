package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/streamsql/streamsql/broker"
)

// DefaultCommandTopic is the topic that holds the command log.
const DefaultCommandTopic = "_streamsql_commands"

// Log persists commands on a single-partition topic that is never compacted or expired, and
// replays them into a Catalog. Appends are serialized: the command's Seq is the offset it will
// get, so two writers cannot interleave sequence numbers.
type Log struct {
	b     broker.Broker
	topic string
	mu    sync.Mutex
	next  int64
}

// OpenLog creates the command topic if needed and replays every command into cat.
func OpenLog(ctx context.Context, b broker.Broker, topic string, cat *Catalog) (*Log, error) {
	if topic == "" {
		topic = DefaultCommandTopic
	}
	err := b.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: 1, Retention: -1})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return nil, fmt.Errorf("catalog: creating command topic %s: %w", topic, err)
	}
	l := &Log{b: b, topic: topic}
	offs, err := b.Offsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("catalog: command topic %s: %w", topic, err)
	}
	end := offs[0].Latest
	off := offs[0].Earliest
	for off < end {
		res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: off, MaxRecords: 1000, MaxBytes: 8 << 20, MaxWait: 5 * time.Second})
		if err != nil {
			return nil, fmt.Errorf("catalog: replaying %s at offset %d: %w", topic, off, err)
		}
		for _, r := range res.Records {
			cmd, err := DecodeCommand(r.Value)
			if err != nil {
				return nil, fmt.Errorf("catalog: command %d of %s: %w", r.Offset, topic, err)
			}
			// A command that no longer applies (it failed when first written, which Append
			// prevents, or the log was edited) is skipped: replay must not stop the server.
			_ = cat.Apply(cmd)
		}
		if res.NextOffset <= off {
			break
		}
		off = res.NextOffset
	}
	l.next = end
	return l, nil
}

// Append checks cmd against cat, persists it, and applies it. Nothing is applied when the
// write fails, and nothing is written when the command would not apply.
func (l *Log) Append(ctx context.Context, cat *Catalog, cmd *Command) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	cat.mu.RLock()
	err := cat.check(cmd)
	cat.mu.RUnlock()
	if err != nil {
		return err
	}
	cmd.Seq = l.next + 1
	data, err := cmd.Encode()
	if err != nil {
		return err
	}
	recs := []broker.Record{{Partition: 0, Value: data}}
	if err := l.b.Produce(ctx, l.topic, recs); err != nil {
		return fmt.Errorf("catalog: writing command log: %w", err)
	}
	l.next = recs[0].Offset + 1
	return cat.Apply(cmd)
}
