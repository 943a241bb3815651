package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	kgo "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

func TestTopicConfigEntries(t *testing.T) {
	cases := []struct {
		name string
		cfg  broker.TopicConfig
		want map[string]string
	}{
		{"defaults", broker.TopicConfig{Partitions: 1},
			map[string]string{"cleanup.policy": "delete"}},
		{"compact", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact},
			map[string]string{"cleanup.policy": "compact"}},
		{"compact,delete", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompactDelete},
			map[string]string{"cleanup.policy": "compact,delete"}},
		{"retention", broker.TopicConfig{Partitions: 1, Retention: 2 * time.Hour, RetentionBytes: 1 << 20},
			map[string]string{"cleanup.policy": "delete", "retention.ms": "7200000", "retention.bytes": "1048576"}},
		{"forever", broker.TopicConfig{Partitions: 1, Retention: -1},
			map[string]string{"cleanup.policy": "delete", "retention.ms": "-1"}},
		{"sub-millisecond rounds up", broker.TopicConfig{Partitions: 1, Retention: time.Microsecond},
			map[string]string{"cleanup.policy": "delete", "retention.ms": "1"}},
		{"unlimited bytes", broker.TopicConfig{Partitions: 1, RetentionBytes: -1},
			map[string]string{"cleanup.policy": "delete"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries, err := topicConfigEntries(c.cfg)
			require.NoError(t, err)
			got := map[string]string{}
			for _, e := range entries {
				got[e.ConfigName] = e.ConfigValue
			}
			assert.Equal(t, c.want, got)
		})
	}
	_, err := topicConfigEntries(broker.TopicConfig{Partitions: 1, Cleanup: "shred"})
	assert.ErrorIs(t, err, broker.ErrInvalidConfig)
}

func TestApplyConfig(t *testing.T) {
	entry := func(k, v string) kgo.DescribeConfigResponseConfigEntry {
		return kgo.DescribeConfigResponseConfigEntry{ConfigName: k, ConfigValue: v}
	}
	var cfg broker.TopicConfig
	require.NoError(t, applyConfig(&cfg, []kgo.DescribeConfigResponseConfigEntry{
		entry("cleanup.policy", "delete,compact"), entry("retention.ms", "604800000"), entry("retention.bytes", "-1"),
	}))
	assert.Equal(t, broker.TopicConfig{Cleanup: broker.CleanupCompactDelete, Retention: 7 * 24 * time.Hour}, cfg)

	require.NoError(t, applyConfig(&cfg, []kgo.DescribeConfigResponseConfigEntry{
		entry("cleanup.policy", "compact"), entry("retention.ms", "-1"), entry("retention.bytes", "4096"),
	}))
	assert.Equal(t, broker.CleanupCompact, cfg.Cleanup)
	assert.Less(t, cfg.Retention, time.Duration(0))
	assert.Equal(t, int64(4096), cfg.RetentionBytes)

	assert.Error(t, applyConfig(&cfg, []kgo.DescribeConfigResponseConfigEntry{entry("retention.ms", "soon")}))
}

func TestParseCleanup(t *testing.T) {
	for in, want := range map[string]broker.CleanupPolicy{
		"delete":          broker.CleanupDelete,
		"compact":         broker.CleanupCompact,
		"compact,delete":  broker.CleanupCompactDelete,
		"delete, compact": broker.CleanupCompactDelete,
		"tiered":          "tiered",
	} {
		assert.Equal(t, want, parseCleanup(in), in)
	}
}

func TestAssignPartitions(t *testing.T) {
	const n = 6
	var rr atomic.Uint32
	var recs []broker.Record
	for i := 0; i < 60; i++ {
		recs = append(recs, broker.Record{Partition: broker.AnyPartition, Key: []byte(fmt.Sprintf("key-%d", i))})
	}
	recs = append(recs,
		broker.Record{Partition: broker.AnyPartition, Key: []byte{}}, // empty key is hashed, not round-robin
		broker.Record{Partition: 4, Key: []byte("key-0")},            // explicit wins over the key
	)
	for i := 0; i < 12; i++ {
		recs = append(recs, broker.Record{Partition: broker.AnyPartition}) // null keys
	}
	groups := assignPartitions(recs, "t", n, &rr)

	nullSeen := map[int32]int{}
	for i, r := range recs {
		assert.Equal(t, "t", r.Topic)
		switch {
		case i < 61:
			assert.Equal(t, broker.PartitionForKey(r.Key, n), r.Partition, "record %d", i)
		case i == 61:
			assert.Equal(t, int32(4), r.Partition)
		default:
			nullSeen[r.Partition]++
		}
	}
	assert.Equal(t, map[int32]int{0: 2, 1: 2, 2: 2, 3: 2, 4: 2, 5: 2}, nullSeen, "null keys go round-robin")

	seen := 0
	for gi, g := range groups {
		if gi > 0 {
			assert.Less(t, groups[gi-1].partition, g.partition, "groups sorted by partition")
		}
		for j, i := range g.idx {
			assert.Equal(t, g.partition, recs[i].Partition)
			if j > 0 {
				assert.Less(t, g.idx[j-1], i, "order within a partition is preserved")
			}
			seen++
		}
	}
	assert.Equal(t, len(recs), seen)
}

