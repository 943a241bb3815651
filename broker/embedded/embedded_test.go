package embedded

import (
	"bytes"
	"context"

	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

func openLog(t testing.TB, dir string) *Log {
	t.Helper()
	l, err := Open(dir, Options{CleanupInterval: -1})
	require.NoError(t, err)
	return l
}

// newLog opens a log in a fresh directory and closes it when the test ends.
func newLog(t testing.TB) *Log {
	t.Helper()
	l := openLog(t, t.TempDir())
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func values(recs []broker.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		if r.Value == nil {
			out[i] = "<nil>"
		} else {
			out[i] = string(r.Value)
		}
	}
	return out
}

func offsetsOf(recs []broker.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Offset
	}
	return out
}

// readAll reads partition p from its earliest to its latest offset.
func readAll(t testing.TB, l *Log, topic string, p int32) []broker.Record {
	t.Helper()
	offs, err := l.Offsets(context.Background(), topic)
	require.NoError(t, err)
	var out []broker.Record
	off := offs[p].Earliest
	for off < offs[p].Latest {
		res, err := l.Fetch(context.Background(), broker.FetchRequest{Topic: topic, Partition: p, Offset: off})
		require.NoError(t, err)
		out = append(out, res.Records...)
		require.Greater(t, res.NextOffset, off)
		off = res.NextOffset
	}
	return out
}

func produce(t testing.TB, l *Log, topic string, recs ...broker.Record) []broker.Record {
	t.Helper()
	require.NoError(t, l.Produce(context.Background(), topic, recs))
	return recs
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	require.NoError(t, l.CreateTopic(ctx, "a", broker.TopicConfig{Partitions: 2, Cleanup: broker.CleanupCompact}))
	require.NoError(t, l.CreateTopic(ctx, "b", broker.TopicConfig{Partitions: 1, Retention: time.Hour}))
	produce(t, l, "a", broker.Record{Partition: 1, Key: []byte("k"), Value: []byte("v1"), Headers: []broker.Header{{Key: "h", Value: nil}}})
	old := time.Now().Add(-2 * time.Hour)
	produce(t, l, "b",
		broker.Record{Partition: 0, Value: []byte("old"), Timestamp: old},
		broker.Record{Partition: 0, Value: []byte("x")},
		broker.Record{Partition: 0, Value: []byte("y")})
	require.NoError(t, l.RunCleanup(time.Now()))
	require.NoError(t, l.CommitOffsets(ctx, "g", map[broker.TopicPartition]int64{{Topic: "b", Partition: 0}: 2}))
	require.NoError(t, l.Close())

	l = openLog(t, dir)
	defer l.Close()
	info, err := l.DescribeTopic(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, broker.TopicConfig{Partitions: 2, Cleanup: broker.CleanupCompact, Retention: 7 * 24 * time.Hour}, info.Config)
	offs, err := l.Offsets(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, broker.PartitionOffsets{Earliest: 1, Latest: 3}, offs[0], "the log-start offset survives a reopen")
	got := readAll(t, l, "a", 1)
	require.Len(t, got, 1)
	assert.Equal(t, "h", got[0].Headers[0].Key)
	assert.Nil(t, got[0].Headers[0].Value, "a null header value stays null")
	g, err := l.FetchOffsets(ctx, "g", "b")
	require.NoError(t, err)
	assert.Equal(t, map[int32]int64{0: 2}, g)

	recs := produce(t, l, "b", broker.Record{Partition: 0, Value: []byte("z")})
	assert.Equal(t, int64(3), recs[0].Offset, "offsets continue after a reopen")
	// A topic deleted and created again starts empty: no records, no group commits.
	require.NoError(t, l.DeleteTopic(ctx, "b"))
	require.NoError(t, l.CreateTopic(ctx, "b", broker.TopicConfig{Partitions: 1}))
	assert.Empty(t, readAll(t, l, "b", 0))
	g, err = l.FetchOffsets(ctx, "g", "b")
	require.NoError(t, err)
	assert.Empty(t, g)
}

