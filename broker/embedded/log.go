package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/streamsql/streamsql/broker"
)

// Options configure the embedded log. The zero value is a durable log with Kafka's defaults.
type Options struct {
	// NoSync commits without fsync: faster, but a crash of the machine (not just the
	// process) may lose the last acknowledged batches — never part of one. For tests and
	// benchmarks.
	NoSync bool
	// CleanupInterval is how often retention and compaction run (default 30s; negative
	// disables the background loop — RunCleanup still works).
	CleanupInterval time.Duration
	// DefaultRetention applies to topics created with Retention 0 (default 7 days, as Kafka).
	DefaultRetention time.Duration
	// TombstoneRetention is how long compaction keeps a tombstone (Kafka's
	// delete.retention.ms, default 24h).
	TombstoneRetention time.Duration
	// MaxRecordBytes refuses larger records (default 1048588, Kafka's message.max.bytes).
	MaxRecordBytes int
	// FS replaces the file system (vfs.NewMem() in tests).
	FS vfs.FS
	// Logger receives Pebble's messages; by default errors go to the standard logger and
	// informational messages are dropped.
	Logger pebble.Logger
}

func (o *Options) defaults() {
	if o.CleanupInterval == 0 {
		o.CleanupInterval = 30 * time.Second
	}
	if o.DefaultRetention == 0 {
		o.DefaultRetention = 7 * 24 * time.Hour
	}
	if o.TombstoneRetention == 0 {
		o.TombstoneRetention = 24 * time.Hour
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = 1048588
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Logger == nil {
		o.Logger = errorLogger{}
	}
}

// Log is the embedded broker. It is safe for concurrent use.
//
// Lock order: Log.mu, then topic.mu, then partition.mu. Nothing takes Log.mu while holding
// topic.mu.
type Log struct {
	db   *pebble.DB
	dir  string
	opts Options

	mu     sync.RWMutex
	topics map[string]*topic
	nextID uint64 // last topic id handed out; persisted under prefixTopicID
	closed bool

	// guard is held shared by every operation that touches db outside Log.mu, and
	// exclusively by Close, so that db is never used after it is closed.
	guard sync.RWMutex

	// cleanupMu makes cleanup runs (background and RunCleanup) one at a time: a run scans
	// partitions without the append lock and relies on being the only writer of deletions.
	cleanupMu sync.Mutex

	stop chan struct{} // closed by Close: ends the cleanup loop and blocked fetches
	done chan struct{} // closed when the cleanup loop has returned
}

type topic struct {
	meta topicMeta

	// mu serializes appends (offset assignment and the Pebble apply, which must happen in
	// offset order) and the parts of cleanup that rewrite the key index.
	mu sync.Mutex
	// reserved[p] is the offset the next append to p gets. It runs ahead of the published
	// partition.next while batches wait for their fsync.
	reserved []int64
	// bytes[p] is the encoded size of p's records, or -1 until a retention.bytes check first
	// needs it (computing it costs a scan of the partition).
	bytes []int64
	rr    uint32 // round-robin cursor for null keys

	parts []*partition
	// gone is closed when the topic is deleted, waking blocked fetches.
	gone chan struct{}
}

type topicMeta struct {
	Name   string             `json:"name"`
	ID     uint64             `json:"id"`
	Config broker.TopicConfig `json:"config"`
}

// partition holds what readers see: records in [start, next) are durable and readable.
type partition struct {
	mu     sync.Mutex
	start  int64
	next   int64
	notify chan struct{} // closed and replaced when next advances

	// Compaction bookkeeping, owned by the cleanup run (cleanupMu): the partition end at
	// the last compaction, and the earliest time a kept tombstone becomes removable.
	compactedTo     int64
	tombstoneExpiry int64 // unix ms; 0 when no tombstone was kept
}

func (p *partition) offsets() (start, next int64, notify chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.start, p.next, p.notify
}

// publish makes offsets below next visible to readers and wakes waiting fetches. Batches of
// one topic may finish their fsync out of order; a later batch's sync covers every earlier
// one (the WAL is sequential), so publishing the highest end seen is safe.
func (p *partition) publish(next int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if next > p.next {
		p.next = next
		close(p.notify)
		p.notify = make(chan struct{})
	}
}

func (p *partition) setStart(start int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if start > p.start {
		p.start = start
	}
}

var _ broker.Broker = (*Log)(nil)

// Open opens (or creates) the log in dir and recovers every topic's offsets.
func Open(dir string, opts Options) (*Log, error) {
	opts.defaults()
	l := &Log{dir: dir, opts: opts, topics: map[string]*topic{}, stop: make(chan struct{}), done: make(chan struct{})}
	popts := &pebble.Options{
		FS:     opts.FS,
		Logger: opts.Logger,
		// Pinned, not FormatNewest, so that a Pebble upgrade never ratchets a store
		// unasked. This version writes WAL sync chunks, which let replay tell a torn
		// tail (a crash: tolerated) from damage in the middle of the WAL (an error;
		// older formats silently stop replaying there), and checksums sstable footers.
		FormatMajorVersion: pebble.FormatTableFormatV6,
		// Operator state shares this database (state.OnLog): its point lookups mostly miss
		// (a new group, a new window), which bloom filters answer without reading blocks,
		// and a larger memtable and block cache keep the hot groups off the disk.
		Cache:        pebble.NewCache(64 << 20),
		MemTableSize: 32 << 20,
		EventListener: &pebble.EventListener{
			// Pebble's default is Logger.Fatalf, which would take the whole server down
			// for one bad block. The read that hit it fails with an error naming the file
			// (see wrapErr); logging it here also covers background compactions.
			DataCorruption: func(info pebble.DataCorruptionInfo) {
				opts.Logger.Errorf("embedded log %s: corrupt file %s: %v", dir, info.Path, info.Details)
			},
		},
	}
	for i := range popts.Levels {
		popts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		popts.Levels[i].FilterType = pebble.TableFilter
	}
	db, err := openPebble(dir, popts)
	popts.Cache.Unref() // the DB holds its own reference
	if err != nil {
		if pebble.IsCorruptionError(err) {
			return nil, l.wrapErr(l.nameWALs(err))
		}
		return nil, fmt.Errorf("opening embedded log %s: %w", dir, err)
	}
	l.db = db
	if err := l.recover(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if opts.CleanupInterval > 0 {
		go l.cleanupLoop()
	} else {
		close(l.done)
	}
	return l, nil
}

// openPebble opens the DB, creating it in two steps when it is new: Pebble creates a new
// store's first WAL before it has raised the store to the pinned format, so that WAL lacks the
// sync chunks that make damage in its middle detectable. Reopening starts a WAL in the
// pinned format from the first record on.
func openPebble(dir string, popts *pebble.Options) (*pebble.DB, error) {
	desc, err := pebble.Peek(dir, popts.FS)
	if err != nil {
		return nil, err
	}
	if !desc.Exists {
		db, err := pebble.Open(dir, popts)
		if err != nil {
			return nil, err
		}
		if err := db.Close(); err != nil {
			return nil, err
		}
	}
	return pebble.Open(dir, popts)
}

// nameWALs adds the WAL files' names to a replay error, which names none.
func (l *Log) nameWALs(err error) error {
	if !strings.Contains(err.Error(), "WAL") {
		return err
	}
	names, lerr := l.opts.FS.List(l.dir)
	if lerr != nil {
		return err
	}
	var wals []string
	for _, n := range names {
		if strings.HasSuffix(n, ".log") {
			wals = append(wals, n)
		}
	}
	sort.Strings(wals)
	return fmt.Errorf("WAL files %s: %w", strings.Join(wals, ", "), err)
}

// errorLogger keeps Pebble's errors and fatal errors and drops its chatter.
type errorLogger struct{}

func (errorLogger) Infof(string, ...interface{}) {}
func (errorLogger) Errorf(format string, args ...interface{}) {
	log.Printf("pebble: "+format, args...)
}
func (errorLogger) Fatalf(format string, args ...interface{}) {
	log.Fatalf("pebble: "+format, args...)
}

// wrapErr marks Pebble's corruption errors with broker.ErrCorrupt and names the damaged file
// (Pebble carries the path out of band, in a detail its message does not print).
func (l *Log) wrapErr(err error) error {
	if err == nil || !pebble.IsCorruptionError(err) {
		return err
	}
	where := "embedded log " + l.dir
	if info := pebble.ExtractDataCorruptionInfo(err); info != nil {
		where += ", file " + info.Path
	}
	// The detail rides in an errors.Join whose placeholder message would end ours with a
	// stray line.
	msg := strings.ReplaceAll(err.Error(), "\n<corruption detail carrier>", "")
	return &corruptError{msg: fmt.Sprintf("%v: %s: %s", broker.ErrCorrupt, where, msg), err: err}
}

// corruptError is broker.ErrCorrupt with Pebble's error underneath, for errors.Is/As.
type corruptError struct {
	msg string
	err error
}

func (e *corruptError) Error() string   { return e.msg }
func (e *corruptError) Unwrap() []error { return []error{broker.ErrCorrupt, e.err} }

func (l *Log) corrupt(t *topic, p int32, off int64, err error) error {
	return fmt.Errorf("%w: embedded log %s: topic %s partition %d offset %d: %v", broker.ErrCorrupt, l.dir, t.meta.Name, p, off, err)
}

func (l *Log) get(key []byte) ([]byte, bool, error) {
	v, closer, err := l.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, l.wrapErr(err)
	}
	out := append([]byte(nil), v...)
	_ = closer.Close()
	return out, true, nil
}

func (l *Log) getUint64(key []byte) (uint64, bool, error) {
	v, ok, err := l.get(key)
	if err != nil || !ok {
		return 0, ok, err
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("%w: embedded log %s: key %x holds %d bytes, want 8", broker.ErrCorrupt, l.dir, key, len(v))
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func (l *Log) recover() error {
	if id, _, err := l.getUint64([]byte{prefixTopicID}); err != nil {
		return err
	} else {
		l.nextID = id
	}
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixMeta}, UpperBound: []byte{prefixMeta + 1}})
	if err != nil {
		return l.wrapErr(err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var m topicMeta
		if err := json.Unmarshal(it.Value(), &m); err != nil {
			return fmt.Errorf("%w: embedded log %s: topic metadata %q: %v", broker.ErrCorrupt, l.dir, it.Key()[1:], err)
		}
		t := newTopic(m)
		for p := int32(0); p < m.Config.Partitions; p++ {
			if err := l.recoverPartition(t, p); err != nil {
				return err
			}
		}
		l.topics[m.Name] = t
	}
	return l.wrapErr(it.Error())
}

// recoverPartition reads the persisted next and log-start offsets. The next offset is
// written in every append batch, so it is exact; the last record's key is checked against
// it because a record at or past it would mean offsets about to be reused.
func (l *Log) recoverPartition(t *topic, p int32) error {
	part := t.parts[p]
	next, _, err := l.getUint64(partKey(prefixNext, t.meta.ID, p))
	if err != nil {
		return err
	}
	start, _, err := l.getUint64(partKey(prefixStart, t.meta.ID, p))
	if err != nil {
		return err
	}
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: recordKey(t.meta.ID, p, 0), UpperBound: prefixEnd(partKey(prefixRecord, t.meta.ID, p))})
	if err != nil {
		return l.wrapErr(err)
	}
	defer it.Close()
	if it.Last() {
		if last := offsetOfRecordKey(it.Key()); uint64(last) >= next {
			return fmt.Errorf("%w: embedded log %s: topic %s partition %d has a record at offset %d but its next offset is %d", broker.ErrCorrupt, l.dir, t.meta.Name, p, last, next)
		}
	}
	if err := it.Error(); err != nil {
		return l.wrapErr(err)
	}
	if start > next {
		return fmt.Errorf("%w: embedded log %s: topic %s partition %d starts at %d after its end %d", broker.ErrCorrupt, l.dir, t.meta.Name, p, start, next)
	}
	part.start, part.next = int64(start), int64(next)
	t.reserved[p] = int64(next)
	return nil
}

