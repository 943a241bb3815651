package kafka

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"sync"

	kgo "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/streamsql/streamsql/broker"
)

// maxParallelPartitions bounds the produce requests one Produce call has in flight. kafka-go
// uses one connection per in-flight request, so this also bounds the connections it opens.
const maxParallelPartitions = 16

// Produce appends records to topic with acks=all. See the package documentation for the
// at-least-once guarantee.
func (c *Cluster) Produce(ctx context.Context, topic string, records []broker.Record) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if len(records) == 0 {
		return nil
	}
	n, err := c.partitionCount(ctx, topic)
	if err != nil {
		return c.closedErr(wrap(err, "produce to topic %s", topic))
	}
	// Explicit partitions are checked before anything is sent, so that a bad one refuses the
	// whole call.
	for i := range records {
		if p := records[i].Partition; p != broker.AnyPartition && (p < 0 || p >= n) {
			if err := c.checkPartition(ctx, topic, p); err != nil {
				return c.closedErr(wrap(err, "produce to topic %s", topic))
			}
			// The count grew: use the new one for keyed records too, as a Java producer would
			// once its metadata refreshed.
			if n, err = c.partitionCount(ctx, topic); err != nil {
				return c.closedErr(wrap(err, "produce to topic %s", topic))
			}
		}
	}

	groups := assignPartitions(records, topic, n, &c.rr)
	if len(groups) == 1 {
		return c.closedErr(c.producePartition(ctx, topic, groups[0], records))
	}
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, maxParallelPartitions)
		mu   sync.Mutex
		errs []error
	)
	for _, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func(g partitionGroup) {
			defer func() { <-sem; wg.Done() }()
			if err := c.producePartition(ctx, topic, g, records); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	return c.closedErr(errors.Join(errs...))
}

// partitionGroup is the records of one Produce call bound for one partition, as indexes into
// the call's slice, in their original order.
type partitionGroup struct {
	partition int32
	idx       []int
}

// assignPartitions sets Topic and Partition of every record — Kafka's murmur2 partitioner for
// keyed records, round-robin for null keys, the record's own Partition otherwise — and groups
// the records by partition (groups sorted by partition).
func assignPartitions(records []broker.Record, topic string, n int32, rr interface{ Add(uint32) uint32 }) []partitionGroup {
	byPartition := make(map[int32]int)
	var groups []partitionGroup
	for i := range records {
		r := &records[i]
		r.Topic = topic
		if r.Partition == broker.AnyPartition {
			if r.Key == nil {
				r.Partition = int32((rr.Add(1) - 1) % uint32(n))
			} else {
				r.Partition = broker.PartitionForKey(r.Key, n)
			}
		}
		g, ok := byPartition[r.Partition]
		if !ok {
			g = len(groups)
			byPartition[r.Partition] = g
			groups = append(groups, partitionGroup{partition: r.Partition})
		}
		groups[g].idx = append(groups[g].idx, i)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].partition < groups[j].partition })
	return groups
}

// recordSize estimates a record's size in a v2 batch (varint lengths and deltas are a few
// bytes each; the estimate errs high).
func recordSize(r *broker.Record) int {
	n := 24 + len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += 10 + len(h.Key) + len(h.Value)
	}
	return n
}

// chunks splits idx into runs whose estimated size stays within limit; a record larger than
// limit alone makes a run (the broker decides whether it fits).
func chunks(records []broker.Record, idx []int, limit int) [][]int {
	const batchOverhead = 61 // v2 record batch header
	var out [][]int
	start, size := 0, batchOverhead
	for j, i := range idx {
		s := recordSize(&records[i])
		if j > start && size+s > limit {
			out = append(out, idx[start:j])
			start, size = j, batchOverhead
		}
		size += s
	}
	return append(out, idx[start:])
}

// producePartition sends g's records as one or more batches, in order, and sets their offsets.
func (c *Cluster) producePartition(ctx context.Context, topic string, g partitionGroup, records []broker.Record) error {
	for _, idx := range chunks(records, g.idx, c.opts.MaxBatchBytes) {
		var base int64
		err := c.retry(ctx, topic, g.partition, c.opts.RequestTimeout, func(cl *kgo.Client) error {
			res, err := cl.Produce(ctx, &kgo.ProduceRequest{
				Topic:        topic,
				Partition:    int(g.partition),
				RequiredAcks: kgo.RequireAll,
				Records:      &produceReader{records: records, idx: idx},
				Compression:  c.opts.Compression,
			})
			if err != nil {
				return err
			}
			if res.Error != nil {
				// Kafka's message already lists the refused records (for example a null
				// key on a compacted topic).
				return res.Error
			}
			base = res.BaseOffset
			return nil
		})
		if err != nil {
			return wrap(err, "produce to topic %s partition %d", topic, g.partition)
		}
		for j, i := range idx {
			records[i].Offset = base + int64(j)
		}
	}
	return nil
}

// produceReader feeds records to kafka-go's batch encoder without copying them. The encoder
// reads each record completely before asking for the next, so one Record and two byte readers
// are reused for all of them.
type produceReader struct {
	records  []broker.Record
	idx      []int
	next     int
	rec      protocol.Record
	key, val bytesReader
	headers  []protocol.Header
}

func (r *produceReader) ReadRecord() (*protocol.Record, error) {
	if r.next >= len(r.idx) {
		return nil, io.EOF
	}
	src := &r.records[r.idx[r.next]]
	r.next++
	// A zero Timestamp stays zero: kafka-go then stamps the record with the current time.
	r.rec = protocol.Record{Time: src.Timestamp}
	if src.Key != nil { // nil is a null key; an empty non-nil key stays empty
		r.key.Reset(src.Key)
		r.rec.Key = &r.key
	}
	if src.Value != nil { // nil is a tombstone
		r.val.Reset(src.Value)
		r.rec.Value = &r.val
	}
	if len(src.Headers) > 0 {
		r.headers = r.headers[:0]
		for _, h := range src.Headers {
			r.headers = append(r.headers, protocol.Header{Key: h.Key, Value: h.Value})
		}
		r.rec.Headers = r.headers
	}
	return &r.rec, nil
}

// bytesReader is protocol.Bytes over a byte slice (kafka-go's own is unexported and allocated
// per value).
type bytesReader struct{ bytes.Reader }

func (*bytesReader) Close() error { return nil }
