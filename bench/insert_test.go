package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/wire"
)

// BenchmarkInsertPG measures the way the embedded-log latency run of the peer benchmark feeds
// streamsql: b.N single-row INSERT statements over the Postgres endpoint, from 8 connections,
// each sending 64 statements (one per line) per simple-protocol message, into a stream read by
// the B6 alert query, on a durable embedded log (one fsync per message, as cmd/streamsql opens
// it). It runs
// engine and server in this process, so -cpuprofile shows where an INSERT's CPU goes.
func BenchmarkInsertPG(b *testing.B) { benchInsertPG(b, false, "\n") }

// BenchmarkInsertPGNoSync is the same without the fsync: the CPU bound of the INSERT path.
func BenchmarkInsertPGNoSync(b *testing.B) { benchInsertPG(b, true, "\n") }

// BenchmarkInsertPGOneLine sends each message's 64 statements on one line, without fsync: it
// guards the lexer's column bookkeeping, which once counted the runes from the start of the
// line for every token (quadratic in the line's length).
func BenchmarkInsertPGOneLine(b *testing.B) { benchInsertPG(b, true, "") }

// insertConns is how many connections insert concurrently (group commit merges their fsyncs).
var insertConns = 8

func benchInsertPG(b *testing.B, noSync bool, sep string) {
	conns, batch := insertConns, 64
	ctx := context.Background()
	log, err := embedded.Open(b.TempDir(), embedded.Options{NoSync: noSync, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	eng, s := openEngine(b, engine.Config{Broker: log, NoSync: noSync})
	defer eng.Close()
	runSQL(b, s, `CREATE STREAM src (device_id STRING KEY, site STRING, ts BIGINT, temperature DOUBLE, humidity DOUBLE, battery DOUBLE, ingest_ns BIGINT)
		WITH (kafka_topic='src', value_format='JSON', partitions=1);`)
	runSQL(b, s, `CREATE STREAM alerts AS SELECT device_id, ts, humidity, ingest_ns FROM src WHERE humidity > 85;`)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := wire.New(wire.Config{MaxConnections: 100, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, eng)
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	url := "postgres://bench@" + ln.Addr().String() + "/streamsql?sslmode=disable"
	cs := make([]*pgx.Conn, conns)
	for i := range cs {
		if cs[i], err = pgx.Connect(ctx, url); err != nil {
			b.Fatal(err)
		}
		defer cs[i].Close(context.Background())
	}
	stmt := func(i int) string {
		return fmt.Sprintf("INSERT INTO src (device_id, site, ts, temperature, humidity, battery, ingest_ns) VALUES ('dev-%06d', 'ams-1', %d, %.2f, %.2f, 3.71, %d);"+sep,
			i%10000, 1700000000000+int64(i), 15+float64(i%200)/10, 60+float64(i%400)/10, time.Now().UnixNano())
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var sb strings.Builder
			for i := c; i < b.N; {
				sb.Reset()
				for n := 0; n < batch && i < b.N; n, i = n+1, i+conns {
					sb.WriteString(stmt(i))
				}
				if _, err := cs[c].Exec(ctx, sb.String(), pgx.QueryExecModeSimpleProtocol); err != nil {
					errs <- err
					return
				}
			}
		}(c)
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}