func newTopic(m topicMeta) *topic {
	n := m.Config.Partitions
	t := &topic{meta: m, reserved: make([]int64, n), bytes: make([]int64, n), gone: make(chan struct{})}
	for p := int32(0); p < n; p++ {
		t.parts = append(t.parts, &partition{notify: make(chan struct{})})
		t.bytes[p] = -1
	}
	return t
}

// enter registers an operation on the DB; false once the log is closed. Every true must be
// matched by a deferred leave, or Close waits forever.
func (l *Log) enter() bool {
	l.guard.RLock()
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		l.guard.RUnlock()
		return false
	}
	return true
}

func (l *Log) leave() { l.guard.RUnlock() }

func (l *Log) topic(name string) (*topic, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, broker.ErrClosed
	}
	t, ok := l.topics[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", broker.ErrUnknownTopic, name)
	}
	return t, nil
}

func (l *Log) partition(name string, p int32) (*topic, *partition, error) {
	t, err := l.topic(name)
	if err != nil {
		return nil, nil, err
	}
	if p < 0 || int(p) >= len(t.parts) {
		return nil, nil, fmt.Errorf("%w: topic %s has %d partitions, no partition %d", broker.ErrInvalidPartition, name, len(t.parts), p)
	}
	return t, t.parts[p], nil
}

