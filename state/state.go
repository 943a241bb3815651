package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/streamsql/streamsql/broker"
)

// Options configure a state DB.
type Options struct {
	// InMemory keeps everything in memory (tests, the conformance runner): nothing survives
	// Close.
	InMemory bool
	// NoSync skips the fsync of commits (tests and benchmarks).
	NoSync bool
}

// DB is the server's one Pebble database for operator state.
type DB struct {
	db   *pebble.DB
	sync bool
	mu   sync.Mutex
	shut bool
	// atomic, when set, is the embedded log sharing this Pebble database: a batch can then
	// commit together with output records (see Batch.CommitWith).
	atomic broker.AtomicProducer
	shared bool
}

// OnLog keeps state inside the embedded log's own Pebble database, so that state, input
// offsets and outputs commit in one batch. State keys start with a 0x00 byte (the
// namespace length prefix) and never meet the log's keys. Close leaves db open.
func OnLog(db *pebble.DB, log broker.AtomicProducer, opts Options) *DB {
	return &DB{db: db, sync: !opts.NoSync, atomic: log, shared: true}
}

// Atomic reports whether batches commit together with output records.
func (d *DB) Atomic() bool { return d.atomic != nil }

// Atomic reports whether the store's batches commit together with output records (it lives
// in the embedded log's database).
func (s *Store) Atomic() bool { return s.d.atomic != nil }

// ErrClosed is returned after Close.
var ErrClosed = errors.New("state: closed")

// Open opens (creating if needed) the state DB in dir.
func Open(dir string, opts Options) (*DB, error) {
	po := &pebble.Options{Cache: pebble.NewCache(64 << 20), MemTableSize: 32 << 20, Logger: quietLogger{}}
	defer po.Cache.Unref()
	for i := range po.Levels {
		// Lookups of new groups and windows miss: bloom filters answer them cheaply.
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		po.Levels[i].FilterType = pebble.TableFilter
	}
	if opts.InMemory {
		po.FS = vfs.NewMem()
		dir = "state"
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("state: opening %s: %w", dir, err)
	}
	return &DB{db: db, sync: !opts.NoSync && !opts.InMemory}, nil
}

// Close closes the DB.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return nil
	}
	d.shut = true
	if d.shared {
		return nil
	}
	return d.db.Close()
}

// Store is one namespace (a query's operator on one partition): its keys carry the
// namespace as a length-prefixed prefix, so namespaces never overlap.
type Store struct {
	d      *DB
	prefix []byte
	// changelog, when set, receives every committed write (see WithChangelog).
	changelog *changelog
}

// changelog is a compacted topic partition mirroring a store.
type changelog struct {
	b         broker.Broker
	topic     string
	partition int32
}

// WithChangelog returns the store with a changelog: every batch it commits is also produced
// (key, value; a tombstone for a delete) to partition of topic, a compacted topic, before the
// batch is committed locally. A server that lost its state directory rebuilds the store from
// it (Restore). On the embedded log state commits with the log itself and needs none.
func (s *Store) WithChangelog(b broker.Broker, topic string, partition int32) *Store {
	c := *s
	c.changelog = &changelog{b: b, topic: topic, partition: partition}
	return &c
}

// Restore rebuilds the store from its changelog when the store is empty (a lost or new state
// directory) and the changelog is not. It reports how many records it replayed.
func (s *Store) Restore(ctx context.Context) (int, error) {
	if s.changelog == nil {
		return 0, nil
	}
	empty := true
	if err := s.Scan(nil, nil, func(_, _ []byte) bool { empty = false; return false }); err != nil {
		return 0, err
	}
	if !empty {
		return 0, nil
	}
	cl := s.changelog
	offs, err := cl.b.Offsets(ctx, cl.topic)
	if err != nil {
		return 0, fmt.Errorf("state: changelog %s: %w", cl.topic, err)
	}
	if int(cl.partition) >= len(offs) {
		return 0, nil
	}
	o := offs[cl.partition]
	n := 0
	for off := o.Earliest; off < o.Latest; {
		res, err := cl.b.Fetch(ctx, broker.FetchRequest{Topic: cl.topic, Partition: cl.partition, Offset: off, MaxRecords: 10_000, MaxWait: 100 * time.Millisecond})
		if err != nil {
			return n, fmt.Errorf("state: restoring from %s/%d: %w", cl.topic, cl.partition, err)
		}
		b := s.d.db.NewBatch()
		for _, r := range res.Records {
			if r.Value == nil {
				_ = b.Delete(s.key(r.Key), nil)
			} else {
				_ = b.Set(s.key(r.Key), r.Value, nil)
			}
			n++
		}
		if err := b.Commit(s.d.writeOpts()); err != nil {
			b.Close()
			return n, fmt.Errorf("state: restore: %w", err)
		}
		b.Close()
		if res.NextOffset <= off {
			break
		}
		off = res.NextOffset
	}
	return n, nil
}

// Store returns the store of a namespace.
func (d *DB) Store(namespace string) *Store {
	p := make([]byte, 0, len(namespace)+2)
	p = append(p, byte(len(namespace)>>8), byte(len(namespace)))
	p = append(p, namespace...)
	return &Store{d: d, prefix: p}
}

func (s *Store) key(k []byte) []byte {
	out := make([]byte, 0, len(s.prefix)+len(k))
	out = append(out, s.prefix...)
	return append(out, k...)
}

