package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/streamsql/streamsql/broker"
)

func (l *Log) cleanupLoop() {
	defer close(l.done)
	tick := time.NewTicker(l.opts.CleanupInterval)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-tick.C:
			if err := l.RunCleanup(now); err != nil && !errors.Is(err, broker.ErrClosed) {
				l.opts.Logger.Errorf("embedded log %s: cleanup: %v", l.dir, err)
			}
		}
	}
}

// RunCleanup applies every topic's cleanup.policy as of now: retention for "delete",
// compaction for "compact", both for "compact,delete". The background loop calls it every
// Options.CleanupInterval; tests call it directly with a chosen clock. A failing topic does
// not stop the others; their errors are joined.
//
// Partitions are scanned without the append lock, so producers keep going while a long
// partition is cleaned; the lock is taken only to commit, because deleting a key's index
// entry must not race an append that updates it.
func (l *Log) RunCleanup(now time.Time) error {
	l.cleanupMu.Lock()
	defer l.cleanupMu.Unlock()
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return broker.ErrClosed
	}
	topics := make([]*topic, 0, len(l.topics))
	for _, t := range l.topics {
		topics = append(topics, t)
	}
	l.mu.RUnlock()
	var errs []error
	for _, t := range topics {
		if err := l.cleanTopic(t, now); err != nil {
			errs = append(errs, fmt.Errorf("topic %s: %w", t.meta.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (l *Log) cleanTopic(t *topic, now time.Time) error {
	if !l.enter() {
		return broker.ErrClosed
	}
	defer l.leave()
	for p := range t.parts {
		select {
		case <-t.gone:
			return nil
		default:
		}
		if err := l.cleanPartition(t, int32(p), now); err != nil {
			return err
		}
	}
	return nil
}

// indexCandidate is a removed record whose key-index entry goes too if it still points at it.
type indexCandidate struct {
	key []byte
	off int64
}

// cleanupPlan is what one partition's scan decided to remove.
type cleanupPlan struct {
	start, next int64
	// retainFrom is where time/size retention cuts: [start, retainFrom) goes as a range.
	retainFrom int64
	// newStart is the first offset that remains (next when none does).
	newStart int64
	// deletes are records compaction removes one by one (superseded values, old tombstones).
	deletes []int64
	// candidates' index entries are removed unless an append moved them on meanwhile.
	candidates []indexCandidate
	freed      int64
	// compacted is set when compaction ran, with the tombstone expiry it found.
	compacted       bool
	tombstoneExpiry int64
}

func (l *Log) cleanPartition(t *topic, p int32, now time.Time) error {
	cfg := t.meta.Config
	part := t.parts[p]
	start, next, _ := part.offsets()
	plan := cleanupPlan{start: start, next: next, retainFrom: start, newStart: start}
	if cfg.Cleanup != broker.CleanupCompact {
		if err := l.planRetention(t, p, now, &plan); err != nil {
			return err
		}
	}
	plan.newStart = plan.retainFrom
	if compacted(cfg) && (next != part.compactedTo || (part.tombstoneExpiry != 0 && now.UnixMilli() >= part.tombstoneExpiry)) {
		if err := l.planCompaction(t, p, now, &plan); err != nil {
			return err
		}
	}
	if plan.newStart == start && len(plan.deletes) == 0 && len(plan.candidates) == 0 {
		if plan.compacted {
			part.compactedTo, part.tombstoneExpiry = next, plan.tombstoneExpiry
		}
		return nil
	}
	if err := l.commitCleanup(t, p, &plan); err != nil {
		return err
	}
	part.setStart(plan.newStart)
	if plan.compacted {
		part.compactedTo, part.tombstoneExpiry = next, plan.tombstoneExpiry
	}
	return nil
}

// planRetention finds the oldest prefix of the partition to drop, Kafka style: records go
// while they are older than retention.ms or the partition is over retention.bytes, and the
// scan stops at the first record that may stay (an old record after a young one stays).
func (l *Log) planRetention(t *topic, p int32, now time.Time, plan *cleanupPlan) error {
	cfg := t.meta.Config
	if cfg.Retention < 0 && cfg.RetentionBytes <= 0 {
		return nil
	}
	total := int64(-1)
	if cfg.RetentionBytes > 0 {
		var err error
		if total, err = l.partitionBytes(t, p); err != nil {
			return err
		}
	}
	cutoff := now.Add(-cfg.Retention).UnixMilli()
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: recordKey(t.meta.ID, p, plan.start), UpperBound: recordKey(t.meta.ID, p, plan.next)})
	if err != nil {
		return l.wrapErr(err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		off, v := offsetOfRecordKey(it.Key()), it.Value()
		var rec broker.Record
		if err := decodeRecord(v, &rec); err != nil {
			return l.corrupt(t, p, off, err)
		}
		old := cfg.Retention >= 0 && rec.Timestamp.UnixMilli() < cutoff
		big := cfg.RetentionBytes > 0 && total > cfg.RetentionBytes
		if !old && !big {
			break
		}
		total -= int64(len(v))
		plan.freed += int64(len(v))
		if compacted(cfg) {
			plan.candidates = append(plan.candidates, indexCandidate{key: append([]byte(nil), rec.Key...), off: off})
		}
		plan.retainFrom = off + 1
	}
	return l.wrapErr(it.Error())
}

// partitionBytes returns the encoded size of the partition, scanning it the first time. The
// scan holds the append lock so that it and the appends' running total agree.
func (l *Log) partitionBytes(t *topic, p int32) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bytes[p] >= 0 {
		return t.bytes[p], nil
	}
	start, _, _ := t.parts[p].offsets()
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: recordKey(t.meta.ID, p, start), UpperBound: recordKey(t.meta.ID, p, t.reserved[p])})
	if err != nil {
		return 0, l.wrapErr(err)
	}
	defer it.Close()
	var total int64
	for it.First(); it.Valid(); it.Next() {
		total += int64(len(it.Value()))
	}
	if err := it.Error(); err != nil {
		return 0, l.wrapErr(err)
	}
	t.bytes[p] = total
	return total, nil
}