// legalTopicName is Kafka's rule, so a topic that works here also works on a cluster.
var legalTopicName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func (l *Log) fillDefaults(cfg broker.TopicConfig) broker.TopicConfig {
	if cfg.Cleanup == "" {
		cfg.Cleanup = broker.CleanupDelete
	}
	if cfg.Retention == 0 {
		cfg.Retention = l.opts.DefaultRetention
	}
	if cfg.Retention < 0 {
		cfg.Retention = -1
	}
	if cfg.RetentionBytes < 0 {
		cfg.RetentionBytes = 0
	}
	return cfg
}

func compacted(cfg broker.TopicConfig) bool {
	return cfg.Cleanup == broker.CleanupCompact || cfg.Cleanup == broker.CleanupCompactDelete
}

// CreateTopic implements broker.Broker. Names follow Kafka's rules: 1 to 249 of
// [a-zA-Z0-9._-], not "." or "..".
func (l *Log) CreateTopic(ctx context.Context, name string, cfg broker.TopicConfig) error {
	if !legalTopicName.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("%w: topic name %q must be 1 to 249 of [a-zA-Z0-9._-], and not . or ..", broker.ErrInvalidConfig, name)
	}
	if cfg.Partitions <= 0 {
		return fmt.Errorf("%w: topic %s needs at least one partition, got %d", broker.ErrInvalidConfig, name, cfg.Partitions)
	}
	switch cfg.Cleanup {
	case "", broker.CleanupDelete, broker.CleanupCompact, broker.CleanupCompactDelete:
	default:
		return fmt.Errorf("%w: topic %s: unknown cleanup.policy %q", broker.ErrInvalidConfig, name, cfg.Cleanup)
	}
	cfg = l.fillDefaults(cfg)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return broker.ErrClosed
	}
	if _, ok := l.topics[name]; ok {
		return fmt.Errorf("%w: %s", broker.ErrTopicExists, name)
	}
	m := topicMeta{Name: name, ID: l.nextID + 1, Config: cfg}
	mb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b := l.db.NewBatch()
	defer b.Close()
	_ = b.Set(metaKey(name), mb, nil)
	_ = b.Set([]byte{prefixTopicID}, binary.BigEndian.AppendUint64(nil, m.ID), nil)
	if err := b.Commit(l.writeOpts()); err != nil {
		return l.wrapErr(fmt.Errorf("creating topic %s: %w", name, err))
	}
	l.nextID = m.ID
	l.topics[name] = newTopic(m)
	return nil
}

