package brokertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

// Open returns a ready broker for one test; Run closes it when the test ends.
type Open func(t *testing.T) broker.Broker

// Run runs the whole contract against the brokers open makes.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		fn   func(t *testing.T, b broker.Broker)
	}{
		{"TopicLifecycle", testTopicLifecycle},
		{"UnknownTopic", testUnknownTopic},
		{"ProduceFetchRoundTrip", testProduceFetchRoundTrip},
		{"KeyedPartitioning", testKeyedPartitioning},
		{"NullKeysSpread", testNullKeysSpread},
		{"ExplicitPartition", testExplicitPartition},
		{"FetchBounds", testFetchBounds},
		{"FetchBlocksUntilData", testFetchBlocksUntilData},
		{"FetchWaitExpires", testFetchWaitExpires},
		{"FetchOutOfRange", testFetchOutOfRange},
		{"Offsets", testOffsets},
		{"GroupOffsets", testGroupOffsets},
		{"ConcurrentProducers", testConcurrentProducers},
		{"TopicConfig", testTopicConfig},
		{"ErrorsNameTopicAndPartition", testErrorsNameTopicAndPartition},
		{"OversizedRecord", testOversizedRecord},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := open(t)
			t.Cleanup(func() { _ = b.Close() })
			c.fn(t, b)
		})
	}
}

var unsafeTopicChars = regexp.MustCompile(`[^a-zA-Z0-9._-]`)

// TopicName returns a topic name unique to this test run, so contract runs against a shared
// Kafka broker never see each other's records.
func TopicName(t *testing.T) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	name := unsafeTopicChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return "bt." + name + "." + hex.EncodeToString(r[:])
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// CreateTopic creates a uniquely named topic and deletes it when the test ends.
func CreateTopic(t *testing.T, b broker.Broker, cfg broker.TopicConfig) string {
	t.Helper()
	name := TopicName(t)
	require.NoError(t, b.CreateTopic(ctxFor(t), name, cfg))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = b.DeleteTopic(ctx, name)
	})
	return name
}

// FetchAll reads partition p from offset from up to (excluding) offset until.
func FetchAll(t *testing.T, b broker.Broker, topic string, p int32, from, until int64) []broker.Record {
	t.Helper()
	ctx := ctxFor(t)
	var out []broker.Record
	off := from
	for off < until {
		res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: p, Offset: off, MaxWait: 5 * time.Second})
		require.NoError(t, err)
		require.NotEmpty(t, res.Records, "fetch %s/%d at %d returned nothing before %d", topic, p, off, until)
		for _, r := range res.Records {
			if r.Offset < until {
				out = append(out, r)
			}
		}
		require.Greater(t, res.NextOffset, off)
		off = res.NextOffset
	}
	return out
}

func ts(ms int64) time.Time { return time.UnixMilli(ms) }

func testTopicLifecycle(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	name := TopicName(t)
	require.NoError(t, b.CreateTopic(ctx, name, broker.TopicConfig{Partitions: 3}))
	err := b.CreateTopic(ctx, name, broker.TopicConfig{Partitions: 3})
	require.ErrorIs(t, err, broker.ErrTopicExists)

	info, err := b.DescribeTopic(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, name, info.Name)
	assert.Equal(t, int32(3), info.Config.Partitions)
	assert.Equal(t, broker.CleanupDelete, info.Config.Cleanup)

	list, err := b.ListTopics(ctx)
	require.NoError(t, err)
	assert.True(t, sort.SliceIsSorted(list, func(i, j int) bool { return list[i].Name < list[j].Name }), "ListTopics must be sorted")
	found := false
	for _, ti := range list {
		if ti.Name == name {
			found = true
			assert.Equal(t, int32(3), ti.Config.Partitions)
		}
	}
	assert.True(t, found, "ListTopics misses %s", name)

	require.NoError(t, b.DeleteTopic(ctx, name))
	_, err = b.DescribeTopic(ctx, name)
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	require.ErrorIs(t, b.DeleteTopic(ctx, name), broker.ErrUnknownTopic)

	// A topic re-created under the same name starts empty.
	require.NoError(t, b.CreateTopic(ctx, name, broker.TopicConfig{Partitions: 1}))
	t.Cleanup(func() { _ = b.DeleteTopic(context.Background(), name) })
	offs, err := b.Offsets(ctx, name)
	require.NoError(t, err)
	require.Len(t, offs, 1)
	assert.Equal(t, offs[0].Earliest, offs[0].Latest)
}

func testUnknownTopic(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	name := TopicName(t)
	_, err := b.DescribeTopic(ctx, name)
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	err = b.Produce(ctx, name, []broker.Record{{Partition: broker.AnyPartition, Value: []byte("x")}})
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: name, Partition: 0})
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	_, err = b.Offsets(ctx, name)
	assert.ErrorIs(t, err, broker.ErrUnknownTopic)
}