func TestFetchLimits(t *testing.T) {
	l := newLog(t)
	require.NoError(t, l.CreateTopic(context.Background(), "t", broker.TopicConfig{Partitions: 1}))
	var recs []broker.Record
	for i := 0; i < 30; i++ {
		recs = append(recs, broker.Record{Partition: 0, Value: bytes.Repeat([]byte{'a'}, 100)})
	}
	produce(t, l, "t", recs...)
	one := len(encodeRecord(nil, &recs[0]))
	cases := []struct {
		name       string
		offset     int64
		maxRecords int
		maxBytes   int
		want       int
	}{
		{"defaults take everything", 0, 0, 0, 30},
		{"max records", 5, 7, 0, 7},
		{"max records past the end", 25, 100, 0, 5},
		{"max bytes in whole records", 0, 0, 3*one + one/2, 3},
		{"max bytes exactly", 0, 0, 4 * one, 4},
		{"at least one record", 10, 0, 1, 1},
		{"both bounds, records win", 0, 2, 10 * one, 2},
		{"at the end", 30, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := l.Fetch(context.Background(), broker.FetchRequest{Topic: "t", Partition: 0, Offset: c.offset, MaxRecords: c.maxRecords, MaxBytes: c.maxBytes})
			require.NoError(t, err)
			require.Len(t, res.Records, c.want)
			for i, r := range res.Records {
				assert.Equal(t, c.offset+int64(i), r.Offset)
			}
			assert.Equal(t, c.offset+int64(c.want), res.NextOffset)
			assert.Equal(t, int64(30), res.HighWatermark)
		})
	}
}

func TestFetchedRecordsAreIndependent(t *testing.T) {
	l := newLog(t)
	require.NoError(t, l.CreateTopic(context.Background(), "t", broker.TopicConfig{Partitions: 1}))
	produce(t, l, "t", broker.Record{Partition: 0, Key: []byte("k"), Value: []byte("v")}, broker.Record{Partition: 0, Key: []byte("k2"), Value: []byte("v2")})
	got := readAll(t, l, "t", 0)
	// Keys and values share one buffer; appending to one must not clobber its neighbour.
	got[0].Key = append(got[0].Key, "XXXX"...)
	got[0].Value = append(got[0].Value, "YYYY"...)
	assert.Equal(t, []string{"vYYYY", "v2"}, values(got))
	assert.Equal(t, "k2", string(got[1].Key))
}

func TestFetchWaits(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 2}))

	t.Run("woken by a produce to its partition only", func(t *testing.T) {
		type result struct {
			res broker.FetchResult
			err error
		}
		done := make(chan result, 1)
		go func() {
			res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 0, MaxWait: 30 * time.Second})
			done <- result{res, err}
		}()
		time.Sleep(50 * time.Millisecond)
		produce(t, l, "t", broker.Record{Partition: 1, Value: []byte("elsewhere")})
		select {
		case r := <-done:
			t.Fatalf("a produce to partition 1 ended a fetch of partition 0: %+v", r)
		case <-time.After(100 * time.Millisecond):
		}
		start := time.Now()
		produce(t, l, "t", broker.Record{Partition: 0, Value: []byte("wake")})
		select {
		case r := <-done:
			require.NoError(t, r.err)
			assert.Equal(t, []string{"wake"}, values(r.res.Records))
			assert.Less(t, time.Since(start), 5*time.Second)
		case <-time.After(10 * time.Second):
			t.Fatal("a produce did not wake the fetch")
		}
	})

	t.Run("MaxWait expires", func(t *testing.T) {
		start := time.Now()
		res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 1, MaxWait: 100 * time.Millisecond})
		require.NoError(t, err)
		assert.Empty(t, res.Records)
		assert.Equal(t, int64(1), res.NextOffset)
		assert.Equal(t, int64(1), res.HighWatermark)
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	})

	t.Run("context ends the wait", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := l.Fetch(cctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 1, MaxWait: time.Minute})
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("many waiters all wake", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 1, Offset: 1, MaxWait: 30 * time.Second})
				if err == nil && len(res.Records) != 1 {
					err = fmt.Errorf("got %d records", len(res.Records))
				}
				errs <- err
			}()
		}
		time.Sleep(50 * time.Millisecond)
		produce(t, l, "t", broker.Record{Partition: 1, Value: []byte("all")})
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
}