func (l *Log) writeOpts() *pebble.WriteOptions {
	if l.opts.NoSync {
		return pebble.NoSync
	}
	return pebble.Sync
}

// DeleteTopic implements broker.Broker. It also drops every group's commits for the topic, as
// Kafka does.
func (l *Log) DeleteTopic(ctx context.Context, name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return broker.ErrClosed
	}
	t, ok := l.topics[name]
	if !ok {
		return fmt.Errorf("%w: %s", broker.ErrUnknownTopic, name)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := l.db.NewBatch()
	defer b.Close()
	_ = b.Delete(metaKey(name), nil)
	for _, prefix := range []byte{prefixRecord, prefixNext, prefixStart, prefixKey, prefixGroup} {
		lo := binary.BigEndian.AppendUint64([]byte{prefix}, t.meta.ID)
		_ = b.DeleteRange(lo, prefixEnd(lo), nil)
	}
	if err := b.Commit(l.writeOpts()); err != nil {
		return l.wrapErr(fmt.Errorf("deleting topic %s: %w", name, err))
	}
	delete(l.topics, name)
	close(t.gone)
	return nil
}

// DescribeTopic implements broker.Broker. The configuration has its defaults filled in.
func (l *Log) DescribeTopic(ctx context.Context, name string) (broker.TopicInfo, error) {
	t, err := l.topic(name)
	if err != nil {
		return broker.TopicInfo{}, err
	}
	return broker.TopicInfo{Name: name, Config: t.meta.Config}, nil
}

