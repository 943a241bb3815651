package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	kgo "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/streamsql/streamsql/broker"
)

const (
	defaultMaxRecords = 1000
	defaultMaxBytes   = 1 << 20
)

// fetchWait is the MaxWait to send to Kafka for a FetchRequest.MaxWait under ctx. kafka-go replaces a zero MaxWait with
// 500 ms, so "return at once" is sent as 1 ns, which it rounds down to 0 ms on the wire. A
// wait that would outlast ctx's deadline is shortened so that Kafka answers (empty) before
// the deadline instead of the connection being torn down by it.
func fetchWait(ctx context.Context, maxWait time.Duration) time.Duration {
	wait := maxWait
	if dl, ok := ctx.Deadline(); ok {
		remain := time.Until(dl)
		margin := min(remain/10, 100*time.Millisecond)
		wait = min(wait, remain-margin)
	}
	if wait < time.Millisecond {
		return time.Nanosecond
	}
	return wait
}

// Fetch reads one batch of req.Partition starting at req.Offset.
//
// Kafka answers with whole record batches of up to MaxBytes, often more than MaxRecords
// records; the rest of the answer is kept as read-ahead for the partition, and the next Fetch
// at the following offset is served from it without a round trip (as the Java consumer does).
// Such a result reports the HighWatermark of the fetch that read it, at most a few seconds old.
func (c *Cluster) Fetch(ctx context.Context, req broker.FetchRequest) (broker.FetchResult, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return broker.FetchResult{}, err
	}
	defer done()
	// kafka-go reads negative offsets as "first"/"last"; for us they are out of range.
	if req.Offset < 0 {
		return broker.FetchResult{}, fmt.Errorf("kafka: fetch topic %s partition %d at offset %d: %w",
			req.Topic, req.Partition, req.Offset, broker.ErrOffsetOutOfRange)
	}
	if err := c.checkPartition(ctx, req.Topic, req.Partition); err != nil {
		return broker.FetchResult{}, c.closedErr(wrap(err, "fetch topic %s partition %d", req.Topic, req.Partition))
	}
	maxRecords := req.MaxRecords
	if maxRecords <= 0 {
		maxRecords = defaultMaxRecords
	}
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = defaultMaxBytes
	}
	key := partitionKey{req.Topic, req.Partition}

	if cur := c.ahead.take(key, req.Offset); cur != nil {
		out, err := cur.read(req.Topic, req.Partition, req.Offset, maxRecords, maxBytes)
		if err == nil && out.NextOffset > req.Offset {
			c.ahead.keep(key, out.NextOffset, cur)
			return out, nil
		}
		// Nothing usable left (or undecodable): ask Kafka.
	}

	wait := fetchWait(ctx, req.MaxWait)
	var out broker.FetchResult
	// Client.Timeout 0: kafka-go would otherwise cap MaxWait at half of it. The request is
	// bounded below by its own deadline instead.
	err = c.retry(ctx, req.Topic, req.Partition, 0, func(cl *kgo.Client) error {
		rctx, cancel := context.WithTimeout(ctx, wait+c.opts.RequestTimeout)
		defer cancel()
		res, err := cl.Fetch(rctx, &kgo.FetchRequest{
			Topic:     req.Topic,
			Partition: int(req.Partition),
			Offset:    req.Offset,
			MinBytes:  1,
			MaxBytes:  int64(maxBytes),
			MaxWait:   wait,
		})
		if err != nil {
			return err
		}
		if res.Error != nil {
			return res.Error
		}
		cur := newCursor(res)
		if out, err = cur.read(req.Topic, req.Partition, req.Offset, maxRecords, maxBytes); err != nil {
			return err
		}
		c.ahead.keep(key, out.NextOffset, cur)
		return nil
	})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			// Our own request deadline, not the caller's: the broker did not answer.
			return broker.FetchResult{}, fmt.Errorf("kafka: fetch topic %s partition %d at offset %d: no answer within %s: %w",
				req.Topic, req.Partition, req.Offset, wait+c.opts.RequestTimeout, err)
		}
		return broker.FetchResult{}, c.closedErr(wrap(err, "fetch topic %s partition %d at offset %d", req.Topic, req.Partition, req.Offset))
	}
	return out, nil
}

