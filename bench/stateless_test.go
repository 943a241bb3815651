package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/api"
)

// reading is a 260-byte JSON sensor reading.
func reading(i int) []byte {
	v := fmt.Sprintf(`{"DEVICE_ID":"sensor-%06d","TS":%d,"TEMPERATURE":%.2f,"HUMIDITY":%.2f,"PRESSURE":1013.25,"BATTERY":3.71,"FIRMWARE":"v2.3.1-rc4","LOCATION":"building-7/floor-3/room-312","STATUS":"OK","SEQ":%d,"META":"{\"zone\":%d,\"owner\":\"ops\"}","NOTE":"`,
		i%1000, 1700000000000+int64(i), 15+float64(i%200)/10, 60+float64(i%400)/10, i, i%7)
	if n := 258 - len(v); n > 0 {
		v += strings.Repeat("x", n)
	}
	return []byte(v + `"}`)
}

// openEngine opens an engine with cfg (its logging discarded) and a session on it; the caller
// closes the engine.
func openEngine(b *testing.B, cfg engine.Config) (*engine.Engine, api.Session) {
	b.Helper()
	ctx := context.Background()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := engine.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := eng.NewSession(ctx, nil)
	if err != nil {
		eng.Close()
		b.Fatal(err)
	}
	return eng, s
}

func runSQL(b *testing.B, s api.Session, sql string) {
	b.Helper()
	if err := s.Run(context.Background(), sql, func(r *api.Result) error { return nil }); err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
}

// benchQuery loads b.N records into a one-partition topic, then measures a persistent query
// reading them all and writing its output: decode → filter → project → encode → produce,
// with offsets committed per batch. Run with -cpu 1 for the per-core figure.
func benchQuery(b *testing.B, query string) {
	ctx := context.Background()
	log, err := embedded.Open(b.TempDir(), embedded.Options{NoSync: true, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	if err := log.CreateTopic(ctx, "readings", broker.TopicConfig{Partitions: 1, Retention: -1}); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	recs := make([]broker.Record, 0, batch)
	for i := 0; i < b.N; i++ {
		recs = append(recs, broker.Record{Partition: 0, Key: []byte(fmt.Sprintf("sensor-%06d", i%1000)), Value: reading(i), Timestamp: time.UnixMilli(1700000000000 + int64(i))})
		if len(recs) == batch || i == b.N-1 {
			if err := log.Produce(ctx, "readings", recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	if err := log.Settle(); err != nil {
		b.Fatal(err)
	}
	eng, s := openEngine(b, engine.Config{Broker: log, PollWait: 5 * time.Millisecond})
	defer eng.Close()
	runSQL(b, s, `CREATE STREAM readings (device_id STRING KEY, ts BIGINT, temperature DOUBLE, humidity DOUBLE, pressure DOUBLE,
		battery DOUBLE, firmware STRING, location STRING, status STRING, seq BIGINT, meta STRING, note STRING)
		WITH (kafka_topic='readings', value_format='JSON');`)
	runSQL(b, s, `SET 'auto.offset.reset'='earliest';`)
	b.SetBytes(int64(len(reading(0))))
	b.ResetTimer()
	runSQL(b, s, query)
	if err := eng.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if n := eng.ProcessingErrors(); n != 0 {
		b.Fatalf("%d records were skipped", n)
	}
}

// BenchmarkStatelessFilterProject is the hot path of the SQL core: a filter and a projection.
func BenchmarkStatelessFilterProject(b *testing.B) {
	benchQuery(b, `CREATE STREAM alerts AS SELECT device_id, humidity, temperature, location FROM readings WHERE humidity > 85.0;`)
}

// BenchmarkStatelessPassThrough writes every record (SELECT *): the cost of a full re-encode.
func BenchmarkStatelessPassThrough(b *testing.B) {
	benchQuery(b, `CREATE STREAM copy AS SELECT * FROM readings;`)
}

// BenchmarkStatelessFunctions calls a dozen functions per record: string, math, JSON and
// date/time, on every record (no filter).
func BenchmarkStatelessFunctions(b *testing.B) {
	benchQuery(b, `CREATE STREAM enriched AS SELECT device_id,
		UCASE(location) AS loc, SUBSTRING(firmware, 2, 3) AS fw_major, CONCAT(device_id, '-', status) AS tag,
		LEN(location) AS loc_len, SPLIT(location, '/')[1] AS building, REGEXP_REPLACE(firmware, '-rc[0-9]+', '') AS fw,
		ROUND(humidity, 1) AS hum, ABS(temperature - 20.0) AS temp_dev, SQRT(pressure) AS p_root,
		EXTRACTJSONFIELD(meta, '$.owner') AS owner, CAST(EXTRACTJSONFIELD(meta, '$.zone') AS INT) AS zone,
		FORMAT_TIMESTAMP(FROM_UNIXTIME(ts), 'yyyy-MM-dd HH:mm:ss') AS at_text,
		TIMESTAMPADD(MINUTES, 5, FROM_UNIXTIME(ts)) AS due
		FROM readings;`)
}
