package bench

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/bench/harness"
	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/broker/kafka"
	"github.com/streamsql/streamsql/engine"
)

// BenchmarkPeerQueries runs each query of the peer benchmark (bench/harness.Queries: B1 q0 …
// B7 avg5m) in this process over the same generated data set, on a durable embedded log as
// cmd/streamsql opens it, from the earliest offset until the engine is idle. One iteration
// processes BENCH_EVENTS records of the data set (default 200,000 Nexmark events or IoT
// readings), so run it with -benchtime 1x. BENCH_PROFILE=file writes a CPU profile of the
// measured span only (the query, not the generation and preload that -cpuprofile would
// include):
//
//	BENCH_EVENTS=1000000 BENCH_PROFILE=/tmp/b7.prof go test -run '^$' -bench 'PeerQueries/B7' -benchtime 1x -cpu 1 ./bench
func BenchmarkPeerQueries(b *testing.B) {
	peerQueries(b, nil, func(b *testing.B, q harness.Query, d *harness.Dataset, _ int) {
		runPeerQuery(b, q, d)
	})
}

// peerQueries runs every query of the peer benchmark as a sub-benchmark: it generates each
// data set once (BENCH_EVENTS records, default 200,000), hands it to load when load is set,
// and calls run b.N times, reporting events/s.
func peerQueries(b *testing.B, load func(*harness.Dataset) error, run func(b *testing.B, q harness.Query, d *harness.Dataset, i int)) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	base := time.Now().Add(-2 * time.Hour).Truncate(10 * time.Minute).UnixMilli()
	sets := map[string]*harness.Dataset{}
	for _, q := range harness.Queries {
		b.Run(q.ID+"_"+q.Name, func(b *testing.B) {
			d := sets[q.Dataset]
			if d == nil {
				if q.Dataset == "nexmark" {
					d = harness.Nexmark(n, 0, 42, base)
				} else {
					d = harness.IoT(n, 10_000, 10, 42, base)
				}
				if load != nil {
					if err := load(d); err != nil {
						b.Fatal(err)
					}
				}
				sets[q.Dataset] = d
			}
			for i := 0; i < b.N; i++ {
				run(b, q, d, i)
			}
			b.ReportMetric(float64(len(d.Values)*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkPeerQueriesKafka is BenchmarkPeerQueries on the Kafka broker at BENCH_KAFKA
// (skipped when unset), with operator state in Pebble under a state directory as
// cmd/streamsql keeps it there. It replaces the data sets' topics (nexmark-*, iot-*) on that
// broker: do not point it at a broker a benchmark run is using.
func BenchmarkPeerQueriesKafka(b *testing.B) {
	addr := os.Getenv("BENCH_KAFKA")
	if addr == "" {
		b.Skip("BENCH_KAFKA is unset")
	}
	ctx := context.Background()
	kc, err := kafka.Open(ctx, []string{addr}, kafka.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer kc.Close()
	peerQueries(b, func(d *harness.Dataset) error { return d.Load(ctx, kc) }, func(b *testing.B, q harness.Query, d *harness.Dataset, i int) {
		tag := fmt.Sprintf("benchq_%d_%d", time.Now().UnixNano()%1e9, i)
		runQuery(b, q, d, kc, engine.Config{StateDir: b.TempDir(), CommandTopic: "_cmd_" + tag}, tag)
		dropTopics(ctx, kc, tag)
	})
}

// dropTopics deletes the topics whose names contain tag (case-insensitively).
func dropTopics(ctx context.Context, kc *kafka.Cluster, tag string) {
	ts, err := kc.ListTopics(ctx)
	if err != nil {
		return
	}
	for _, t := range ts {
		if strings.Contains(strings.ToLower(t.Name), strings.ToLower(tag)) {
			_ = kc.DeleteTopic(ctx, t.Name)
		}
	}
}

func runPeerQuery(b *testing.B, q harness.Query, d *harness.Dataset) {
	b.StopTimer()
	ctx := context.Background()
	log, err := embedded.Open(b.TempDir(), embedded.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	if err := d.Load(ctx, log); err != nil {
		b.Fatal(err)
	}
	if err := log.Settle(); err != nil {
		b.Fatal(err)
	}
	runQuery(b, q, d, log, engine.Config{}, "")
}

// runQuery runs q over d's input on br until the engine is idle, timing (and with
// BENCH_PROFILE profiling) only that span. tag, when set, makes the sink's names unique.
func runQuery(b *testing.B, q harness.Query, d *harness.Dataset, br broker.Broker, cfg engine.Config, tag string) {
	b.StopTimer()
	ctx := context.Background()
	// BENCH_BATCH sets the engine's records per batch (default 1,000, cmd/streamsql's).
	cfg.BatchSize, _ = strconv.Atoi(os.Getenv("BENCH_BATCH"))
	cfg.Broker = br
	eng, s := openEngine(b, cfg)
	defer eng.Close()
	runSQL(b, s, `SET 'auto.offset.reset'='earliest';`)
	stmts := q.SQL("src"+tag, d.Input, "res"+tag, "out"+tag)
	runSQL(b, s, stmts[0])
	if path := os.Getenv("BENCH_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	b.StartTimer()
	runSQL(b, s, stmts[1])
	if err := eng.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if os.Getenv("BENCH_PROFILE") != "" {
		pprof.StopCPUProfile()
	}
	if n := eng.ProcessingErrors(); n != 0 {
		b.Fatalf("%d records were skipped", n)
	}
}