// cursor walks the records of one fetch response. It is not safe for concurrent use; the
// read-ahead hands it to one Fetch at a time.
type cursor struct {
	batches []protocol.RecordReader
	// wholeBatches is set when the response was a RecordStream of complete batches (what
	// the compaction rule in read relies on); kafka-go's empty reader is not.
	wholeBatches bool
	hwm          int64
	// pending is a record read from the response but not returned yet (it did not fit).
	pending        protocol.Record
	pendingControl bool
	hasPending     bool
}

func newCursor(res *kgo.FetchResponse) *cursor {
	c := &cursor{hwm: res.HighWatermark}
	if s, ok := res.Records.(*protocol.RecordStream); ok {
		c.batches, c.wholeBatches = s.Records, true
	} else if res.Records != nil {
		c.batches = []protocol.RecordReader{res.Records}
	}
	return c
}

// next returns the next record and whether it belongs to a control batch; io.EOF at the end.
func (c *cursor) next() (*protocol.Record, bool, error) {
	if c.hasPending {
		c.hasPending = false
		return &c.pending, c.pendingControl, nil
	}
	for len(c.batches) > 0 {
		b := c.batches[0]
		rec, err := b.ReadRecord()
		if errors.Is(err, io.EOF) {
			c.batches = c.batches[1:]
			continue
		}
		if err != nil {
			return nil, false, err
		}
		_, control := b.(*protocol.ControlBatch)
		return rec, control, nil
	}
	return nil, false, io.EOF
}

// unread makes rec the next record again. The struct is copied: kafka-go reuses the one it
// returned, but the key and value it points to stay valid until closed.
func (c *cursor) unread(rec *protocol.Record, control bool) {
	c.pending, c.pendingControl, c.hasPending = *rec, control, true
}

// recordBytes is what a record counts against FetchRequest.MaxBytes.
func recordBytes(rec *protocol.Record) int {
	n := 0
	if rec.Key != nil {
		n += rec.Key.Len()
	}
	if rec.Value != nil {
		n += rec.Value.Len()
	}
	for _, h := range rec.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// read copies the records at or after offset (at most maxRecords, and at most maxBytes of
// keys, values and headers, but at least one record) out of kafka-go's buffers.
//
// Kafka answers with whole record batches, so the first batch may start before offset; those
// records are dropped. Control batches (transaction markers) are skipped but still move
// NextOffset past them, or a partition whose tail is a marker would be fetched forever.
func (c *cursor) read(topic string, partition int32, offset int64, maxRecords, maxBytes int) (broker.FetchResult, error) {
	out := broker.FetchResult{NextOffset: offset, HighWatermark: c.hwm}
	var a arena
	size := 0
	maxSeen := int64(-1)
	sawRecord := false
	for len(out.Records) < maxRecords {
		rec, control, err := c.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return broker.FetchResult{}, fmt.Errorf("%w: decoding topic %s partition %d: %v", broker.ErrCorrupt, topic, partition, err)
		}
		sawRecord = true
		maxSeen = max(maxSeen, rec.Offset)
		if control || rec.Offset < offset {
			if control && rec.Offset >= out.NextOffset {
				out.NextOffset = rec.Offset + 1
			}
			closeRecord(rec)
			continue
		}
		n := recordBytes(rec)
		if len(out.Records) > 0 && size+n > maxBytes {
			c.unread(rec, control)
			break
		}
		size += n
		r, err := copyRecord(rec, &a)
		closeRecord(rec)
		if err != nil {
			return broker.FetchResult{}, fmt.Errorf("%w: decoding topic %s partition %d offset %d: %v", broker.ErrCorrupt, topic, partition, r.Offset, err)
		}
		r.Topic, r.Partition = topic, partition
		out.Records = append(out.Records, r)
		out.NextOffset = r.Offset + 1
	}
	if c.wholeBatches && sawRecord && out.NextOffset == offset && maxSeen < offset {
		// Whole batches came back and none held a record at or after offset. Kafka starts a
		// response at the batch whose last offset is >= offset, so compaction emptied
		// [offset, that last offset]; kafka-go hides the batch's last offset, so step one past
		// offset rather than ask for the same batch again.
		out.NextOffset = offset + 1
	}
	return out, nil
}