func TestCloseWakesFetch(t *testing.T) {
	ctx := context.Background()
	l := openLog(t, t.TempDir())
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	errc := make(chan error, 1)
	go func() {
		_, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, MaxWait: time.Minute})
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, l.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, broker.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake a blocked fetch")
	}
	require.NoError(t, l.Close(), "Close is idempotent")

	tp := map[broker.TopicPartition]int64{{Topic: "t", Partition: 0}: 1}
	calls := map[string]error{
		"CreateTopic":   l.CreateTopic(ctx, "u", broker.TopicConfig{Partitions: 1}),
		"DeleteTopic":   l.DeleteTopic(ctx, "t"),
		"Produce":       l.Produce(ctx, "t", []broker.Record{{Partition: 0, Value: []byte("x")}}),
		"CommitOffsets": l.CommitOffsets(ctx, "g", tp),
		"RunCleanup":    l.RunCleanup(time.Now()),
	}
	_, calls["DescribeTopic"] = l.DescribeTopic(ctx, "t")
	_, calls["ListTopics"] = l.ListTopics(ctx)
	_, calls["Fetch"] = l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0})
	_, calls["Offsets"] = l.Offsets(ctx, "t")
	_, calls["FetchOffsets"] = l.FetchOffsets(ctx, "g", "t")
	for name, err := range calls {
		assert.ErrorIs(t, err, broker.ErrClosed, name)
	}
}