func testProduceFetchRoundTrip(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	in := []broker.Record{
		{Partition: 0, Key: []byte("k1"), Value: []byte(`{"a":1}`), Timestamp: ts(1000),
			Headers: []broker.Header{{Key: "h", Value: []byte("v")}, {Key: "h", Value: []byte("w")}, {Key: "empty", Value: []byte{}}}},
		{Partition: 0, Key: nil, Value: []byte("null key"), Timestamp: ts(2000)},
		{Partition: 0, Key: []byte{}, Value: []byte("empty key"), Timestamp: ts(3000)},
		{Partition: 0, Key: []byte("tomb"), Value: nil, Timestamp: ts(4000)},
		{Partition: 0, Key: []byte("bin"), Value: []byte{0, 1, 2, 0xff}, Timestamp: ts(1700000000123)},
	}
	require.NoError(t, b.Produce(ctx, topic, in))
	for i, r := range in {
		assert.Equal(t, topic, r.Topic)
		assert.Equal(t, int32(0), r.Partition)
		assert.Equal(t, int64(i), r.Offset, "offsets are assigned in order from 0")
	}
	got := FetchAll(t, b, topic, 0, 0, int64(len(in)))
	require.Len(t, got, len(in))
	for i, r := range got {
		want := in[i]
		assert.Equal(t, topic, r.Topic)
		assert.Equal(t, int64(i), r.Offset)
		assert.Equal(t, want.Key == nil, r.Key == nil, "record %d: null key must stay null and empty stay empty", i)
		assert.True(t, bytes.Equal(want.Key, r.Key), "record %d key", i)
		assert.Equal(t, want.Value == nil, r.Value == nil, "record %d: tombstone must stay a tombstone", i)
		assert.True(t, bytes.Equal(want.Value, r.Value), "record %d value", i)
		assert.Equal(t, want.Timestamp.UnixMilli(), r.Timestamp.UnixMilli(), "record %d timestamp", i)
		require.Len(t, r.Headers, len(want.Headers), "record %d headers", i)
		for j, h := range want.Headers {
			assert.Equal(t, h.Key, r.Headers[j].Key)
			assert.True(t, bytes.Equal(h.Value, r.Headers[j].Value), "record %d header %d", i, j)
		}
	}

	// A zero timestamp is replaced by the append time.
	before := time.Now().Add(-time.Minute)
	rec := []broker.Record{{Partition: 0, Value: []byte("now")}}
	require.NoError(t, b.Produce(ctx, topic, rec))
	last := FetchAll(t, b, topic, 0, rec[0].Offset, rec[0].Offset+1)
	assert.True(t, last[0].Timestamp.After(before), "zero timestamp replaced by append time, got %v", last[0].Timestamp)
}

func testKeyedPartitioning(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	const parts = 6
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: parts})
	var recs []broker.Record
	for i := 0; i < 200; i++ {
		recs = append(recs, broker.Record{Partition: broker.AnyPartition, Key: []byte(fmt.Sprintf("device-%d", i%50)), Value: []byte(fmt.Sprint(i))})
	}
	require.NoError(t, b.Produce(ctx, topic, recs))
	perPartition := map[int32][]broker.Record{}
	for _, r := range recs {
		require.Equal(t, broker.PartitionForKey(r.Key, parts), r.Partition, "key %s", r.Key)
		perPartition[r.Partition] = append(perPartition[r.Partition], r)
	}
	offs, err := b.Offsets(ctx, topic)
	require.NoError(t, err)
	require.Len(t, offs, parts)
	for p := int32(0); p < parts; p++ {
		want := perPartition[p]
		assert.Equal(t, int64(len(want)), offs[p].Latest-offs[p].Earliest, "partition %d count", p)
		got := FetchAll(t, b, topic, p, offs[p].Earliest, offs[p].Latest)
		require.Len(t, got, len(want))
		for i := range want {
			assert.Equal(t, want[i].Offset, got[i].Offset)
			assert.Equal(t, string(want[i].Value), string(got[i].Value), "order within partition %d", p)
		}
	}
}

func testNullKeysSpread(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	const parts = 4
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: parts})
	recs := make([]broker.Record, 40)
	for i := range recs {
		recs[i] = broker.Record{Partition: broker.AnyPartition, Value: []byte(fmt.Sprint(i))}
	}
	require.NoError(t, b.Produce(ctx, topic, recs))
	seen := map[int32]int{}
	for _, r := range recs {
		require.True(t, r.Partition >= 0 && r.Partition < parts)
		seen[r.Partition]++
	}
	assert.Len(t, seen, parts, "null-key records spread over every partition: %v", seen)
}