// exhausted reports whether no record is left.
func (c *cursor) exhausted() bool {
	rec, control, err := c.next()
	if err != nil {
		return true // the end, or a broken response that is not worth keeping
	}
	c.unread(rec, control)
	return false
}

// aheadMaxAge bounds how long read-ahead is kept: its HighWatermark grows stale, and a
// partition nobody fetches again should not hold memory.
const aheadMaxAge = 5 * time.Second

type partitionKey struct {
	topic     string
	partition int32
}

// readAhead holds, per partition, the unread rest of the last fetch response and the offset
// it continues at.
type readAhead struct {
	mu sync.Mutex
	m  map[partitionKey]aheadEntry
}

type aheadEntry struct {
	offset int64
	cur    *cursor
	at     time.Time
}

// take removes and returns the read-ahead of k if it continues at offset and is fresh.
func (r *readAhead) take(k partitionKey, offset int64) *cursor {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.m[k]
	if !ok {
		return nil
	}
	delete(r.m, k)
	if e.offset != offset || time.Since(e.at) > aheadMaxAge {
		return nil
	}
	return e.cur
}

// keep stores cur as k's read-ahead continuing at offset, unless nothing is left in it.
func (r *readAhead) keep(k partitionKey, offset int64, cur *cursor) {
	if cur.exhausted() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[partitionKey]aheadEntry)
	}
	if len(r.m) >= 64 {
		for key, e := range r.m {
			if time.Since(e.at) > aheadMaxAge {
				delete(r.m, key)
			}
		}
	}
	r.m[k] = aheadEntry{offset: offset, cur: cur, at: time.Now()}
}

// dropTopic forgets topic's read-ahead (the topic was deleted; a new one may reuse offsets).
func (r *readAhead) dropTopic(topic string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.m {
		if k.topic == topic {
			delete(r.m, k)
		}
	}
}

func copyRecord(rec *protocol.Record, a *arena) (broker.Record, error) {
	r := broker.Record{Offset: rec.Offset, Timestamp: rec.Time}
	var err error
	if r.Key, err = a.read(rec.Key); err != nil {
		return r, err
	}
	if r.Value, err = a.read(rec.Value); err != nil {
		return r, err
	}
	if len(rec.Headers) > 0 {
		r.Headers = make([]broker.Header, len(rec.Headers))
		for i, h := range rec.Headers {
			// kafka-go decodes header values into their own slices; keep nil (null) as nil.
			r.Headers[i] = broker.Header{Key: h.Key, Value: h.Value}
		}
	}
	return r, nil
}

func closeRecord(rec *protocol.Record) {
	if rec.Key != nil {
		_ = rec.Key.Close()
	}
	if rec.Value != nil {
		_ = rec.Value.Close()
	}
}

// arena hands out key and value slices carved from shared blocks, so a batch of small records
// costs a few allocations instead of two per record. Each slice is capped at its length, so
// appending to one cannot overwrite its neighbour.
type arena struct{ buf []byte }

const arenaBlock = 64 << 10

// read copies b (nil for a null key or value) into the arena.
func (a *arena) read(b protocol.Bytes) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	n := b.Len()
	if n == 0 {
		return []byte{}, nil // empty, not null
	}
	if n > arenaBlock/4 {
		s := make([]byte, n)
		_, err := io.ReadFull(b, s)
		return s, err
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, arenaBlock)
	}
	start := len(a.buf)
	a.buf = a.buf[:start+n]
	s := a.buf[start : start+n : start+n]
	_, err := io.ReadFull(b, s)
	return s, err
}
