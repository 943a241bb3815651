package embedded

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/broker"
)

const benchBatch = 1000

func benchRecords(n int) []broker.Record {
	recs := make([]broker.Record, n)
	for i := range recs {
		key := []byte(fmt.Sprintf("key-%06d", i))
		val := make([]byte, 100)
		copy(val, fmt.Sprintf(`{"id":%d,"v":"`, i))
		recs[i] = broker.Record{Partition: broker.AnyPartition, Key: key, Value: val, Timestamp: time.UnixMilli(int64(i))}
	}
	return recs
}

// BenchmarkProduce appends batches of 1000 ~100-byte records: one Pebble batch each, synced
// unless NoSync. The parallel cases show group commit: producers share WAL syncs.
func BenchmarkProduce(b *testing.B) {
	for _, c := range []struct {
		name      string
		noSync    bool
		producers int
		parts     int32
	}{
		{"sync", false, 1, 1},
		{"sync-4producers-1topic", false, 4, 4},
		{"nosync", true, 1, 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			l, err := Open(b.TempDir(), Options{NoSync: c.noSync, CleanupInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			if err := l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: c.parts, Retention: -1}); err != nil {
				b.Fatal(err)
			}
			batches := make([][]broker.Record, c.producers)
			for p := range batches {
				batches[p] = benchRecords(benchBatch)
			}
			b.SetBytes(int64(benchBatch * (len(batches[0][0].Key) + len(batches[0][0].Value))))
			b.ResetTimer()
			var wg sync.WaitGroup
			var mu sync.Mutex
			next := 0
			for p := 0; p < c.producers; p++ {
				wg.Add(1)
				go func(recs []broker.Record) {
					defer wg.Done()
					for {
						mu.Lock()
						if next >= b.N {
							mu.Unlock()
							return
						}
						next++
						mu.Unlock()
						for i := range recs {
							recs[i].Partition = broker.AnyPartition
						}
						if err := l.Produce(ctx, "t", recs); err != nil {
							b.Error(err)
							return
						}
					}
				}(batches[p])
			}
			wg.Wait()
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkFetch reads a 100k-record partition in fetches of up to 1000 records.
func BenchmarkFetch(b *testing.B) {
	const total = 100_000
	l, err := Open(b.TempDir(), Options{NoSync: true, CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if err := l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1, Retention: -1}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < total/benchBatch; i++ {
		recs := benchRecords(benchBatch)
		for j := range recs {
			recs[j].Partition = 0
		}
		if err := l.Produce(ctx, "t", recs); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.db.Flush(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(benchBatch * (10 + 100)))
	b.ReportAllocs()
	b.ResetTimer()
	off := int64(0)
	for i := 0; i < b.N; i++ {
		res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: off, MaxRecords: benchBatch})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Records) != benchBatch {
			b.Fatalf("got %d records", len(res.Records))
		}
		off = res.NextOffset % total
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
}
