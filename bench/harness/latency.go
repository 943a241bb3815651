package harness

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/streamsql/streamsql/bench/iot"
	"github.com/streamsql/streamsql/bench/load"
	"github.com/streamsql/streamsql/broker"
)

// latency runs B6 on sys over an empty input topic that the harness feeds at rate events/s
// (open loop, each reading stamped with its production wall clock in ingest_ns) and reads the
// output as it appears: latency = receive wall clock − ingest_ns, end to end through Kafka on
// both sides. Samples from the warm-up are dropped.
func (r *runner) latency(ctx context.Context, q Query, sys string, run, rate int) (l Latency) {
	l = Latency{System: sys, Run: run, Rate: rate}
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
	var mu sync.Mutex
	var lats []time.Duration
	received := 0
	warmEnd := time.Now().Add(r.cfg.LatencyWarmup).UnixNano()
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
			mu.Lock()
			for _, rec := range res.Records {
				received++
				if ing := ingestNs(rec.Value); ing >= warmEnd {
					lats = append(lats, time.Duration(now-ing))
				}
			}
			mu.Unlock()
			off = res.NextOffset
		}
	}()

	g := iot.New(iot.Config{Seed: r.cfg.Seed + int64(run), Devices: r.cfg.IoTDevices})
	alerts := 0
	sent, err := load.Pace(ctx, r.kc, rate, r.cfg.LatencyWarmup+r.cfg.LatencyDur, func(now int64) broker.Record {
		rd := g.NextAt(now/1e6, now)
		if rd.Humidity > 85 {
			alerts++
		}
		return broker.Record{Topic: in, Partition: 0, Key: rd.Key, Value: rd.Value, Timestamp: time.Unix(0, now)}
	})
	if err != nil {
		l.Err = err.Error()
	}
	l.Expected = alerts
	awaitStragglers(&mu, &received, alerts)
	cancel()
	<-done
	l.Received = received
	if received < alerts {
		l.Err = fmt.Sprintf("only %d of %d alerts arrived (sent %d readings)", received, alerts, sent)
	}
	l.setPercentiles(lats)
	return l
}

// awaitStragglers waits (at most 5 s) until *received, guarded by mu, reaches want.
func awaitStragglers(mu *sync.Mutex, received *int, want int) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		mu.Lock()
		n := *received
		mu.Unlock()
		if n >= want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
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

var ingestField = []byte(`"INGEST_NS":`)

// ingestNs finds INGEST_NS in an output value without a full decode (the reader must keep up).
func ingestNs(v []byte) int64 {
	i := bytes.Index(v, ingestField)
	if i < 0 {
		return 0
	}
	j := i + len(ingestField)
	k := j
	for k < len(v) && (v[k] >= '0' && v[k] <= '9' || v[k] == '-') {
		k++
	}
	n, _ := strconv.ParseInt(string(v[j:k]), 10, 64)
	return n
}