func TestChunks(t *testing.T) {
	recs := make([]broker.Record, 10)
	idx := make([]int, len(recs))
	for i := range recs {
		recs[i].Value = make([]byte, 100)
		idx[i] = i
	}
	recs[5].Value = make([]byte, 5000) // bigger than the limit alone
	got := chunks(recs, idx, 400)
	var flat []int
	for _, c := range got {
		require.NotEmpty(t, c)
		size := 61
		for _, i := range c {
			size += recordSize(&recs[i])
		}
		if len(c) > 1 {
			assert.LessOrEqual(t, size, 400)
		}
		flat = append(flat, c...)
	}
	assert.Equal(t, idx, flat, "every record once, in order")
	assert.Contains(t, got, []int{5}, "an oversized record travels alone")
	assert.Len(t, chunks(recs, idx, 1<<20), 1)
}

// TestProduceReaderRoundTrip encodes records with kafka-go's v2 batch encoder through
// produceReader and decodes them back: null vs empty keys, tombstones, headers and timestamps
// must survive the wire format.
func TestProduceReaderRoundTrip(t *testing.T) {
	in := []broker.Record{
		{Key: []byte("k"), Value: []byte("v"), Timestamp: time.UnixMilli(1700000000123),
			Headers: []broker.Header{{Key: "h", Value: []byte("1")}, {Key: "h", Value: []byte("2")}, {Key: "null", Value: nil}}},
		{Key: nil, Value: []byte("null key"), Timestamp: time.UnixMilli(1000)},
		{Key: []byte{}, Value: []byte{}, Timestamp: time.UnixMilli(2000)},
		{Key: []byte("tomb"), Value: nil, Timestamp: time.UnixMilli(3000)},
	}
	var buf bytes.Buffer
	rs := protocol.RecordSet{Version: 2, Records: &produceReader{records: in, idx: []int{0, 1, 2, 3}}}
	_, err := rs.WriteTo(&buf)
	require.NoError(t, err)

	var out protocol.RecordSet
	_, err = out.ReadFrom(&buf)
	require.NoError(t, err)
	res := &kgo.FetchResponse{Records: out.Records, HighWatermark: 4}
	got, err := decodeFetch(res, "t", 0, 0, 100)
	require.NoError(t, err)
	require.Len(t, got.Records, len(in))
	for i, r := range got.Records {
		w := in[i]
		assert.Equal(t, int64(i), r.Offset)
		assert.Equal(t, w.Key == nil, r.Key == nil, "record %d key nullness", i)
		assert.Equal(t, string(w.Key), string(r.Key))
		assert.Equal(t, w.Value == nil, r.Value == nil, "record %d value nullness", i)
		assert.Equal(t, string(w.Value), string(r.Value))
		assert.Equal(t, w.Timestamp.UnixMilli(), r.Timestamp.UnixMilli())
		require.Len(t, r.Headers, len(w.Headers))
		for j, h := range w.Headers {
			assert.Equal(t, h.Key, r.Headers[j].Key)
			assert.Equal(t, string(h.Value), string(r.Headers[j].Value))
		}
	}
	assert.Nil(t, got.Records[0].Headers[2].Value, "a null header value stays null")
	assert.Equal(t, int64(4), got.NextOffset)
}

// decodeFetch reads one response the way Fetch does, with no byte limit.
func decodeFetch(res *kgo.FetchResponse, topic string, partition int32, offset int64, maxRecords int) (broker.FetchResult, error) {
	return newCursor(res).read(topic, partition, offset, maxRecords, 1<<30)
}

func batch(records ...protocol.Record) *protocol.RecordBatch {
	return &protocol.RecordBatch{Records: protocol.NewRecordReader(records...)}
}

func rec(off int64, v string) protocol.Record {
	return protocol.Record{Offset: off, Value: protocol.NewBytes([]byte(v)), Time: time.UnixMilli(off)}
}

