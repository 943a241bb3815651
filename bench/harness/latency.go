package harness

import (
	"context"
	"sort"
	"time"

	"github.com/streamsql/streamsql/bench/load"
	"github.com/streamsql/streamsql/broker"
)

// latency runs q on sys over an empty input topic that the harness feeds at rate events/s
// (open loop, each input stamped with its production wall clock in ingest_ns and, as event
// time, with that clock plus the probe's offset) and reads the output as it appears, through
// Kafka on both sides; the probe turns each output into a latency sample. Samples from the
// warm-up are dropped.
func (r *runner) latency(ctx context.Context, q Query, sys string, run, rate int) (l Latency) {
	l = Latency{Query: q.ID, System: sys, Run: run, Rate: rate}
	tag := r.tag(q, sys)
	in := "paced_" + tag
	if err := createTopic(ctx, r.kc, in, broker.TopicConfig{Partitions: 1}); err != nil {
		l.Err = err.Error()
		return l
	}
	s, err := r.launch(ctx, q, sys, tag, in)
	if err != nil {
		l.Err = err.Error()
		r.dropKafka(context.Background(), []string{tag})
		return l
	}
	defer func() {
		s.p.stop(15 * time.Second)
		r.dropKafka(context.Background(), append(s.cleanup, in))
	}()
	// Give a freshly started consumer a moment to be polling before the clock starts.
	time.Sleep(time.Second)

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	p := newProbe(q, r.cfg, run, start.UnixNano(), start.Add(r.cfg.LatencyWarmup).UnixNano())
	done := make(chan struct{})
	go func() {
		defer close(done)
		off := int64(0)
		for rctx.Err() == nil {
			res, err := r.kc.Fetch(rctx, broker.FetchRequest{Topic: s.out, Partition: 0, Offset: off, MaxWait: 100 * time.Millisecond})
			if err != nil {
				time.Sleep(20 * time.Millisecond) // the output topic may not exist yet
				continue
			}
			now := time.Now().UnixNano()
			var row jsonRow
			for _, rec := range res.Records {
				row.v = rec.Value
				p.observe(&row, now)
			}
			off = res.NextOffset
		}
	}()

	sent, err := load.Pace(ctx, r.kc, rate, p.runFor(r.cfg.LatencyWarmup+r.cfg.LatencyDur), func(now int64) broker.Record {
		e := p.next(now)
		return broker.Record{Topic: in, Partition: 0, Key: e.Key, Value: e.Value, Timestamp: time.UnixMilli(e.TimeMs)}
	})
	if err != nil {
		l.Err = err.Error()
	}
	p.awaitStragglers()
	cancel()
	<-done
	l.Achieved = int(float64(sent) / time.Since(start).Seconds())
	p.finish(&l)
	return l
}

// setPercentiles sorts lats and records their count and percentiles.
func (l *Latency) setPercentiles(lats []time.Duration) {
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	l.Samples = len(lats)
	if len(lats) > 0 {
		l.P50, l.P99, l.P999, l.Max = pct(lats, 0.5), pct(lats, 0.99), pct(lats, 0.999), lats[len(lats)-1]
	}
}

func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