// ListTopics implements broker.Broker. The embedded log has no internal topics: every topic
// is listed.
func (l *Log) ListTopics(ctx context.Context) ([]broker.TopicInfo, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, broker.ErrClosed
	}
	out := make([]broker.TopicInfo, 0, len(l.topics))
	for name, t := range l.topics {
		out = append(out, broker.TopicInfo{Name: name, Config: t.meta.Config})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Produce implements broker.Broker: the whole call is one Pebble batch, durable (unless
// Options.NoSync) and visible to Fetch when Produce returns nil, and absent after a crash
// otherwise or partly. A null key on a compacted topic is refused with ErrInvalidConfig,
// as Kafka refuses it: compaction could never remove such a record.
func (l *Log) Produce(ctx context.Context, name string, records []broker.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	t, err := l.topic(name)
	if err != nil {
		return err
	}
	isCompacted := compacted(t.meta.Config)
	n := int32(len(t.parts))
	for i := range records {
		r := &records[i]
		if r.Partition != broker.AnyPartition && (r.Partition < 0 || r.Partition >= n) {
			return fmt.Errorf("%w: topic %s has %d partitions, no partition %d", broker.ErrInvalidPartition, name, n, r.Partition)
		}
		if size := recordSize(r); size > l.opts.MaxRecordBytes {
			return fmt.Errorf("%w: a %d-byte record for topic %s exceeds the %d-byte limit", broker.ErrRecordTooLarge, size, name, l.opts.MaxRecordBytes)
		}
		if isCompacted && r.Key == nil {
			return fmt.Errorf("%w: compacted topic %s refuses a record without a key (record %d of the batch)", broker.ErrInvalidConfig, name, i)
		}
	}
	if !l.enter() {
		return broker.ErrClosed
	}
	defer l.leave()

	b := l.db.NewBatch()
	defer b.Close()
	ends, err := l.append(t, b, records, !l.opts.NoSync)
	if err != nil {
		return err
	}
	if !l.opts.NoSync {
		// The fsync happens here, outside the topic lock: concurrent producers share
		// WAL syncs (group commit) while their batches stay in offset order.
		if err := b.SyncWait(); err != nil {
			return l.wrapErr(fmt.Errorf("syncing append to topic %s: %w", name, err))
		}
	}
	for p, end := range ends {
		if end >= 0 {
			t.parts[p].publish(end)
		}
	}
	return nil
}

// DB is the Pebble database under the log, for state that must commit atomically with
// appends (see ProduceWith). Keys written there must not start with an ASCII letter: those
// prefixes are the log's.
func (l *Log) DB() *pebble.DB { return l.db }

// ProduceWith implements broker.AtomicProducer: records are appended to topic and extra's
// writes applied in one Pebble batch, so operator state and input offsets commit together with
// the outputs they produced. records may be empty.
//
// The batch is written to the WAL but not fsynced, and it is visible at once: everything a
// query commits is derived from records that are already durable, and its input offsets are
// in the same batch. The WAL is one sequence replayed as a prefix, so a crash that takes back
// such a batch takes back everything written after it too (whatever a downstream query
// derived from it included), and the query computes it again from its committed offsets. Any
// later synced write (a Produce, an offset commit, DDL) makes it durable along with
// everything before it. This saves a query one fsync per batch, which is most of its latency
// at low rates (see doc.go, Durability).
func (l *Log) ProduceWith(ctx context.Context, name string, records []broker.Record, extra *pebble.Batch) error {
	if len(records) > 0 {
		// Validate exactly as Produce does before anything is written.
		t, err := l.topic(name)
		if err != nil {
			return err
		}
		n := int32(len(t.parts))
		for i := range records {
			r := &records[i]
			if r.Partition != broker.AnyPartition && (r.Partition < 0 || r.Partition >= n) {
				return fmt.Errorf("%w: topic %s has %d partitions, no partition %d", broker.ErrInvalidPartition, name, n, r.Partition)
			}
			if size := recordSize(r); size > l.opts.MaxRecordBytes {
				return fmt.Errorf("%w: a %d-byte record for topic %s exceeds the %d-byte limit", broker.ErrRecordTooLarge, size, name, l.opts.MaxRecordBytes)
			}
			if compacted(t.meta.Config) && r.Key == nil {
				return fmt.Errorf("%w: compacted topic %s refuses a record without a key (record %d of the batch)", broker.ErrInvalidConfig, name, i)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !l.enter() {
		return broker.ErrClosed
	}
	defer l.leave()
	b := l.db.NewBatch()
	defer b.Close()
	if extra != nil {
		if err := b.Apply(extra, nil); err != nil {
			return fmt.Errorf("embedded: applying state batch: %w", err)
		}
	}
	if len(records) == 0 {
		if err := b.Commit(pebble.NoSync); err != nil {
			return l.wrapErr(fmt.Errorf("committing state: %w", err))
		}
		return nil
	}
	t, err := l.topic(name)
	if err != nil {
		return err
	}
	ends, err := l.append(t, b, records, false)
	if err != nil {
		return err
	}
	for p, end := range ends {
		if end >= 0 {
			t.parts[p].publish(end)
		}
	}
	return nil
}

// append assigns partitions and offsets and applies the batch to Pebble under the topic lock,
// so that batches reach the WAL in offset order. It returns each partition's new end (-1
// for partitions the batch does not touch). With sync the caller still has to SyncWait.
func (l *Log) append(t *topic, b *pebble.Batch, records []broker.Record, sync bool) ([]int64, error) {
	now := time.Now()
	n := int32(len(t.parts))
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.gone:
		return nil, fmt.Errorf("%w: %s", broker.ErrUnknownTopic, t.meta.Name)
	default:
	}
	isCompacted := compacted(t.meta.Config)
	ends := make([]int64, n)
	for p := range ends {
		ends[p] = -1
	}
	added := make([]int64, n)
	next := append([]int64(nil), t.reserved...)
	var buf, num []byte
	rr := t.rr
	for i := range records {
		r := &records[i]
		p := r.Partition
		if p == broker.AnyPartition {
			if r.Key != nil {
				p = broker.PartitionForKey(r.Key, n)
			} else {
				p = int32(rr % uint32(n))
				rr++
			}
		}
		if r.Timestamp.IsZero() {
			r.Timestamp = now
		}
		off := next[p]
		next[p]++
		ends[p] = next[p]
		buf = encodeRecord(buf, r)
		added[p] += int64(len(buf))
		_ = b.Set(recordKey(t.meta.ID, p, off), buf, nil)
		if isCompacted {
			num = binary.BigEndian.AppendUint64(num[:0], uint64(off))
			_ = b.Set(indexKey(t.meta.ID, p, r.Key), num, nil)
		}
		r.Topic, r.Partition, r.Offset = t.meta.Name, p, off
	}
	for p, end := range ends {
		if end >= 0 {
			num = binary.BigEndian.AppendUint64(num[:0], uint64(end))
			_ = b.Set(partKey(prefixNext, t.meta.ID, int32(p)), num, nil)
		}
	}
	var err error
	if !sync {
		err = b.Commit(pebble.NoSync)
	} else {
		// Applied and visible in Pebble, not yet synced. Readers do not see it before
		// publish, which comes after the sync.
		err = l.db.ApplyNoSyncWait(b, pebble.Sync)
	}
	if err != nil {
		return nil, l.wrapErr(fmt.Errorf("appending to topic %s: %w", t.meta.Name, err))
	}
	t.reserved = next
	t.rr = rr
	for p := range added {
		if t.bytes[p] >= 0 {
			t.bytes[p] += added[p]
		}
	}
	return ends, nil
}

// Fetch implements broker.Broker. It returns only durable records. When every record from
// Offset to the end was removed by compaction, the gap is skipped: the result is empty with
// NextOffset at the end of the partition (after waiting there up to MaxWait).
func (l *Log) Fetch(ctx context.Context, req broker.FetchRequest) (broker.FetchResult, error) {
	t, part, err := l.partition(req.Topic, req.Partition)
	if err != nil {
		return broker.FetchResult{}, err
	}
	maxRecords := req.MaxRecords
	if maxRecords <= 0 {
		maxRecords = 1000
	}
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	var timer *time.Timer
	for {
		start, next, notify := part.offsets()
		if req.Offset < start || req.Offset > next {
			return broker.FetchResult{}, fmt.Errorf("%w: topic %s partition %d holds offsets %d to %d, asked for %d", broker.ErrOffsetOutOfRange, req.Topic, req.Partition, start, next, req.Offset)
		}
		if req.Offset < next {
			res, err := l.read(t, req, next, maxRecords, maxBytes)
			if err != nil || len(res.Records) > 0 {
				return res, err
			}
			// [Offset, next) was compacted away: wait at the end instead.
			req.Offset = next
		}
		if req.MaxWait <= 0 {
			return broker.FetchResult{NextOffset: req.Offset, HighWatermark: next}, nil
		}
		if timer == nil {
			timer = time.NewTimer(req.MaxWait)
			defer timer.Stop()
		}
		select {
		case <-notify:
		case <-timer.C:
			// One last look: a produce may have landed just as the timer fired.
			req.MaxWait = 0
		case <-ctx.Done():
			return broker.FetchResult{}, ctx.Err()
		case <-t.gone:
			return broker.FetchResult{}, fmt.Errorf("%w: %s (deleted during fetch)", broker.ErrUnknownTopic, req.Topic)
		case <-l.stop:
			return broker.FetchResult{}, broker.ErrClosed
		}
	}
}

func (l *Log) read(t *topic, req broker.FetchRequest, next int64, maxRecords, maxBytes int) (broker.FetchResult, error) {
	res := broker.FetchResult{NextOffset: req.Offset, HighWatermark: next}
	if !l.enter() {
		return res, broker.ErrClosed
	}
	defer l.leave()
	it, err := l.db.NewIter(&pebble.IterOptions{
		LowerBound: recordKey(t.meta.ID, req.Partition, req.Offset),
		UpperBound: recordKey(t.meta.ID, req.Partition, next),
	})
	if err != nil {
		return res, l.wrapErr(err)
	}
	defer it.Close()
	var arena []byte
	size := 0
	for it.First(); it.Valid() && len(res.Records) < maxRecords; it.Next() {
		off := offsetOfRecordKey(it.Key())
		rec := broker.Record{Topic: req.Topic, Partition: req.Partition, Offset: off}
		v := it.Value()
		size += len(v)
		if len(res.Records) > 0 && size > maxBytes {
			break
		}
		if arena, err = decodeOwned(arena, v, &rec); err != nil {
			return broker.FetchResult{}, l.corrupt(t, req.Partition, off, err)
		}
		res.Records = append(res.Records, rec)
		res.NextOffset = off + 1
	}
	if err := it.Error(); err != nil {
		return broker.FetchResult{}, l.wrapErr(fmt.Errorf("reading topic %s partition %d from offset %d: %w", req.Topic, req.Partition, req.Offset, err))
	}
	return res, nil
}

// Offsets implements broker.Broker. Earliest is the log-start offset, which retention and
// compaction advance to the first record that remains (Latest when none does).
func (l *Log) Offsets(ctx context.Context, name string) ([]broker.PartitionOffsets, error) {
	t, err := l.topic(name)
	if err != nil {
		return nil, err
	}
	out := make([]broker.PartitionOffsets, len(t.parts))
	for p, part := range t.parts {
		start, next, _ := part.offsets()
		out[p] = broker.PartitionOffsets{Earliest: start, Latest: next}
	}
	return out, nil
}

// CommitOffsets implements broker.Broker. The commit is one synced batch: all or nothing.
func (l *Log) CommitOffsets(ctx context.Context, group string, offsets map[broker.TopicPartition]int64) error {
	if group == "" {
		return fmt.Errorf("%w: empty consumer group name", broker.ErrInvalidConfig)
	}
	b := l.db.NewBatch()
	defer b.Close()
	for tp, off := range offsets {
		t, _, err := l.partition(tp.Topic, tp.Partition)
		if err != nil {
			return err
		}
		_ = b.Set(groupKey(t.meta.ID, group, tp.Partition), binary.BigEndian.AppendUint64(nil, uint64(off)), nil)
	}
	if !l.enter() {
		return broker.ErrClosed
	}
	defer l.leave()
	if err := b.Commit(l.writeOpts()); err != nil {
		return l.wrapErr(fmt.Errorf("committing offsets of group %s: %w", group, err))
	}
	return nil
}

// OffsetBatch implements broker.AtomicOffsets: a batch setting group's offsets, for
// ProduceWith.
func (l *Log) OffsetBatch(group string, offsets map[broker.TopicPartition]int64) (*pebble.Batch, error) {
	if group == "" {
		return nil, fmt.Errorf("%w: empty consumer group name", broker.ErrInvalidConfig)
	}
	b := l.db.NewBatch()
	for tp, off := range offsets {
		t, _, err := l.partition(tp.Topic, tp.Partition)
		if err != nil {
			b.Close()
			return nil, err
		}
		_ = b.Set(groupKey(t.meta.ID, group, tp.Partition), binary.BigEndian.AppendUint64(nil, uint64(off)), nil)
	}
	return b, nil
}

// FetchOffsets implements broker.Broker.
func (l *Log) FetchOffsets(ctx context.Context, group string, name string) (map[int32]int64, error) {
	t, err := l.topic(name)
	if err != nil {
		return nil, err
	}
	if !l.enter() {
		return nil, broker.ErrClosed
	}
	defer l.leave()
	lo := groupPrefix(t.meta.ID, group)
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: prefixEnd(lo)})
	if err != nil {
		return nil, l.wrapErr(err)
	}
	defer it.Close()
	out := map[int32]int64{}
	for it.First(); it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != len(lo)+4 || len(v) != 8 {
			return nil, fmt.Errorf("%w: embedded log %s: malformed offset commit %x of group %s", broker.ErrCorrupt, l.dir, k, group)
		}
		out[int32(binary.BigEndian.Uint32(k[len(lo):]))] = int64(binary.BigEndian.Uint64(v))
	}
	return out, l.wrapErr(it.Error())
}

// Close implements broker.Broker: it stops cleanup, ends blocked fetches with ErrClosed, waits
// for operations in flight, flushes and closes Pebble. Later calls return ErrClosed; Close
// itself is idempotent.
//
// The flush moves the WAL's contents into checksummed tables, so a cleanly closed log has
// nothing to replay: only a crash leaves work for WAL recovery.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.stop)
	l.mu.Unlock()
	<-l.done
	l.guard.Lock()
	defer l.guard.Unlock()
	ferr := l.db.Flush()
	return l.wrapErr(errors.Join(ferr, l.db.Close()))
}

// Settle flushes the memtable and waits for the compactions that the data written so far
// needs, so that a measurement that follows is not charged for them. Benchmarks use it.
func (l *Log) Settle() error {
	l.guard.RLock()
	defer l.guard.RUnlock()
	if l.closed {
		return broker.ErrClosed
	}
	if err := l.db.Flush(); err != nil {
		return err
	}
	return l.db.Compact(context.Background(), []byte{0}, []byte{0xff}, true)
}
