package harness

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/bench/iot"
	"github.com/streamsql/streamsql/bench/load"
	"github.com/streamsql/streamsql/bench/nexmark"
	"github.com/streamsql/streamsql/broker"
)

// Dataset is one generated workload held in memory: the records to preload and, per input
// topic a query reads, the values and timestamps in offset order (the models' input).
type Dataset struct {
	Name    string
	Records []broker.Record
	Topics  map[string]broker.TopicConfig
	Input   string // the topic the queries read
	Values  [][]byte
	TS      []int64
}

// baseTime is the event time of the first event: two hours ago, on a 10-minute boundary, so
// that no log's time-based retention (7 days by default, judged on record timestamps) deletes
// the preload during a run, and windows line up the same in every run of one invocation.
func baseTime() int64 {
	t := time.Now().Add(-2 * time.Hour).Truncate(10 * time.Minute)
	return t.UnixMilli()
}

// Nexmark generates n events (about 92 % bids), rate per second of event time (0: 10,000).
func Nexmark(n, rate int, seed, base int64) *Dataset {
	cfg := nexmark.Default(seed)
	cfg.BaseTimeMs = base
	cfg.EventTimeRate = rate
	g := nexmark.New(cfg)
	d := &Dataset{Name: "nexmark", Input: nexmark.BidTopic, Topics: map[string]broker.TopicConfig{}}
	for _, t := range []string{nexmark.PersonTopic, nexmark.AuctionTopic, nexmark.BidTopic} {
		d.Topics[t] = broker.TopicConfig{Partitions: 1, Retention: -1}
	}
	d.Records = make([]broker.Record, 0, n)
	for i := 0; i < n; i++ {
		e := g.Next()
		key := e.Key
		if e.Kind == nexmark.Bid {
			// Bids are keyed by auction (Kafka's LongSerializer, ksqlDB's KAFKA BIGINT), so
			// that B3 and B4 group by the key on every system (no repartition anywhere).
			key = binary.BigEndian.AppendUint64(nil, uint64(e.Auction))
		}
		d.Records = append(d.Records, broker.Record{Topic: e.Kind.Topic(), Partition: 0, Key: key, Value: e.Value, Timestamp: time.UnixMilli(e.TimeMs)})
		if e.Kind == nexmark.Bid {
			d.Values = append(d.Values, e.Value)
			d.TS = append(d.TS, e.TimeMs)
		}
	}
	return d
}

// IoT generates n readings from devices devices, stepMs of event time apart, and the devices
// table.
func IoT(n, devices int, stepMs, seed, base int64) *Dataset {
	cfg := iot.Config{Seed: seed, Devices: devices, BaseTimeMs: base, StepMs: stepMs}
	g := iot.New(cfg)
	d := &Dataset{Name: "iot", Input: iot.ReadingsTopic, Topics: map[string]broker.TopicConfig{
		iot.ReadingsTopic: {Partitions: 1, Retention: -1},
		iot.DevicesTopic:  {Partitions: 1, Retention: -1, Cleanup: broker.CleanupCompact},
	}}
	for _, dev := range iot.Devices(cfg) {
		d.Records = append(d.Records, broker.Record{Topic: iot.DevicesTopic, Key: dev.Key, Value: dev.Value, Timestamp: time.UnixMilli(base)})
	}
	for i := 0; i < n; i++ {
		r := g.Next()
		d.Records = append(d.Records, broker.Record{Topic: iot.ReadingsTopic, Key: r.Key, Value: r.Value, Timestamp: time.UnixMilli(r.TimeMs)})
		d.Values = append(d.Values, r.Value)
		d.TS = append(d.TS, r.TimeMs)
	}
	return d
}

// Load creates the data set's topics in b (replacing them) and preloads its records.
func (d *Dataset) Load(ctx context.Context, b broker.Broker) error {
	for t, cfg := range d.Topics {
		if err := b.DeleteTopic(ctx, t); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			return fmt.Errorf("deleting %s: %w", t, err)
		}
		if err := createTopic(ctx, b, t, cfg); err != nil {
			return err
		}
	}
	return load.Preload(ctx, b, d.Records)
}

// createTopic retries while a deletion of the same name is still under way (Kafka deletes
// asynchronously).
func createTopic(ctx context.Context, b broker.Broker, name string, cfg broker.TopicConfig) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := b.CreateTopic(ctx, name, cfg)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
