package load

import (
	"context"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/broker"
)

// batchSize is the records per Produce call: large enough to amortise a round trip, small
// enough to keep the preload's memory flat.
const batchSize = 1000

// Preload appends recs to b, each to its Topic, in order, in batches per topic. Records of one
// topic keep their relative order.
func Preload(ctx context.Context, b broker.Broker, recs []broker.Record) error {
	pending := map[string][]broker.Record{}
	flush := func(topic string) error {
		batch := pending[topic]
		if len(batch) == 0 {
			return nil
		}
		if err := b.Produce(ctx, topic, batch); err != nil {
			return fmt.Errorf("preloading %s: %w", topic, err)
		}
		pending[topic] = batch[:0]
		return nil
	}
	for _, r := range recs {
		pending[r.Topic] = append(pending[r.Topic], r)
		if len(pending[r.Topic]) >= batchSize {
			if err := flush(r.Topic); err != nil {
				return err
			}
		}
	}
	for t := range pending {
		if err := flush(t); err != nil {
			return err
		}
	}
	return nil
}

// Next makes the event due at wall clock now (Unix ns); its Topic says where it goes.
type Next func(nowNs int64) broker.Record

// Pace produces rate events per second for dur through b, then returns how many it sent.
// It is open loop: every millisecond it produces whatever is due by then, so a slow system
// under test does not slow the offered load (a slow log does: Produce is synchronous). Each
// event is built at the moment it is sent, so its stamp is its production time.
func Pace(ctx context.Context, b broker.Broker, rate int, dur time.Duration, next Next) (int, error) {
	if rate <= 0 {
		return 0, fmt.Errorf("pace: rate %d must be positive", rate)
	}
	start := time.Now()
	sent := 0
	byTopic := map[string][]broker.Record{}
	for {
		el := time.Since(start)
		if el >= dur {
			return sent, nil
		}
		due := int(float64(rate)*el.Seconds()) - sent
		if due > 0 {
			now := time.Now().UnixNano()
			for i := 0; i < due; i++ {
				r := next(now)
				byTopic[r.Topic] = append(byTopic[r.Topic], r)
			}
			for t, recs := range byTopic {
				if err := b.Produce(ctx, t, recs); err != nil {
					return sent, fmt.Errorf("pace: %w", err)
				}
				byTopic[t] = recs[:0]
			}
			sent += due
		}
		select {
		case <-ctx.Done():
			return sent, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}