// planCompaction marks every record that a later record of its key supersedes (the key index
// points elsewhere), and tombstones older than the tombstone retention. Offsets never change:
// records are only removed.
//
// Reading the index without the append lock is safe for superseded records: an entry only
// moves forward, except when this (single) cleanup run removes an expired tombstone's entry.
func (l *Log) planCompaction(t *topic, p int32, now time.Time, plan *cleanupPlan) error {
	plan.compacted = true
	cutoff := now.Add(-l.opts.TombstoneRetention).UnixMilli()
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: recordKey(t.meta.ID, p, plan.retainFrom), UpperBound: recordKey(t.meta.ID, p, plan.next)})
	if err != nil {
		return l.wrapErr(err)
	}
	defer it.Close()
	firstKept := int64(-1)
	for it.First(); it.Valid(); it.Next() {
		off, v := offsetOfRecordKey(it.Key()), it.Value()
		var rec broker.Record
		if err := decodeRecord(v, &rec); err != nil {
			return l.corrupt(t, p, off, err)
		}
		latest, ok, err := l.getUint64(indexKey(t.meta.ID, p, rec.Key))
		if err != nil {
			return err
		}
		ts := rec.Timestamp.UnixMilli()
		switch {
		case ok && int64(latest) != off:
			plan.deletes = append(plan.deletes, off)
			plan.freed += int64(len(v))
		case rec.Value == nil && ts < cutoff:
			plan.deletes = append(plan.deletes, off)
			plan.freed += int64(len(v))
			plan.candidates = append(plan.candidates, indexCandidate{key: append([]byte(nil), rec.Key...), off: off})
		default:
			// The latest record of its key (or one with no index entry, which compaction
			// leaves alone rather than guess). A kept tombstone sets when to look again.
			if rec.Value == nil {
				expiry := ts + l.opts.TombstoneRetention.Milliseconds()
				if plan.tombstoneExpiry == 0 || expiry < plan.tombstoneExpiry {
					plan.tombstoneExpiry = expiry
				}
			}
			if firstKept < 0 {
				firstKept = off
			}
		}
	}
	if err := it.Error(); err != nil {
		return l.wrapErr(err)
	}
	if firstKept < 0 {
		plan.newStart = plan.next
	} else {
		plan.newStart = firstKept
	}
	return nil
}

// commitCleanup writes the plan in one batch under the append lock, re-checking each
// candidate's index entry: an append since the scan may have pointed it at a new record.
func (l *Log) commitCleanup(t *topic, p int32, plan *cleanupPlan) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.gone:
		return nil
	default:
	}
	b := l.db.NewBatch()
	defer b.Close()
	if plan.retainFrom > plan.start {
		_ = b.DeleteRange(recordKey(t.meta.ID, p, plan.start), recordKey(t.meta.ID, p, plan.retainFrom), nil)
	}
	for _, off := range plan.deletes {
		_ = b.Delete(recordKey(t.meta.ID, p, off), nil)
	}
	for _, c := range plan.candidates {
		ik := indexKey(t.meta.ID, p, c.key)
		latest, ok, err := l.getUint64(ik)
		if err != nil {
			return err
		}
		if ok && int64(latest) == c.off {
			_ = b.Delete(ik, nil)
		}
	}
	if plan.newStart > plan.start {
		_ = b.Set(partKey(prefixStart, t.meta.ID, p), binary.BigEndian.AppendUint64(nil, uint64(plan.newStart)), nil)
	}
	if err := b.Commit(l.writeOpts()); err != nil {
		return l.wrapErr(fmt.Errorf("cleaning partition %d: %w", p, err))
	}
	if t.bytes[p] >= 0 {
		t.bytes[p] -= plan.freed
	}
	return nil
}