func testExplicitPartition(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 3})
	recs := []broker.Record{{Partition: 2, Key: []byte("a"), Value: []byte("x")}, {Partition: 1, Key: []byte("a"), Value: []byte("y")}}
	require.NoError(t, b.Produce(ctx, topic, recs))
	assert.Equal(t, int32(2), recs[0].Partition)
	assert.Equal(t, int32(1), recs[1].Partition)
	got := FetchAll(t, b, topic, 2, 0, 1)
	assert.Equal(t, "x", string(got[0].Value))

	err := b.Produce(ctx, topic, []broker.Record{{Partition: 3, Value: []byte("bad")}})
	assert.ErrorIs(t, err, broker.ErrInvalidPartition)
	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 7})
	assert.ErrorIs(t, err, broker.ErrInvalidPartition)
}

func testFetchBounds(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	recs := make([]broker.Record, 50)
	for i := range recs {
		recs[i] = broker.Record{Partition: 0, Value: bytes.Repeat([]byte{'a' + byte(i%26)}, 100)}
	}
	require.NoError(t, b.Produce(ctx, topic, recs))

	res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 10, MaxRecords: 7})
	require.NoError(t, err)
	require.Len(t, res.Records, 7)
	assert.Equal(t, int64(10), res.Records[0].Offset, "fetch starts at the requested offset")
	assert.Equal(t, int64(17), res.NextOffset)
	assert.Equal(t, int64(50), res.HighWatermark)

	// MaxBytes smaller than one record still returns one record.
	res, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 49, MaxBytes: 10})
	require.NoError(t, err)
	require.Len(t, res.Records, 1)
	assert.Equal(t, int64(49), res.Records[0].Offset)
	assert.Equal(t, int64(50), res.NextOffset)
}

func testFetchBlocksUntilData(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	type result struct {
		res broker.FetchResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MaxWait: 20 * time.Second})
		done <- result{res, err}
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("fetch on an empty partition returned before any produce: %+v", r)
	default:
	}
	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: []byte("wake")}}))
	select {
	case r := <-done:
		require.NoError(t, r.err)
		require.Len(t, r.res.Records, 1)
		assert.Equal(t, "wake", string(r.res.Records[0].Value))
	case <-time.After(15 * time.Second):
		t.Fatal("blocked fetch was not woken by a produce")
	}
}

func testFetchWaitExpires(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MaxWait: 300 * time.Millisecond})
	require.NoError(t, err)
	assert.Empty(t, res.Records)
	assert.Equal(t, int64(0), res.NextOffset)

	// A cancelled context ends a wait with the context's error.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = b.Fetch(cctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MaxWait: 30 * time.Second})
	if err != nil {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	}
}

func testFetchOutOfRange(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: []byte("a")}, {Partition: 0, Value: []byte("b")}}))
	_, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: 5})
	assert.ErrorIs(t, err, broker.ErrOffsetOutOfRange)
	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 0, Offset: -3})
	assert.ErrorIs(t, err, broker.ErrOffsetOutOfRange)
}

func testOffsets(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 2})
	offs, err := b.Offsets(ctx, topic)
	require.NoError(t, err)
	require.Len(t, offs, 2)
	for _, o := range offs {
		assert.Equal(t, int64(0), o.Earliest)
		assert.Equal(t, int64(0), o.Latest)
	}
	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 1, Value: []byte("a")}, {Partition: 1, Value: []byte("b")}, {Partition: 0, Value: []byte("c")}}))
	offs, err = b.Offsets(ctx, topic)
	require.NoError(t, err)
	assert.Equal(t, broker.PartitionOffsets{Earliest: 0, Latest: 1}, offs[0])
	assert.Equal(t, broker.PartitionOffsets{Earliest: 0, Latest: 2}, offs[1])
}

func testGroupOffsets(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 3})
	group := "grp-" + TopicName(t)
	got, err := b.FetchOffsets(ctx, group, topic)
	require.NoError(t, err)
	assert.Empty(t, got, "a group with no commits has no offsets")

	recs := make([]broker.Record, 10)
	for i := range recs {
		recs[i] = broker.Record{Partition: int32(i % 3), Value: []byte("v")}
	}
	require.NoError(t, b.Produce(ctx, topic, recs))
	require.NoError(t, b.CommitOffsets(ctx, group, map[broker.TopicPartition]int64{{Topic: topic, Partition: 0}: 2, {Topic: topic, Partition: 2}: 3}))
	got, err = b.FetchOffsets(ctx, group, topic)
	require.NoError(t, err)
	assert.Equal(t, map[int32]int64{0: 2, 2: 3}, got)

	require.NoError(t, b.CommitOffsets(ctx, group, map[broker.TopicPartition]int64{{Topic: topic, Partition: 0}: 4}))
	got, err = b.FetchOffsets(ctx, group, topic)
	require.NoError(t, err)
	assert.Equal(t, map[int32]int64{0: 4, 2: 3}, got, "a later commit replaces the earlier one")

	other, err := b.FetchOffsets(ctx, group+"-other", topic)
	require.NoError(t, err)
	assert.Empty(t, other, "groups are independent")
}