func TestDeleteWakesFetch(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	errc := make(chan error, 1)
	go func() {
		_, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, MaxWait: time.Minute})
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, l.DeleteTopic(ctx, "t"))
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, broker.ErrUnknownTopic)
	case <-time.After(5 * time.Second):
		t.Fatal("DeleteTopic did not wake a blocked fetch")
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 2}))
	require.NoError(t, l.CreateTopic(ctx, "c", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact}))
	produce(t, l, "t", broker.Record{Partition: 0, Value: []byte("a")}, broker.Record{Partition: 0, Value: []byte("b")})
	fetch := func(topic string, p int32, off int64) error {
		_, err := l.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: p, Offset: off})
		return err
	}
	cases := []struct {
		name     string
		err      error
		want     error
		contains []string
	}{
		{"create empty name", l.CreateTopic(ctx, "", broker.TopicConfig{Partitions: 1}), broker.ErrInvalidConfig, nil},
		{"create bad name", l.CreateTopic(ctx, "a/b", broker.TopicConfig{Partitions: 1}), broker.ErrInvalidConfig, []string{"a/b"}},
		{"create dot", l.CreateTopic(ctx, "..", broker.TopicConfig{Partitions: 1}), broker.ErrInvalidConfig, nil},
		{"create long name", l.CreateTopic(ctx, strings.Repeat("x", 250), broker.TopicConfig{Partitions: 1}), broker.ErrInvalidConfig, nil},
		{"create no partitions", l.CreateTopic(ctx, "z", broker.TopicConfig{}), broker.ErrInvalidConfig, []string{"z"}},
		{"create bad policy", l.CreateTopic(ctx, "z", broker.TopicConfig{Partitions: 1, Cleanup: "shred"}), broker.ErrInvalidConfig, []string{"shred"}},
		{"create twice", l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}), broker.ErrTopicExists, []string{"t"}},
		{"delete unknown", l.DeleteTopic(ctx, "nope"), broker.ErrUnknownTopic, []string{"nope"}},
		{"produce unknown", l.Produce(ctx, "nope", []broker.Record{{Value: []byte("x")}}), broker.ErrUnknownTopic, []string{"nope"}},
		{"produce bad partition", l.Produce(ctx, "t", []broker.Record{{Partition: 2, Value: []byte("x")}}), broker.ErrInvalidPartition, []string{"t", "2"}},
		{"produce negative partition", l.Produce(ctx, "t", []broker.Record{{Partition: -2, Value: []byte("x")}}), broker.ErrInvalidPartition, nil},
		{"produce too large", l.Produce(ctx, "t", []broker.Record{{Partition: 0, Value: make([]byte, 2<<20)}}), broker.ErrRecordTooLarge, []string{"t"}},
		{"produce null key to compacted", l.Produce(ctx, "c", []broker.Record{{Partition: 0, Value: []byte("x")}}), broker.ErrInvalidConfig, []string{"c", "key"}},
		{"fetch unknown", fetch("nope", 0, 0), broker.ErrUnknownTopic, nil},
		{"fetch bad partition", fetch("t", 5, 0), broker.ErrInvalidPartition, []string{"t", "5"}},
		{"fetch past the end", fetch("t", 0, 3), broker.ErrOffsetOutOfRange, []string{"t", "3"}},
		{"fetch negative", fetch("t", 0, -1), broker.ErrOffsetOutOfRange, nil},
		{"commit unknown topic", l.CommitOffsets(ctx, "g", map[broker.TopicPartition]int64{{Topic: "nope"}: 1}), broker.ErrUnknownTopic, nil},
		{"commit bad partition", l.CommitOffsets(ctx, "g", map[broker.TopicPartition]int64{{Topic: "t", Partition: 9}: 1}), broker.ErrInvalidPartition, nil},
		{"commit no group", l.CommitOffsets(ctx, "", map[broker.TopicPartition]int64{{Topic: "t"}: 1}), broker.ErrInvalidConfig, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.err, c.want)
			for _, s := range c.contains {
				assert.Contains(t, c.err.Error(), s)
			}
		})
	}
	// A refused batch writes nothing, not even its valid records.
	err := l.Produce(ctx, "t", []broker.Record{{Partition: 1, Value: []byte("ok")}, {Partition: 7, Value: []byte("bad")}})
	require.ErrorIs(t, err, broker.ErrInvalidPartition)
	offs, err := l.Offsets(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, int64(0), offs[1].Latest)
	// A cancelled context stops a produce before it writes.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, l.Produce(cctx, "t", []broker.Record{{Partition: 1, Value: []byte("x")}}), context.Canceled)
}

func TestPartitioning(t *testing.T) {
	l := newLog(t)
	require.NoError(t, l.CreateTopic(context.Background(), "t", broker.TopicConfig{Partitions: 3}))
	recs := produce(t, l, "t",
		broker.Record{Partition: broker.AnyPartition, Key: []byte("k1"), Value: []byte("1")},
		broker.Record{Partition: broker.AnyPartition, Value: []byte("2")},
		broker.Record{Partition: broker.AnyPartition, Value: []byte("3")},
		broker.Record{Partition: broker.AnyPartition, Value: []byte("4")},
		broker.Record{Partition: 2, Key: []byte("k1"), Value: []byte("5")},
	)
	assert.Equal(t, broker.PartitionForKey([]byte("k1"), 3), recs[0].Partition)
	assert.ElementsMatch(t, []int32{0, 1, 2}, []int32{recs[1].Partition, recs[2].Partition, recs[3].Partition}, "null keys go round-robin")
	assert.Equal(t, int32(2), recs[4].Partition, "an explicit partition wins over the key")
	// Round-robin carries on across calls.
	more := produce(t, l, "t", broker.Record{Partition: broker.AnyPartition, Value: []byte("6")})
	assert.Equal(t, (recs[3].Partition+1)%3, more[0].Partition)
}