// Get returns the value of key (nil, false when absent). The value is a copy.
func (s *Store) Get(key []byte) ([]byte, bool, error) {
	v, closer, err := s.d.db.Get(s.key(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("state: get: %w", err)
	}
	out := bytes.Clone(v)
	closer.Close()
	return out, true, nil
}

// Scan calls fn for every key in [lo, hi) of the store in order (hi nil: to the end of the
// store), with the key relative to the store; fn returns false to stop. Keys and values are
// valid only during the call.
func (s *Store) Scan(lo, hi []byte, fn func(k, v []byte) bool) error {
	upper := s.key(hi)
	if hi == nil {
		upper = prefixEnd(s.prefix)
	}
	it, err := s.d.db.NewIter(&pebble.IterOptions{LowerBound: s.key(lo), UpperBound: upper})
	if err != nil {
		return fmt.Errorf("state: scan: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("state: scan: %w", err)
		}
		if !fn(it.Key()[len(s.prefix):], v) {
			break
		}
	}
	return it.Error()
}

// Size estimates the bytes the store takes on disk.
func (s *Store) Size() (uint64, error) {
	return s.d.db.EstimateDiskUsage(s.prefix, prefixEnd(s.prefix))
}

// Drop deletes everything in the store (a terminated query).
func (s *Store) Drop() error {
	return s.d.db.DeleteRange(s.prefix, prefixEnd(s.prefix), s.d.writeOpts())
}

func (d *DB) writeOpts() *pebble.WriteOptions {
	if d.sync {
		return pebble.Sync
	}
	return pebble.NoSync
}

// Batch collects writes to one store that commit atomically.
type Batch struct {
	s *Store
	b *pebble.Batch
	// log holds the changelog records of the writes (stores with a changelog).
	log    []broker.Record
	ranges [][2][]byte
	closed bool
}

// NewBatch starts a batch.
func (s *Store) NewBatch() *Batch { return &Batch{s: s, b: s.d.db.NewBatch()} }

// Put sets key to value.
func (b *Batch) Put(key, value []byte) {
	_ = b.b.Set(b.s.key(key), value, nil)
	if cl := b.s.changelog; cl != nil {
		b.log = append(b.log, broker.Record{Partition: cl.partition, Key: bytes.Clone(key), Value: bytes.Clone(value)})
		if b.log[len(b.log)-1].Value == nil {
			b.log[len(b.log)-1].Value = []byte{}
		}
	}
}

// Delete removes key.
func (b *Batch) Delete(key []byte) {
	_ = b.b.Delete(b.s.key(key), nil)
	if cl := b.s.changelog; cl != nil {
		b.log = append(b.log, broker.Record{Partition: cl.partition, Key: bytes.Clone(key)})
	}
}

// DeleteRange removes the keys in [lo, hi). With a changelog, the keys the range holds when
// the batch commits are written to it as tombstones.
func (b *Batch) DeleteRange(lo, hi []byte) {
	_ = b.b.DeleteRange(b.s.key(lo), b.s.key(hi), nil)
	if b.s.changelog != nil {
		b.ranges = append(b.ranges, [2][]byte{bytes.Clone(lo), bytes.Clone(hi)})
	}
}

// produceChangelog writes the batch's changelog records (range deletes expanded into the
// keys they remove).
func (b *Batch) produceChangelog(ctx context.Context) error {
	cl := b.s.changelog
	if cl == nil {
		return nil
	}
	recs := b.log
	for _, r := range b.ranges {
		err := b.s.Scan(r[0], r[1], func(k, _ []byte) bool {
			recs = append(recs, broker.Record{Partition: cl.partition, Key: bytes.Clone(k)})
			return true
		})
		if err != nil {
			return err
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := cl.b.Produce(ctx, cl.topic, recs); err != nil {
		return fmt.Errorf("state: changelog %s: %w", cl.topic, err)
	}
	b.log, b.ranges = b.log[:0], nil
	return nil
}

// Empty reports whether the batch holds no write.
func (b *Batch) Empty() bool { return b.b.Empty() }

// Commit applies the batch atomically (durably unless the DB is NoSync), after producing its
// changelog records when the store has a changelog.
func (b *Batch) Commit(ctx context.Context) error {
	if err := b.produceChangelog(ctx); err != nil {
		return err
	}
	if err := b.b.Commit(b.s.d.writeOpts()); err != nil {
		return fmt.Errorf("state: commit: %w", err)
	}
	return b.release()
}

// release returns the pebble batch to pebble's pool once. Closing it twice would pool it
// twice, and the second close could reset it under another task that got it meanwhile.
func (b *Batch) release() error {
	if b.closed {
		return nil
	}
	b.closed = true
	return b.b.Close()
}

// CommitWith commits the batch together with records appended to topic: atomically on the
// embedded log (OnLog); otherwise the records are produced first and the batch committed after
// they are acknowledged, so a crash in between repeats outputs but never loses state.
func (b *Batch) CommitWith(ctx context.Context, bk broker.Broker, topic string, records []broker.Record) error {
	if a := b.s.d.atomic; a != nil {
		if err := a.ProduceWith(ctx, topic, records, b.b); err != nil {
			return err
		}
		return b.release()
	}
	if len(records) > 0 {
		if err := bk.Produce(ctx, topic, records); err != nil {
			return err
		}
	}
	return b.Commit(ctx)
}

// Include adds the writes of another batch of the same database (a broker's offsets) to b.
func (b *Batch) Include(other *pebble.Batch) error { return b.b.Apply(other, nil) }

// Close discards an uncommitted batch; after a commit it does nothing.
func (b *Batch) Close() { _ = b.release() }

// prefixEnd is the first key after every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// quietLogger drops Pebble's informational lines ("Found 0 WALs") and keeps its errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...interface{}) {}
func (quietLogger) Errorf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "state: "+format+"\n", args...)
}
func (quietLogger) Fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "state: "+format+"\n", args...)
}