func testConcurrentProducers(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 2})
	const writers, batches, perBatch = 4, 10, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < batches; i++ {
				recs := make([]broker.Record, perBatch)
				for j := range recs {
					recs[j] = broker.Record{Partition: int32((w + j) % 2), Value: []byte(fmt.Sprintf("%d-%d-%d", w, i, j))}
				}
				if err := b.Produce(ctx, topic, recs); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	offs, err := b.Offsets(ctx, topic)
	require.NoError(t, err)
	total := int64(0)
	for p, o := range offs {
		got := FetchAll(t, b, topic, int32(p), o.Earliest, o.Latest)
		for i, r := range got {
			require.Equal(t, o.Earliest+int64(i), r.Offset, "offsets are contiguous")
		}
		total += int64(len(got))
	}
	assert.Equal(t, int64(writers*batches*perBatch), total)
}

func testTopicConfig(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	compacted := CreateTopic(t, b, broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact})
	info, err := b.DescribeTopic(ctx, compacted)
	require.NoError(t, err)
	assert.Equal(t, broker.CleanupCompact, info.Config.Cleanup)

	kept := CreateTopic(t, b, broker.TopicConfig{Partitions: 2, Retention: 2 * time.Hour, RetentionBytes: 1 << 20})
	info, err = b.DescribeTopic(ctx, kept)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Hour, info.Config.Retention)
	assert.Equal(t, int64(1<<20), info.Config.RetentionBytes)
	assert.Equal(t, int32(2), info.Config.Partitions)

	forever := CreateTopic(t, b, broker.TopicConfig{Partitions: 1, Retention: -1})
	info, err = b.DescribeTopic(ctx, forever)
	require.NoError(t, err)
	assert.Less(t, info.Config.Retention, time.Duration(0), "negative retention means forever")

	def := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	info, err = b.DescribeTopic(ctx, def)
	require.NoError(t, err)
	assert.Equal(t, 7*24*time.Hour, info.Config.Retention, "default retention is Kafka's 7 days")

	// Tombstones and updates on a compacted topic are accepted and readable until compaction.
	require.NoError(t, b.Produce(ctx, compacted, []broker.Record{
		{Partition: 0, Key: []byte("k"), Value: []byte("1")},
		{Partition: 0, Key: []byte("k"), Value: []byte("2")},
		{Partition: 0, Key: []byte("k"), Value: nil},
	}))
	offs, err := b.Offsets(ctx, compacted)
	require.NoError(t, err)
	assert.Equal(t, int64(3), offs[0].Latest)
}

// Errors must say which topic and partition they are about, so an operator can act on them.
func testErrorsNameTopicAndPartition(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	missing := TopicName(t)
	err := b.Produce(ctx, missing, []broker.Record{{Partition: broker.AnyPartition, Value: []byte("x")}})
	require.ErrorIs(t, err, broker.ErrUnknownTopic)
	assert.Contains(t, err.Error(), missing)

	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 2})
	err = b.Produce(ctx, topic, []broker.Record{{Partition: 5, Value: []byte("x")}})
	require.ErrorIs(t, err, broker.ErrInvalidPartition)
	assert.Contains(t, err.Error(), topic)
	assert.Contains(t, err.Error(), "5")

	require.NoError(t, b.Produce(ctx, topic, []broker.Record{{Partition: 1, Value: []byte("x")}}))
	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 1, Offset: 9})
	require.ErrorIs(t, err, broker.ErrOffsetOutOfRange)
	assert.Contains(t, err.Error(), topic)
	assert.Contains(t, err.Error(), "9", "the offset asked for")

	_, err = b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: 4})
	require.ErrorIs(t, err, broker.ErrInvalidPartition)
	assert.Contains(t, err.Error(), topic)
}

// A record larger than the broker accepts (Kafka's default message.max.bytes is about 1 MiB)
// is refused as a whole with ErrRecordTooLarge; nothing of the batch is half-written.
func testOversizedRecord(t *testing.T, b broker.Broker) {
	ctx := ctxFor(t)
	topic := CreateTopic(t, b, broker.TopicConfig{Partitions: 1})
	err := b.Produce(ctx, topic, []broker.Record{{Partition: 0, Value: bytes.Repeat([]byte("x"), 2<<20)}})
	require.ErrorIs(t, err, broker.ErrRecordTooLarge)
	assert.Contains(t, err.Error(), topic)
	offs, err := b.Offsets(ctx, topic)
	require.NoError(t, err)
	assert.Equal(t, int64(0), offs[0].Latest, "nothing written")
}