func TestConcurrentProducers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 2}))
	require.NoError(t, l.CreateTopic(ctx, "u", broker.TopicConfig{Partitions: 1}))
	const writers, batches, perBatch = 8, 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			topic := []string{"t", "u"}[w%2]
			for i := 0; i < batches; i++ {
				recs := make([]broker.Record, perBatch)
				for j := range recs {
					recs[j] = broker.Record{Partition: broker.AnyPartition, Key: []byte(fmt.Sprintf("w%d", w)), Value: []byte(fmt.Sprintf("%d-%d-%d", w, i, j))}
				}
				if err := l.Produce(ctx, topic, recs); err != nil {
					errs <- err
					return
				}
				for j := 1; j < len(recs); j++ {
					if recs[j].Offset != recs[j-1].Offset+1 {
						errs <- fmt.Errorf("a batch to one partition got offsets %d then %d", recs[j-1].Offset, recs[j].Offset)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	check := func(l *Log) {
		total := 0
		for _, tp := range []broker.TopicPartition{{Topic: "t", Partition: 0}, {Topic: "t", Partition: 1}, {Topic: "u", Partition: 0}} {
			got := readAll(t, l, tp.Topic, tp.Partition)
			last := map[string][2]int{}
			for i, r := range got {
				require.Equal(t, int64(i), r.Offset, "offsets are contiguous")
				var w, b, j int
				_, err := fmt.Sscanf(string(r.Value), "%d-%d-%d", &w, &b, &j)
				require.NoError(t, err)
				prev, seen := last[string(r.Key)]
				if seen {
					require.True(t, b > prev[0] || (b == prev[0] && j == prev[1]+1), "writer %d's records stay in order", w)
				}
				last[string(r.Key)] = [2]int{b, j}
			}
			total += len(got)
		}
		assert.Equal(t, writers*batches*perBatch, total)
	}
	check(l)
	require.NoError(t, l.Close())
	l = openLog(t, dir)
	defer l.Close()
	check(l)
}

func TestRetentionByTime(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1, Retention: time.Hour}))
	require.NoError(t, l.CreateTopic(ctx, "forever", broker.TopicConfig{Partitions: 1, Retention: -1}))
	now := time.Now()
	var recs []broker.Record
	for i, age := range []time.Duration{3 * time.Hour, 2 * time.Hour, 10 * time.Minute, 5 * time.Hour, time.Minute} {
		recs = append(recs, broker.Record{Partition: 0, Value: []byte(fmt.Sprint(i)), Timestamp: now.Add(-age)})
	}
	produce(t, l, "t", recs...)
	produce(t, l, "forever", recs...)
	require.NoError(t, l.RunCleanup(now))
	offs, err := l.Offsets(ctx, "t")
	require.NoError(t, err)
	// Kafka-style: the prefix of old records goes; the old record after a young one stays.
	assert.Equal(t, broker.PartitionOffsets{Earliest: 2, Latest: 5}, offs[0])
	assert.Equal(t, []string{"2", "3", "4"}, values(readAll(t, l, "t", 0)))
	_, err = l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 1})
	assert.ErrorIs(t, err, broker.ErrOffsetOutOfRange)
	assert.Len(t, readAll(t, l, "forever", 0), 5, "negative retention keeps everything")

	// Everything expires: the partition is empty and earliest == latest.
	require.NoError(t, l.RunCleanup(now.Add(24*time.Hour)))
	offs, err = l.Offsets(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, broker.PartitionOffsets{Earliest: 5, Latest: 5}, offs[0])
	res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 0, Offset: 5})
	require.NoError(t, err)
	assert.Empty(t, res.Records)
	more := produce(t, l, "t", broker.Record{Partition: 0, Value: []byte("new")})
	assert.Equal(t, int64(5), more[0].Offset)
}