func TestDecodeFetch(t *testing.T) {
	stream := func(batches ...protocol.RecordReader) *kgo.FetchResponse {
		return &kgo.FetchResponse{Records: &protocol.RecordStream{Records: batches}, HighWatermark: 100}
	}

	t.Run("drops records before the requested offset", func(t *testing.T) {
		res, err := decodeFetch(stream(batch(rec(10, "a"), rec(11, "b"), rec(12, "c")), batch(rec(13, "d"))), "t", 2, 12, 100)
		require.NoError(t, err)
		require.Len(t, res.Records, 2)
		assert.Equal(t, int64(12), res.Records[0].Offset)
		assert.Equal(t, "t", res.Records[0].Topic)
		assert.Equal(t, int32(2), res.Records[0].Partition)
		assert.Equal(t, int64(14), res.NextOffset)
		assert.Equal(t, int64(100), res.HighWatermark)
	})
	t.Run("caps at MaxRecords", func(t *testing.T) {
		res, err := decodeFetch(stream(batch(rec(0, "a"), rec(1, "b")), batch(rec(2, "c"), rec(3, "d"))), "t", 0, 0, 3)
		require.NoError(t, err)
		require.Len(t, res.Records, 3)
		assert.Equal(t, int64(3), res.NextOffset)
	})
	t.Run("steps over transaction markers", func(t *testing.T) {
		marker := func() *protocol.ControlBatch {
			return &protocol.ControlBatch{Records: protocol.NewRecordReader(rec(5, ""))}
		}
		res, err := decodeFetch(stream(batch(rec(3, "a"), rec(4, "b")), marker()), "t", 0, 3, 100)
		require.NoError(t, err)
		require.Len(t, res.Records, 2)
		assert.Equal(t, int64(6), res.NextOffset, "past the marker")

		res, err = decodeFetch(stream(marker()), "t", 0, 5, 100)
		require.NoError(t, err)
		assert.Empty(t, res.Records)
		assert.Equal(t, int64(6), res.NextOffset, "a fetch landing on a marker still moves on")
	})
	t.Run("compacted tail of a batch", func(t *testing.T) {
		res, err := decodeFetch(stream(batch(rec(7, "a"))), "t", 0, 8, 100)
		require.NoError(t, err)
		assert.Empty(t, res.Records)
		assert.Equal(t, int64(9), res.NextOffset, "offsets emptied by compaction are stepped over")
	})
	t.Run("no data", func(t *testing.T) {
		res, err := decodeFetch(&kgo.FetchResponse{Records: kgo.NewRecordReader(), HighWatermark: 8}, "t", 0, 8, 100)
		require.NoError(t, err)
		assert.Empty(t, res.Records)
		assert.Equal(t, int64(8), res.NextOffset)
	})
}

func TestArenaKeepsValuesApart(t *testing.T) {
	var a arena
	x, err := a.read(protocol.NewBytes([]byte("abc")))
	require.NoError(t, err)
	y, err := a.read(protocol.NewBytes([]byte("def")))
	require.NoError(t, err)
	x = append(x, 'Z') // must not overwrite y
	assert.Equal(t, "def", string(y))
	assert.Equal(t, "abcZ", string(x))
	e, err := a.read(protocol.NewBytes([]byte{}))
	require.NoError(t, err)
	assert.NotNil(t, e, "empty stays non-nil")
	n, err := a.read(nil)
	require.NoError(t, err)
	assert.Nil(t, n)
	big, err := a.read(protocol.NewBytes(bytes.Repeat([]byte("x"), arenaBlock)))
	require.NoError(t, err)
	assert.Len(t, big, arenaBlock)
}

