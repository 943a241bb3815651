package state

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
)

func scanAll(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, s.Scan(nil, nil, func(k, v []byte) bool { out[string(k)] = string(v); return true }))
	return out
}

func TestStoreBatchesAndNamespaces(t *testing.T) {
	db, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	a, b := db.Store("q1/agg/0"), db.Store("q1/agg/1")
	ba := a.NewBatch()
	ba.Put([]byte("k1"), []byte("v1"))
	ba.Put([]byte("k2"), []byte("v2"))
	ba.Put([]byte("x9"), []byte("v9"))
	require.NoError(t, ba.Commit(ctx))
	bb := b.NewBatch()
	bb.Put([]byte("k1"), []byte("other"))
	require.NoError(t, bb.Commit(ctx))

	v, ok, err := a.Get([]byte("k1"))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "v1", string(v))
	require.Equal(t, map[string]string{"k1": "other"}, scanAll(t, b), "namespaces never overlap")

	del := a.NewBatch()
	del.DeleteRange([]byte("k"), []byte("l"))
	require.NoError(t, del.Commit(ctx))
	require.Equal(t, map[string]string{"x9": "v9"}, scanAll(t, a))

	require.NoError(t, a.Drop())
	require.Empty(t, scanAll(t, a))
	require.Equal(t, map[string]string{"k1": "other"}, scanAll(t, b))
}

// Closing a committed batch (the usual `defer b.Close()`) must not hand pebble's batch back
// to its pool a second time: the batch the next NewBatch got from the pool would be reset
// under it and lose its writes.
func TestCloseAfterCommitLeavesTheNextBatchAlone(t *testing.T) {
	db, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	s := db.Store("q1/agg/0")
	for i := 0; i < 50; i++ {
		first := s.NewBatch()
		first.Put([]byte("a"), []byte("1"))
		require.NoError(t, first.Commit(ctx))
		next := s.NewBatch() // usually the pebble batch first just released
		next.Put([]byte(fmt.Sprint("k", i)), []byte("v"))
		first.Close()
		require.False(t, next.Empty(), "round %d: the next batch was reset by a stale Close", i)
		require.NoError(t, next.Commit(ctx))
		next.Close()
	}
	require.Len(t, scanAll(t, s), 51)
}

// A store with a changelog mirrors every committed write to a compacted topic; an empty store
// (a lost state directory) restores itself from it.
func TestChangelogRestore(t *testing.T) {
	ctx := context.Background()
	log, err := embedded.Open(t.TempDir(), embedded.Options{NoSync: true})
	require.NoError(t, err)
	defer log.Close()
	require.NoError(t, log.CreateTopic(ctx, "cl", broker.TopicConfig{Partitions: 2, Cleanup: broker.CleanupCompact}))

	first, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	s := first.Store("q/agg/1").WithChangelog(log, "cl", 1)
	b := s.NewBatch()
	b.Put([]byte("a"), []byte("1"))
	b.Put([]byte("b"), []byte("2"))
	b.Put([]byte("c"), nil)
	require.NoError(t, b.CommitWith(ctx, log, "", nil))
	b = s.NewBatch()
	b.Delete([]byte("a"))
	b.DeleteRange([]byte("c"), []byte("d"))
	b.Put([]byte("d"), []byte("4"))
	require.NoError(t, b.Commit(ctx))
	want := scanAll(t, s)
	require.Equal(t, map[string]string{"b": "2", "d": "4"}, want)
	require.NoError(t, first.Close())

	second, err := Open("", Options{InMemory: true})
	require.NoError(t, err)
	defer second.Close()
	r := second.Store("q/agg/1").WithChangelog(log, "cl", 1)
	n, err := r.Restore(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	require.Equal(t, want, scanAll(t, r))
	// A store that has data is left alone.
	n, err = r.Restore(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}