func TestRetentionBySize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	rec := broker.Record{Partition: 0, Value: make([]byte, 100), Timestamp: time.Now()}
	size := int64(len(encodeRecord(nil, &rec)))
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1, Retention: -1, RetentionBytes: 10 * size}))
	batch := func(n int) []broker.Record {
		out := make([]broker.Record, n)
		for i := range out {
			out[i] = rec
		}
		return out
	}
	produce(t, l, "t", batch(25)...)
	require.NoError(t, l.RunCleanup(time.Now()))
	assert.Equal(t, []int64{15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, offsetsOf(readAll(t, l, "t", 0)), "the newest records that fit stay")

	// The size is kept up to date by appends and cleanup, and recomputed after a reopen.
	produce(t, l, "t", batch(3)...)
	require.NoError(t, l.RunCleanup(time.Now()))
	assert.Equal(t, int64(18), readAll(t, l, "t", 0)[0].Offset)
	require.NoError(t, l.Close())
	l = openLog(t, dir)
	defer l.Close()
	produce(t, l, "t", batch(4)...)
	require.NoError(t, l.RunCleanup(time.Now()))
	got := readAll(t, l, "t", 0)
	assert.Equal(t, int64(22), got[0].Offset)
	assert.Len(t, got, 10)
}

func TestCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLog(t, dir)
	require.NoError(t, l.CreateTopic(ctx, "c", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact}))
	now := time.Now()
	old := now.Add(-48 * time.Hour)
	produce(t, l, "c",
		broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a1"), Timestamp: old},
		broker.Record{Partition: 0, Key: []byte("b"), Value: []byte("b1"), Timestamp: old},
		broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a2"), Timestamp: old},
		broker.Record{Partition: 0, Key: []byte("b"), Value: nil, Timestamp: old}, // old tombstone: goes
		broker.Record{Partition: 0, Key: []byte("c"), Value: []byte("c1"), Timestamp: now},
		broker.Record{Partition: 0, Key: []byte("c"), Value: nil, Timestamp: now}, // fresh tombstone: stays
		broker.Record{Partition: 0, Key: []byte{}, Value: []byte("empty key"), Timestamp: old},
	)
	require.NoError(t, l.RunCleanup(now))
	got := readAll(t, l, "c", 0)
	assert.Equal(t, []string{"a2", "<nil>", "empty key"}, values(got))
	assert.Equal(t, []int64{2, 5, 6}, offsetsOf(got), "offsets never change")
	offs, err := l.Offsets(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, broker.PartitionOffsets{Earliest: 2, Latest: 7}, offs[0], "earliest moves to the first record that remains")
	// Fetching inside a compacted gap moves on to the next record.
	res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "c", Partition: 0, Offset: 3})
	require.NoError(t, err)
	assert.Equal(t, []int64{5, 6}, offsetsOf(res.Records))

	// Once the tombstone expires it goes with its index entry; the log's end stays.
	require.NoError(t, l.RunCleanup(now.Add(48*time.Hour)))
	assert.Equal(t, []string{"a2", "empty key"}, values(readAll(t, l, "c", 0)))
	require.NoError(t, l.Close())
	l = openLog(t, dir)
	defer l.Close()
	recs := produce(t, l, "c", broker.Record{Partition: 0, Key: []byte("c"), Value: []byte("c2")}, broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a3")})
	assert.Equal(t, int64(7), recs[0].Offset)
	require.NoError(t, l.RunCleanup(now.Add(48*time.Hour)))
	assert.Equal(t, []string{"empty key", "c2", "a3"}, values(readAll(t, l, "c", 0)))

	// A gap at the end: fetching there skips to the end and says so.
	produce(t, l, "c", broker.Record{Partition: 0, Key: []byte("z"), Value: []byte("z1")}, broker.Record{Partition: 0, Key: []byte("z"), Value: []byte("z2")})
	require.NoError(t, l.RunCleanup(now.Add(48*time.Hour)))
	res, err = l.Fetch(ctx, broker.FetchRequest{Topic: "c", Partition: 0, Offset: 9})
	require.NoError(t, err)
	assert.Equal(t, []int64{10}, offsetsOf(res.Records))
	produce(t, l, "c", broker.Record{Partition: 0, Key: []byte("y"), Value: []byte("y1")}, broker.Record{Partition: 0, Key: []byte("y"), Value: []byte("y2")})
	require.NoError(t, l.RunCleanup(now.Add(48*time.Hour)))
	res, err = l.Fetch(ctx, broker.FetchRequest{Topic: "c", Partition: 0, Offset: 11, MaxRecords: 1})
	require.NoError(t, err)
	assert.Equal(t, []int64{12}, offsetsOf(res.Records))
}

