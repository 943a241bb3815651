package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

// benchRecords makes n keyed records with ~100-byte JSON values.
func benchRecords(n int, partition int32) []broker.Record {
	recs := make([]broker.Record, n)
	for i := range recs {
		recs[i] = broker.Record{
			Partition: partition,
			Key:       []byte(fmt.Sprintf("device-%05d", i%5000)),
			Value:     []byte(fmt.Sprintf(`{"device":"device-%05d","seq":%9d,"temp":21.5,"hum":0.43,"site":"north-hall-7"}`, i%5000, i)),
		}
	}
	return recs
}

// BenchmarkProduce is one Produce call of a batch of keyed records over 6 partitions, acks=all.
func BenchmarkProduce(b *testing.B) {
	for _, batch := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			c := openCluster(b, Options{})
			topic := createTopic(b, c, broker.TopicConfig{Partitions: 6})
			recs := benchRecords(batch, broker.AnyPartition)
			size := 0
			for i := range recs {
				size += len(recs[i].Key) + len(recs[i].Value)
			}
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				for j := range recs {
					recs[j].Partition = broker.AnyPartition
				}
				if err := c.Produce(ctx, topic, recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkFetch is one Fetch of up to 1000 records (1 MiB) from a preloaded partition.
func BenchmarkFetch(b *testing.B) {
	c := openCluster(b, Options{})
	topic := createTopic(b, c, broker.TopicConfig{Partitions: 1})
	const preload = 100_000
	ctx := context.Background()
	for i := 0; i < preload; i += 10_000 {
		require.NoError(b, c.Produce(ctx, topic, benchRecords(10_000, 0)))
	}
	b.ResetTimer()
	start := time.Now()
	var off int64
	total := 0
	for i := 0; i < b.N; i++ {
		res, err := c.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: off, MaxRecords: 1000})
		if err != nil {
			b.Fatal(err)
		}
		total += len(res.Records)
		if off = res.NextOffset; off >= preload {
			off = 0
		}
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "records/s")
}
