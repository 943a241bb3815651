package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/engine"
)

// benchAggregate loads b.N readings from `keys` devices (1 ms apart) into a one-partition
// topic, then measures a windowed aggregation over all of them until it has caught up:
// decode → group → window → accumulate (write-back cache over Pebble state) → encode →
// produce, with state, offsets and outputs committed in one batch per input batch. Run with
// -cpu 1 for the per-core figure. It reports the state's size on disk and the process's peak
// RSS (which includes the preloaded input).
func benchAggregate(b *testing.B, keys int, query string) {
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
		k := i % keys
		v := fmt.Sprintf(`{"TEMPERATURE":%.2f,"HUMIDITY":%.2f,"STATUS":"OK"}`, 15+float64(i%200)/10, 60+float64(i%400)/10)
		recs = append(recs, broker.Record{Partition: 0, Key: []byte("sensor-" + strconv.Itoa(k)), Value: []byte(v), Timestamp: time.UnixMilli(1700000000000 + int64(i))})
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
	eng, s := openEngine(b, engine.Config{Broker: log, PollWait: 5 * time.Millisecond, NoSync: true})
	defer eng.Close()
	runSQL(b, s, `CREATE STREAM readings (device_id STRING KEY, temperature DOUBLE, humidity DOUBLE, status STRING)
		WITH (kafka_topic='readings', value_format='JSON');`)
	runSQL(b, s, `SET 'auto.offset.reset'='earliest';`)
	b.ResetTimer()
	runSQL(b, s, query)
	if err := eng.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(eng.StateBytes())/(1<<20), "state-MB")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// peakRSSMB is the process's peak resident set (VmHWM), in MiB.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

const (
	tumblingAvg  = `CREATE TABLE temp_5m AS SELECT device_id, AVG(temperature) AS avg_temp FROM readings WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY device_id EMIT CHANGES;`
	hoppingCount = `CREATE TABLE counts AS SELECT device_id, COUNT(*) AS n FROM readings WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY device_id EMIT CHANGES;`
)

// BenchmarkAggregateTumblingAvg100k: per-device 5-minute average, 100,000 devices.
func BenchmarkAggregateTumblingAvg100k(b *testing.B) { benchAggregate(b, 100_000, tumblingAvg) }

// BenchmarkAggregateTumblingAvg1M: the same over 1,000,000 devices.
func BenchmarkAggregateTumblingAvg1M(b *testing.B) { benchAggregate(b, 1_000_000, tumblingAvg) }

// BenchmarkAggregateHoppingCount100k: per-device count in 10 s windows advancing by 2 s (five
// windows per event), 100,000 devices.
func BenchmarkAggregateHoppingCount100k(b *testing.B) { benchAggregate(b, 100_000, hoppingCount) }

// BenchmarkAggregateHoppingCount1M: the same over 1,000,000 devices.
func BenchmarkAggregateHoppingCount1M(b *testing.B) { benchAggregate(b, 1_000_000, hoppingCount) }