func TestCompactDelete(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "cd", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompactDelete, Retention: time.Hour}))
	now := time.Now()
	produce(t, l, "cd",
		broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a1"), Timestamp: now.Add(-3 * time.Hour)},
		broker.Record{Partition: 0, Key: []byte("b"), Value: []byte("b1"), Timestamp: now.Add(-2 * time.Hour)},
		broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a2"), Timestamp: now},
		broker.Record{Partition: 0, Key: []byte("a"), Value: []byte("a3"), Timestamp: now},
	)
	require.NoError(t, l.RunCleanup(now))
	got := readAll(t, l, "cd", 0)
	assert.Equal(t, []int64{3}, offsetsOf(got), "retention took b1 (old), compaction took a2")
	// b's index entry went with its record: a new b is the latest again and survives.
	produce(t, l, "cd", broker.Record{Partition: 0, Key: []byte("b"), Value: []byte("b2")})
	require.NoError(t, l.RunCleanup(now))
	assert.Equal(t, []string{"a3", "b2"}, values(readAll(t, l, "cd", 0)))
	_, ok, err := l.get(indexKey(l.topics["cd"].meta.ID, 0, []byte("b")))
	require.NoError(t, err)
	assert.True(t, ok)
}

// Compaction runs while producers keep writing the same keys: the latest value of every key
// must survive and nothing else may remain once writing stops.
func TestCompactionWhileProducing(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "c", broker.TopicConfig{Partitions: 1, Cleanup: broker.CleanupCompact}))
	const keys, rounds = 20, 60
	stop := make(chan struct{})
	cleanErr := make(chan error, 1)
	go func() {
		var err error
		for err == nil {
			select {
			case <-stop:
				cleanErr <- nil
				return
			default:
			}
			// Far in the future, so tombstones expire as soon as possible.
			err = l.RunCleanup(time.Now().Add(72 * time.Hour))
		}
		cleanErr <- err
	}()
	latest := map[string]string{}
	for r := 0; r < rounds; r++ {
		var recs []broker.Record
		for k := 0; k < keys; k++ {
			key := fmt.Sprintf("k%d", k)
			var v []byte
			if (r+k)%7 != 0 {
				v = []byte(fmt.Sprintf("%s-%d", key, r))
			}
			recs = append(recs, broker.Record{Partition: 0, Key: []byte(key), Value: v})
			latest[key] = string(v)
		}
		produce(t, l, "c", recs...)
	}
	close(stop)
	require.NoError(t, <-cleanErr)
	require.NoError(t, l.RunCleanup(time.Now().Add(72*time.Hour)))
	got := readAll(t, l, "c", 0)
	seen := map[string]bool{}
	for _, r := range got {
		k := string(r.Key)
		require.False(t, seen[k], "key %s appears twice after compaction", k)
		seen[k] = true
		require.NotNil(t, r.Value, "expired tombstones are gone")
		assert.Equal(t, latest[k], string(r.Value))
	}
	for k, v := range latest {
		if v != "" {
			assert.True(t, seen[k], "the latest value of %s survives", k)
		}
	}
}