func TestErrorMapping(t *testing.T) {
	for code, want := range map[kgo.Error]error{
		kgo.UnknownTopicOrPartition: broker.ErrUnknownTopic,
		kgo.TopicAlreadyExists:      broker.ErrTopicExists,
		kgo.OffsetOutOfRange:        broker.ErrOffsetOutOfRange,
		kgo.MessageSizeTooLarge:     broker.ErrRecordTooLarge,
		kgo.RecordListTooLarge:      broker.ErrRecordTooLarge,
		kgo.InvalidPartitionNumber:  broker.ErrInvalidConfig,
		kgo.InvalidConfiguration:    broker.ErrInvalidConfig,
		kgo.InvalidMessage:          broker.ErrCorrupt,
	} {
		err := wrap(fmt.Errorf("kafka.(*Client).Produce: %w", code), "produce to topic %s", "orders")
		assert.ErrorIs(t, err, want, "%v", code)
		assert.ErrorIs(t, err, code, "the Kafka error stays visible")
		assert.Contains(t, err.Error(), "orders")
	}
	plain := wrap(kgo.GroupAuthorizationFailed, "commit")
	assert.ErrorIs(t, plain, kgo.GroupAuthorizationFailed)
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want failure
	}{
		{protocol.NewErrNoTopic("t"), stale},
		{protocol.NewErrNoPartition("t", 3), stale},
		{protocol.NewErrNoLeader("t", 3), stale},
		{fmt.Errorf("x: %w", kgo.NotLeaderForPartition), stale},
		{kgo.UnknownTopicOrPartition, stale},
		{kgo.GroupCoordinatorNotAvailable, transient},
		{kgo.RequestTimedOut, transient},
		{io.EOF, transient},
		{fmt.Errorf("write: %w", syscall.ECONNRESET), transient},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, transient},
		{kgo.MessageSizeTooLarge, permanent},
		{kgo.OffsetOutOfRange, permanent},
		{context.DeadlineExceeded, permanent},
		{fmt.Errorf("kafka-go: %w", context.Canceled), permanent},
		{errors.New("something else"), permanent},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, classify(c.err), "%v", c.err)
	}
}

func TestFetchWait(t *testing.T) {
	bg := context.Background()
	assert.Equal(t, time.Nanosecond, fetchWait(bg, 0), "zero wait must not become kafka-go's 500 ms default")
	assert.Equal(t, 2*time.Second, fetchWait(bg, 2*time.Second))
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	w := fetchWait(ctx, time.Minute)
	assert.Less(t, w, time.Second, "the wait ends before the caller's deadline")
	assert.Greater(t, w, 800*time.Millisecond)
	expired, cancel2 := context.WithTimeout(bg, -time.Second)
	defer cancel2()
	assert.Equal(t, time.Nanosecond, fetchWait(expired, time.Minute))
}

func TestOpenWithoutBrokers(t *testing.T) {
	_, err := Open(context.Background(), nil, Options{})
	assert.Error(t, err)

	// Nothing listens on a just-closed port: Open reports it rather than hanging.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = Open(ctx, []string{addr}, Options{})
	assert.Error(t, err)
}

// One response read in several steps: the MaxBytes bound (but at least one record), and each
// step continuing exactly where the previous stopped.
func TestCursorContinues(t *testing.T) {
	res := &kgo.FetchResponse{HighWatermark: 6, Records: &protocol.RecordStream{Records: []protocol.RecordReader{
		batch(rec(0, "aaaa"), rec(1, "bbbb"), rec(2, "cccc")),
		batch(rec(3, "dddddddddd"), rec(4, "eeee"), rec(5, "ffff")),
	}}}
	cur := newCursor(res)
	var got []string
	var steps []int
	off := int64(1)
	for !cur.exhausted() {
		out, err := cur.read("t", 0, off, 2, 9)
		require.NoError(t, err)
		require.NotEmpty(t, out.Records)
		require.Equal(t, off, out.Records[0].Offset)
		for _, r := range out.Records {
			got = append(got, string(r.Value))
		}
		steps = append(steps, len(out.Records))
		assert.Equal(t, int64(6), out.HighWatermark)
		off = out.NextOffset
	}
	assert.Equal(t, []string{"bbbb", "cccc", "dddddddddd", "eeee", "ffff"}, got)
	assert.Equal(t, []int{2, 1, 2}, steps, "2 by MaxRecords, then one over-size record alone, then 2")
	assert.Equal(t, int64(6), off)
}

func TestReadAhead(t *testing.T) {
	var ra readAhead
	k := partitionKey{"t", 1}
	full := func() *cursor {
		return newCursor(&kgo.FetchResponse{Records: &protocol.RecordStream{Records: []protocol.RecordReader{batch(rec(5, "x"))}}})
	}
	ra.keep(k, 5, full())
	assert.Nil(t, ra.take(k, 4), "another offset does not match")
	assert.Nil(t, ra.take(k, 5), "and a miss drops the entry")

	ra.keep(k, 5, full())
	cur := ra.take(k, 5)
	require.NotNil(t, cur)
	assert.Nil(t, ra.take(k, 5), "taken once")

	_, err := cur.read("t", 1, 5, 10, 100)
	require.NoError(t, err)
	ra.keep(k, 6, cur)
	assert.Nil(t, ra.take(k, 6), "an exhausted cursor is not kept")

	ra.keep(k, 5, full())
	ra.dropTopic("t")
	assert.Nil(t, ra.take(k, 5))
}