func TestBackgroundCleanup(t *testing.T) {
	ctx := context.Background()
	l, err := Open(t.TempDir(), Options{CleanupInterval: 10 * time.Millisecond, DefaultRetention: time.Hour})
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 1}))
	info, err := l.DescribeTopic(ctx, "t")
	require.NoError(t, err)
	assert.Equal(t, time.Hour, info.Config.Retention, "Options.DefaultRetention fills Retention 0")
	produce(t, l, "t", broker.Record{Partition: 0, Value: []byte("old"), Timestamp: time.Now().Add(-2 * time.Hour)}, broker.Record{Partition: 0, Value: []byte("new")})
	require.Eventually(t, func() bool {
		offs, err := l.Offsets(ctx, "t")
		return err == nil && offs[0].Earliest == 1
	}, 5*time.Second, 10*time.Millisecond)
}

func TestRecordChecksum(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	require.NoError(t, l.CreateTopic(ctx, "t", broker.TopicConfig{Partitions: 2}))
	produce(t, l, "t", broker.Record{Partition: 1, Value: []byte("fine")}, broker.Record{Partition: 1, Value: []byte("damaged")})
	k := recordKey(l.topics["t"].meta.ID, 1, 1)
	v, _, err := l.get(k)
	require.NoError(t, err)
	v[len(v)-3] ^= 1 // a bit flip Pebble cannot see: the value is rewritten whole
	require.NoError(t, l.db.Set(k, v, pebble.Sync))
	_, err = l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 1, Offset: 0})
	require.ErrorIs(t, err, broker.ErrCorrupt)
	for _, s := range []string{"topic t", "partition 1", "offset 1"} {
		assert.Contains(t, err.Error(), s)
	}
	res, err := l.Fetch(ctx, broker.FetchRequest{Topic: "t", Partition: 1, Offset: 0, MaxRecords: 1})
	require.NoError(t, err, "records before the damage stay readable")
	assert.Equal(t, []string{"fine"}, values(res.Records))
}

func TestListTopics(t *testing.T) {
	ctx := context.Background()
	l := newLog(t)
	for _, n := range []string{"b", "__internal", "a.c", "a"} {
		require.NoError(t, l.CreateTopic(ctx, n, broker.TopicConfig{Partitions: 1}))
	}
	list, err := l.ListTopics(ctx)
	require.NoError(t, err)
	var names []string
	for _, ti := range list {
		names = append(names, ti.Name)
		assert.Equal(t, broker.CleanupDelete, ti.Config.Cleanup)
	}
	assert.Equal(t, []string{"__internal", "a", "a.c", "b"}, names, "sorted, nothing hidden")
}

func TestCodecRejectsDamage(t *testing.T) {
	r := broker.Record{Key: []byte("k"), Value: []byte("value"), Timestamp: time.UnixMilli(42), Headers: []broker.Header{{Key: "a", Value: []byte("b")}, {Key: "n"}}}
	enc := encodeRecord(nil, &r)
	var out broker.Record
	require.NoError(t, decodeRecord(enc, &out))
	assert.Equal(t, r, out)
	for i := range enc {
		bad := append([]byte(nil), enc...)
		bad[i] ^= 0x40
		assert.Error(t, decodeRecord(bad, &out), "flipping byte %d must be detected", i)
	}
	for n := 0; n < len(enc); n++ {
		assert.Error(t, decodeRecord(enc[:n], &out), "truncation to %d bytes must be detected", n)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	r := broker.Record{Key: []byte("k"), Value: []byte("v"), Headers: []broker.Header{{Key: "h", Value: []byte("x")}}}
	f.Add(encodeRecord(nil, &r))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var out broker.Record
		if decodeRecord(b, &out) == nil {
			// Whatever decodes must survive an encode/decode round trip unchanged.
			var again broker.Record
			if err := decodeRecord(encodeRecord(nil, &out), &again); err != nil {
				t.Fatalf("re-encoding %x: %v", b, err)
			}
			assert.Equal(t, out, again)
		}
	})
}
