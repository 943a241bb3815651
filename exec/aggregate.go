package exec

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/exec/agg"
	"github.com/streamsql/streamsql/state"
	"github.com/streamsql/streamsql/types"
)

// AggregateSpec is the aggregation step of a query (GROUP BY, WINDOW). Its aggregate row holds
// the group values, then one result per call, then (windowed) WINDOWSTART and WINDOWEND; the
// spec's Project and Having read that row.
//
// How it runs: a task owns one partition and keeps its groups' accumulators in a bounded
// write-back cache over a Pebble store. After each input batch it writes the dirty groups,
// its input offset and stream time, and the outputs in one commit (one atomic batch on the
// embedded log). When the grouping is not the input's key, a first stage moves each row to the
// partition of its group through an internal repartition topic.
type AggregateSpec struct {
	GroupBy []Evaluator
	Calls   []AggregateCall
	Window  *WindowSpec
	// EmitFinal emits a window's row once, when stream time passes its end plus grace.
	EmitFinal bool
	// Having filters aggregate rows: a group that fails it is deleted from the output.
	Having Evaluator
	// Repartition is the internal topic that co-locates groups ("" when the input already is).
	Repartition string
	// Namespace prefixes the query's state stores.
	Namespace string
	// Coalesce emits only the last update of each key per batch instead of every update.
	Coalesce bool
}

// AggregateCall is one aggregate call and its per-row arguments.
type AggregateCall struct {
	Agg  agg.Aggregator
	Args []Evaluator
}

// WindowSpec is a window clause, in milliseconds.
type WindowSpec struct {
	Session             bool
	Size, Advance, Gap  int64
	Grace, Retention    int64
	ttlForFinalEmission int64
}

// closeDelay is how long after a window's end it still accepts records.
func (w *WindowSpec) closeDelay() int64 {
	if w.Session {
		return w.Grace + w.Gap
	}
	return w.Grace
}

// Record operations on a group: add a row's arguments, or undo them (a table's old row).
const (
	opAdd  byte = 'a'
	opUndo byte = 'u'
	// opUndoQuiet retracts without emitting: the add that follows (same group) emits.
	opUndoQuiet byte = 'q'
)

// State key prefixes within a task's store.
const (
	keyOffset     = 'o' // next input offset
	keyStreamTime = 'T' // max event time seen
	keyGroup      = 'g' // unwindowed group: accumulators
	keyWindow     = 'w' // time window: start + group (expired by one range delete)
	keySession    = 's' // session: group + end + start
	keyPending    = 'e' // EMIT FINAL: end + group + start, until emitted
	keyRetention  = 'r' // sessions by end, for expiry: end + group + start
	keyTableRow   = 't' // table input: source key -> group + arguments of its current row
)

// StoreNamespaces lists the state namespaces of a query's aggregating tasks, which pull
// queries read (ReadTable).
func StoreNamespaces(namespace string, partitions int) []string {
	out := make([]string, partitions)
	for p := range out {
		out[p] = fmt.Sprintf("%s/agg/%d", namespace, p)
	}
	return out
}

// ReadTable calls fn with every current row of an aggregation's store: its output row (as the
// spec projects it; groups failing HAVING are left out) and, for windows, their bounds. When
// group is not nil only that group's rows are read. Rows are valid only during the call.
func ReadTable(store *state.Store, spec *Spec, group types.Row, fn func(row types.Row, start, end int64) bool) error {
	a := spec.Aggregate
	kind := byte(keyGroup)
	switch {
	case a.Window == nil:
	case a.Window.Session:
		kind = keySession
	default:
		kind = keyWindow
	}
	lo := []byte{kind}
	hi := []byte{kind + 1}
	var gkey []byte
	if group != nil {
		gkey = appendValues(nil, group)
		if kind != keyWindow {
			lo = append(lo, gkey...)
			hi = append(bytes.Clone(lo), 0xff)
		}
	}
	t := &aggTask{q: &Query{spec: spec}, spec: a}
	var derr error
	err := store.Scan(lo, hi, func(k, v []byte) bool {
		e := &entry{}
		rest := k[1:]
		if kind == keyWindow {
			if len(rest) < 8 {
				return true
			}
			e.start = int64(binary.BigEndian.Uint64(rest))
			e.end = e.start + a.Window.Size
			rest = rest[8:]
			if gkey != nil && !bytes.Equal(rest, gkey) {
				return true
			}
		}
		vals, after, err := decodeValues(rest)
		if err != nil {
			derr = err
			return false
		}
		e.group = vals
		switch kind {
		case keyGroup:
			if len(after) != 0 {
				return true
			}
		case keyWindow:
			if len(after) != 0 {
				return true
			}
		case keySession:
			if len(after) != 16 {
				return true
			}
			e.end = int64(binary.BigEndian.Uint64(after))
			e.start = int64(binary.BigEndian.Uint64(after[8:]))
		}
		if derr = t.decodeEntry(e, v); derr != nil {
			return false
		}
		r := t.row(e, kind != keyGroup)
		if a.Having != nil {
			h, err := a.Having.Eval(r)
			if err != nil {
				return true
			}
			if ok, _ := h.(bool); !ok {
				return true
			}
		}
		out := r
		if spec.Project != nil {
			out = make(types.Row, len(spec.Project))
			for i, p := range spec.Project {
				out[i], _ = p.Eval(r)
			}
		}
		return fn(out, e.start, e.end)
	})
	if err == nil {
		err = derr
	}
	return err
}

// entry is one group (or window of a group) in the cache.
type entry struct {
	skey   string // state key
	group  types.Row
	gkey   []byte
	start  int64
	end    int64
	accs   []agg.State
	ts     int64
	exists bool // present in the store
	dirty  bool
	gone   bool // deleted (a session merged into another)
	// emitted marks a final row already sent (EMIT FINAL).
	emitted bool
	// visible marks a group whose last output was a row, not a deletion (HAVING).
	visible bool
}

type aggTask struct {
	q         *Query
	spec      *AggregateSpec
	store     *state.Store
	partition int32
	cache     map[string]*entry
	oldCache  map[string]*entry // the previous generation of cache (see finish)
	dirty     []*entry
	fresh     []*entry
	// nextClose is the end of the first window EMIT FINAL still has to emit.
	nextClose      int64
	nextCloseKnown bool
	pendingDeletes [][]byte
	// extra are writes (a table input's rows) to add to the next commit.
	extra []func(*state.Batch)
	// expiredBefore is the window start below which time windows were range-deleted.
	expiredBefore int64
	// filter tells which state keys may exist (see keyfilter.go).
	filter *keyFilter
	// gkeyBuf is reused to encode each record's group key.
	gkeyBuf []byte
	// headers are the current input record's: Kafka Streams forwards them with the update.
	headers []broker.Header
	// sessions caches the sessions of a group (keySession scan), by gkey.
	sessions   map[string][]*entry
	streamTime int64
	argBuf     []types.Value
	aggRow     types.Row
	outRow     types.Row
	out        outputWriter
	pending    []pendingOutput
	batch      *state.Batch
	keyBuf     []byte
}

type pendingOutput struct {
	// id names the output key (group and window) for coalescing.
	id         string
	headers    []broker.Header
	row        types.Row
	ts         int64
	tomb       bool
	start, end int64
	windowed   bool
}

const maxCachedGroups = 200_000

// cacheGet finds an entry in the current or the previous generation of the cache (moving it
// to the current one). k is bytes, looked up as m[string(k)], which does not allocate: this
// runs for every record an aggregation reads.
func (t *aggTask) cacheGet(k []byte) (*entry, bool) {
	if e, ok := t.cache[string(k)]; ok {
		return e, true
	}
	if e, ok := t.oldCache[string(k)]; ok {
		delete(t.oldCache, e.skey)
		t.cache[e.skey] = e
		return e, true
	}
	return nil, false
}

func (t *aggTask) cacheDelete(k string) {
	delete(t.cache, k)
	delete(t.oldCache, k)
}

func newAggTask(q *Query, store *state.Store, partition int32) *aggTask {
	t := &aggTask{q: q, spec: q.spec.Aggregate, store: store, partition: partition,
		cache: map[string]*entry{}, sessions: map[string][]*entry{}, streamTime: -1 << 62}
	if q.spec.Sink != nil {
		t.out.init(q.spec.Sink)
	}
	return t
}

// buildFilter sizes a key filter for the store's groups, windows and sessions and fills it.
func (t *aggTask) buildFilter(capacity int) error {
	var keys [][]byte
	for _, kind := range []byte{keyGroup, keyWindow, keySession} {
		err := t.store.Scan([]byte{kind}, []byte{kind + 1}, func(k, _ []byte) bool {
			key := bytes.Clone(k)
			if kind == keySession && len(key) > 17 {
				key = key[:len(key)-16] // sessions are found by group
			}
			keys = append(keys, key)
			return true
		})
		if err != nil {
			return err
		}
	}
	for _, generation := range []map[string]*entry{t.cache, t.oldCache} {
		for k := range generation {
			keys = append(keys, []byte(k))
			if k[0] == keySession && len(k) > 17 {
				keys = append(keys, []byte(k[:len(k)-16]))
			}
		}
	}
	f := newKeyFilter(max(capacity, 2*len(keys)))
	for _, k := range keys {
		f.add(k)
	}
	t.filter = f
	return nil
}

func (t *aggTask) loadMeta() (int64, bool, error) {
	if err := t.buildFilter(1 << 20); err != nil {
		return 0, false, err
	}
	v, ok, err := t.store.Get([]byte{keyStreamTime})
	if err != nil {
		return 0, false, err
	}
	if ok && len(v) == 8 {
		t.streamTime = int64(binary.BigEndian.Uint64(v))
	}
	v, ok, err = t.store.Get([]byte{keyOffset})
	if err != nil || !ok || len(v) != 8 {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

// apply folds one operation into the group's accumulators and queues the outputs.
// group and args are only borrowed: an entry created here keeps copies.
func (t *aggTask) apply(op byte, group types.Row, args []types.Value, ts int64) error {
	gkey := appendValues(t.gkeyBuf[:0], group)
	t.gkeyBuf = gkey
	w := t.spec.Window
	quiet := op == opUndoQuiet
	if quiet {
		op = opUndo
	}
	if ts > t.streamTime {
		t.streamTime = ts
	}
	switch {
	case w == nil:
		e, err := t.lookup(keyGroup, gkey, 0, 0, group)
		if err != nil {
			return err
		}
		t.fold(e, op, args, ts)
		if !quiet {
			t.emitChange(e, false)
		}
	case w.Session:
		if err := t.applySession(bytes.Clone(gkey), append(types.Row(nil), group...), args, ts); err != nil {
			return err
		}
	default:
		start := ts - w.Size + w.Advance
		if start < 0 {
			start = 0
		}
		start = start / w.Advance * w.Advance
		late := true
		for ; start <= ts; start += w.Advance {
			end := start + w.Size
			if end <= t.streamTime-w.Grace {
				continue // closed: too late for this window
			}
			late = false
			e, err := t.lookup(keyWindow, gkey, start, end, group)
			if err != nil {
				return err
			}
			t.noteWindow(e)
			t.fold(e, op, args, ts)
			if !quiet {
				t.emitChange(e, true)
			}
		}
		if late {
			t.q.late.Add(1)
		}
	}
	if w != nil {
		return t.maybeEmitFinals()
	}
	return nil
}

func (t *aggTask) fold(e *entry, op byte, args []types.Value, ts int64) {
	if e.accs == nil {
		e.accs = make([]agg.State, len(t.spec.Calls))
		for i, c := range t.spec.Calls {
			e.accs[i] = c.Agg.Init()
		}
	}
	pos := 0
	for i, c := range t.spec.Calls {
		n := c.Agg.ColumnArgs()
		a := args[pos : pos+n]
		pos += n
		if op == opUndo {
			e.accs[i] = c.Agg.Undo(e.accs[i], a)
		} else {
			e.accs[i] = c.Agg.Add(e.accs[i], a)
		}
	}
	if ts > e.ts {
		e.ts = ts
	}
	t.markDirty(e)
}

func (t *aggTask) markDirty(e *entry) {
	if !e.dirty {
		e.dirty = true
		t.dirty = append(t.dirty, e)
	}
}

// lookup finds a group's (window's) entry in the cache or the store, or makes a fresh one.
func (t *aggTask) lookup(kind byte, gkey []byte, start, end int64, group types.Row) (*entry, error) {
	k := t.keyBuf[:0]
	k = append(k, kind)
	if kind == keyWindow {
		k = binary.BigEndian.AppendUint64(k, uint64(start))
	}
	k = append(k, gkey...)
	t.keyBuf = k
	if e, ok := t.cacheGet(k); ok {
		return e, nil
	}
	e := &entry{skey: string(k), group: append(types.Row(nil), group...), gkey: bytes.Clone(gkey), start: start, end: end, ts: -1 << 62}
	var v []byte
	ok := false
	if t.filter.mayContain(k) {
		var err error
		if v, ok, err = t.store.Get(k); err != nil {
			return nil, err
		}
	} else {
		t.filter.add(k)
	}
	if ok {
		if err := t.decodeEntry(e, v); err != nil {
			return nil, err
		}
		e.exists = true
	}
	t.cache[e.skey] = e
	return e, nil
}

// Entry values: ts (8 bytes), flags (1 byte: emitted), then each accumulator length-prefixed.
func (t *aggTask) encodeEntry(dst []byte, e *entry) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.ts))
	var flags byte
	if e.emitted {
		flags |= 1
	}
	if e.visible {
		flags |= 2
	}
	dst = append(dst, flags)
	var tmp []byte
	for i, c := range t.spec.Calls {
		tmp = c.Agg.AppendState(tmp[:0], e.accs[i])
		dst = binary.AppendUvarint(dst, uint64(len(tmp)))
		dst = append(dst, tmp...)
	}
	return dst
}

func (t *aggTask) decodeEntry(e *entry, v []byte) error {
	if len(v) < 9 {
		return errCorruptState
	}
	e.ts = int64(binary.BigEndian.Uint64(v))
	e.emitted = v[8]&1 != 0
	e.visible = v[8]&2 != 0
	v = v[9:]
	e.accs = make([]agg.State, len(t.spec.Calls))
	for i, c := range t.spec.Calls {
		n, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < n {
			return errCorruptState
		}
		s, err := c.Agg.DecodeState(v[k : k+int(n)])
		if err != nil {
			return err
		}
		e.accs[i] = s
		v = v[k+int(n):]
	}
	return nil
}

// row computes the aggregate row of an entry.
func (t *aggTask) row(e *entry, windowed bool) types.Row {
	r := append(t.aggRow[:0], e.group...)
	for i, c := range t.spec.Calls {
		r = append(r, c.Agg.Result(e.accs[i]))
	}
	if windowed {
		r = append(r, e.start, e.end)
	}
	t.aggRow = r
	return r
}

// emitChange queues the output of an updated entry (EMIT CHANGES).
func (t *aggTask) emitChange(e *entry, windowed bool) {
	if t.spec.EmitFinal {
		return
	}
	t.emitRow(e, windowed, false)
}

func (t *aggTask) emitTombstone(e *entry) {
	t.pending = append(t.pending, pendingOutput{id: e.skey, row: append(types.Row(nil), e.group...), ts: e.ts, tomb: true, start: e.start, end: e.end, windowed: true})
}

func (t *aggTask) emitRow(e *entry, windowed, final bool) {
	r := t.row(e, windowed)
	out := pendingOutput{id: e.skey, ts: e.ts, start: e.start, end: e.end, windowed: windowed, headers: t.headers}
	keep := true
	if t.spec.Having != nil {
		v, err := t.spec.Having.Eval(r)
		if err != nil {
			t.q.plog.Record(t.q.spec.ID, nil, "having", err)
		}
		keep, _ = v.(bool)
	}
	if !keep {
		// The group no longer qualifies: ksqlDB deletes its row from the table (when it
		// had one).
		if !e.visible {
			return
		}
		e.visible = false
		t.markDirty(e)
		out.tomb = true
		out.row = append(types.Row(nil), e.group...)
		t.pending = append(t.pending, out)
		return
	}
	var row types.Row
	if t.q.spec.Project == nil {
		row = append(types.Row(nil), r...)
	} else {
		row = make(types.Row, len(t.q.spec.Project))
		for i, p := range t.q.spec.Project {
			v, err := p.Eval(r)
			if err != nil {
				t.q.plog.Record(t.q.spec.ID, nil, "project", err)
				v = nil
			}
			row[i] = v
		}
	}
	out.row = row
	if !e.visible {
		e.visible = true
		t.markDirty(e)
	}
	t.pending = append(t.pending, out)
}

// applySession merges a record into the sessions of its group.
func (t *aggTask) applySession(gkey []byte, group types.Row, args []types.Value, ts int64) error {
	w := t.spec.Window
	closeTime := t.streamTime - w.Grace - w.Gap
	list, err := t.sessionsOf(gkey, group)
	if err != nil {
		return err
	}
	start, end := ts, ts
	var merged []*entry
	var keep []*entry
	for _, s := range list {
		if s.gone {
			continue
		}
		if s.end >= closeTime && s.end >= ts-w.Gap && s.start <= ts+w.Gap {
			merged = append(merged, s)
			start, end = min(start, s.start), max(end, s.end)
			continue
		}
		keep = append(keep, s)
	}
	if end < closeTime {
		t.q.late.Add(1)
		return nil
	}
	n := &entry{group: group, gkey: gkey, start: start, end: end, ts: -1 << 62}
	n.skey = string(sessionKey(gkey, start, end))
	for _, s := range merged {
		if n.accs == nil {
			n.accs = make([]agg.State, len(t.spec.Calls))
			for i, c := range t.spec.Calls {
				n.accs[i] = c.Agg.Init()
			}
		}
		for i, c := range t.spec.Calls {
			n.accs[i] = c.Agg.Merge(n.accs[i], s.accs[i])
		}
		n.ts = max(n.ts, s.ts)
		if s.skey == n.skey {
			n.exists = s.exists
			continue
		}
		s.gone = true
		t.markDirty(s)
		if !t.spec.EmitFinal {
			t.emitTombstone(s)
		}
	}
	t.noteWindow(n)
	t.fold(n, opAdd, args, ts)
	if ts > n.ts {
		n.ts = ts
	}
	t.cache[n.skey] = n
	t.sessions[string(gkey)] = append(keep, n)
	t.emitChange(n, true)
	return nil
}

func sessionKey(gkey []byte, start, end int64) []byte {
	k := append([]byte{keySession}, gkey...)
	k = binary.BigEndian.AppendUint64(k, uint64(end))
	return binary.BigEndian.AppendUint64(k, uint64(start))
}

func (t *aggTask) sessionsOf(gkey []byte, group types.Row) ([]*entry, error) {
	if list, ok := t.sessions[string(gkey)]; ok {
		return list, nil
	}
	var list []*entry
	lo := append([]byte{keySession}, gkey...)
	if !t.filter.mayContain(lo) {
		// No session of this group was ever stored.
		t.filter.add(lo)
		t.sessions[string(gkey)] = nil
		return nil, nil
	}
	hi := append(bytes.Clone(lo), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	var derr error
	err := t.store.Scan(lo, hi, func(k, v []byte) bool {
		if len(k) != len(lo)+16 {
			return true
		}
		e := &entry{skey: string(k), group: group, gkey: gkey, exists: true}
		e.end = int64(binary.BigEndian.Uint64(k[len(lo):]))
		e.start = int64(binary.BigEndian.Uint64(k[len(lo)+8:]))
		if derr = t.decodeEntry(e, v); derr != nil {
			return false
		}
		list = append(list, e)
		return true
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, err
	}
	t.sessions[string(gkey)] = list
	return list, nil
}

// finish ends a batch: emits the windows that closed (EMIT FINAL), writes dirty entries,
// materialized rows, expiry and the next offset, and commits them with the outputs.
func (t *aggTask) finish(ctx context.Context, next int64) bool {
	b := t.store.NewBatch()
	defer b.Close()
	for _, f := range t.extra {
		f(b)
	}
	t.extra = t.extra[:0]
	w := t.spec.Window
	var buf []byte
	for _, k := range t.pendingDeletes {
		b.Delete(k)
	}
	t.pendingDeletes = t.pendingDeletes[:0]
	for _, e := range t.dirty {
		e.dirty = false
		if e.gone {
			if e.exists {
				b.Delete([]byte(e.skey))
				t.deleteWindowIndexes(b, e)
			}
			t.cacheDelete(e.skey)
			continue
		}
		buf = t.encodeEntry(buf[:0], e)
		b.Put([]byte(e.skey), buf)
		if !e.exists && w != nil {
			if w.Session {
				b.Put(windowIndexKey(keyRetention, e), nil)
			}
			if t.spec.EmitFinal && !e.emitted {
				b.Put(windowIndexKey(keyPending, e), nil)
			}
		}
		e.exists = true
	}
	t.fresh = t.fresh[:0]
	t.dirty = t.dirty[:0]
	if w != nil {
		if err := t.expire(b); err != nil {
			t.q.fail(err)
			return false
		}
	}
	recs := t.serialize(b)
	if t.q.spec.Sink == nil {
		for _, r := range t.pendingRows() {
			if !t.q.send(r) {
				return false
			}
		}
	}
	t.pending = t.pending[:0]
	var st [8]byte
	binary.BigEndian.PutUint64(st[:], uint64(t.streamTime))
	b.Put([]byte{keyStreamTime}, st[:])
	var off [8]byte
	binary.BigEndian.PutUint64(off[:], uint64(next))
	b.Put([]byte{keyOffset}, off[:])
	topic := ""
	if t.q.spec.Sink != nil {
		topic = t.q.spec.Sink.Topic
	}
	for {
		err := b.CommitWith(ctx, t.q.b, topic, recs)
		if err == nil {
			break
		}
		if !t.q.retryable(ctx, err, topic) {
			return false
		}
	}
	if len(t.cache) > maxCachedGroups/2 {
		// Generations instead of clearing: the older half is dropped at once (no O(n)
		// clear per batch), and an entry used again moves to the current generation.
		t.oldCache = t.cache
		t.cache = make(map[string]*entry, maxCachedGroups/2)
		clear(t.sessions)
	}
	if t.filter.full() {
		if err := t.buildFilter(4 * t.filter.limit); err != nil {
			t.q.fail(err)
			return false
		}
	}
	return true
}

func (t *aggTask) pendingRows() []types.Row {
	var out []types.Row
	for _, p := range t.pending {
		if p.tomb {
			continue
		}
		out = append(out, p.row)
	}
	return out
}

// serialize turns the pending outputs into records. Unless every update must be emitted,
// updates of one key within the batch are coalesced into the last one (Kafka Streams' record
// cache does the same between commits).
func (t *aggTask) serialize(b *state.Batch) []broker.Record {
	t.out.reset()
	if t.spec.Coalesce && len(t.pending) > 1 {
		t.coalesce()
	}
	for i := range t.pending {
		p := &t.pending[i]
		if t.q.spec.Sink == nil {
			continue
		}
		row := p.row
		if p.tomb {
			// A tombstone's key comes from the group values: fill the key columns.
			row = t.tombstoneRow(p.row)
		}
		in := &broker.Record{Headers: p.headers}
		if err := t.out.addWindowed(row, p.ts, p.tomb, p.windowed, t.spec.Window != nil && t.spec.Window.Session, p.start, p.end, in); err != nil {
			t.q.plog.Record(t.q.spec.ID, nil, "serialize", err)
		}
	}
	return t.out.recs
}

// coalesce keeps, per output key, only the last pending output, in the order of those last
// updates.
func (t *aggTask) coalesce() {
	seen := make(map[string]struct{}, len(t.pending))
	keep := make([]bool, len(t.pending))
	for i := len(t.pending) - 1; i >= 0; i-- {
		id := t.pending[i].id
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		keep[i] = true
	}
	out := t.pending[:0]
	for i := range t.pending {
		if keep[i] {
			out = append(out, t.pending[i])
		}
	}
	t.pending = out
}

// tombstoneRow builds an output row holding only the key columns, from group values.
func (t *aggTask) tombstoneRow(group types.Row) types.Row {
	s := t.q.spec.Sink
	width := 0
	for _, i := range s.KeyIndex {
		width = max(width, i+1)
	}
	for _, i := range s.ValueIndex {
		width = max(width, i+1)
	}
	row := make(types.Row, width)
	// Key columns are the GROUP BY expressions, in order.
	for j, i := range s.KeyIndex {
		if j < len(group) {
			row[i] = group[j]
		}
	}
	return row
}

func windowIndexKey(kind byte, e *entry) []byte {
	k := []byte{kind}
	k = binary.BigEndian.AppendUint64(k, uint64(e.end))
	k = append(k, e.gkey...)
	return binary.BigEndian.AppendUint64(k, uint64(e.start))
}

func (t *aggTask) deleteWindowIndexes(b *state.Batch, e *entry) {
	b.Delete(windowIndexKey(keyRetention, e)) // sessions only: time windows are never "gone"
	b.Delete(windowIndexKey(keyPending, e))
}

// noteWindow records a new window's end for EMIT FINAL.
func (t *aggTask) noteWindow(e *entry) {
	if t.spec.EmitFinal && !e.exists && !e.dirty {
		if !t.nextCloseKnown || e.end < t.nextClose {
			t.nextClose, t.nextCloseKnown = e.end, true
		}
		t.fresh = append(t.fresh, e)
	}
}

// maybeEmitFinals emits the windows that stream time has just closed (EMIT FINAL). It runs
// after every record that moves stream time, as Kafka Streams does, but costs a comparison
// unless a window really closed.
func (t *aggTask) maybeEmitFinals() error {
	if !t.spec.EmitFinal {
		return nil
	}
	w := t.spec.Window
	limit := t.streamTime - w.closeDelay()
	if !t.nextCloseKnown {
		// The first pending window in the store (after a restart or an emission).
		first, err := t.firstPending()
		if err != nil {
			return err
		}
		t.nextCloseKnown = true
		t.nextClose = first
	}
	if limit < 0 || t.nextClose > limit {
		return nil
	}
	var keys [][]byte
	hi := binary.BigEndian.AppendUint64([]byte{keyPending}, uint64(limit+1))
	if err := t.store.Scan([]byte{keyPending}, hi, func(k, _ []byte) bool {
		keys = append(keys, bytes.Clone(k))
		return true
	}); err != nil {
		return err
	}
	var closed []*entry
	seen := map[string]bool{}
	for _, k := range keys {
		t.pendingDeletes = append(t.pendingDeletes, k)
		e, err := t.entryFromIndex(k)
		if err != nil {
			return err
		}
		if e != nil && !e.gone && !e.emitted {
			seen[e.skey] = true
			closed = append(closed, e)
		}
	}
	keep := t.fresh[:0]
	for _, e := range t.fresh {
		if e.gone || e.emitted {
			continue
		}
		if e.end <= limit {
			if !seen[e.skey] {
				closed = append(closed, e)
			}
			continue
		}
		keep = append(keep, e)
	}
	t.fresh = keep
	sort.Slice(closed, func(i, j int) bool {
		a, c := closed[i], closed[j]
		if a.end != c.end {
			return a.end < c.end
		}
		if x := bytes.Compare(a.gkey, c.gkey); x != 0 {
			return x < 0
		}
		return a.start < c.start
	})
	// Kafka Streams reads closed windows back from a window store whose retention is size +
	// grace: when stream time jumps more than one advance past a window's close, the window
	// has left the store and never gets its final row. ksqlDB's results show it, so do we.
	for _, e := range closed {
		e.emitted = true
		t.markDirty(e)
		if !w.Session && t.streamTime >= e.end+w.Grace+w.Advance {
			continue
		}
		t.emitRow(e, true, true)
	}
	// The next window to close: the first pending one left, fresh or stored.
	t.nextCloseKnown = false
	for _, e := range t.fresh {
		if !t.nextCloseKnown || e.end < t.nextClose {
			t.nextClose, t.nextCloseKnown = e.end, true
		}
	}
	first, err := t.firstPendingAfter(limit)
	if err != nil {
		return err
	}
	if !t.nextCloseKnown || first < t.nextClose {
		t.nextClose, t.nextCloseKnown = first, true
	}
	return nil
}

const noPending = int64(1<<63 - 1)

func (t *aggTask) firstPending() (int64, error) { return t.firstPendingAfter(-1 << 62) }

// firstPendingAfter returns the end of the first stored pending window ending after limit.
func (t *aggTask) firstPendingAfter(limit int64) (int64, error) {
	first := noPending
	lo := []byte{keyPending}
	if limit >= 0 {
		lo = binary.BigEndian.AppendUint64(lo, uint64(limit+1))
	}
	err := t.store.Scan(lo, []byte{keyPending + 1}, func(k, _ []byte) bool {
		if len(k) >= 9 {
			first = int64(binary.BigEndian.Uint64(k[1:]))
		}
		return false
	})
	return first, err
}

// expire removes windows past their retention: time windows by one range delete over their
// start-ordered keys, sessions through their end-ordered index.
func (t *aggTask) expire(b *state.Batch) error {
	w := t.spec.Window
	limit := t.streamTime - w.Retention
	if limit <= 0 {
		return nil
	}
	if !w.Session {
		// Windows ending at or before limit: start <= limit - size.
		cut := limit - w.Size + 1
		// A range delete is cheap to write but every iterator over the memtable pays for
		// the range tombstones it holds (the log's fetches too): expire in steps of at least
		// one window advance, not on every batch.
		if cut <= t.expiredBefore || t.expiredBefore > 0 && cut-t.expiredBefore < max(w.Advance, w.Size) {
			return nil
		}
		t.expiredBefore = cut
		b.DeleteRange([]byte{keyWindow}, binary.BigEndian.AppendUint64([]byte{keyWindow}, uint64(cut)))
		if t.spec.EmitFinal {
			b.DeleteRange([]byte{keyPending}, binary.BigEndian.AppendUint64([]byte{keyPending}, uint64(limit+1)))
		}
		return nil
	}
	hi := binary.BigEndian.AppendUint64([]byte{keyRetention}, uint64(limit))
	var keys [][]byte
	if err := t.store.Scan([]byte{keyRetention}, hi, func(k, _ []byte) bool {
		keys = append(keys, bytes.Clone(k))
		return len(keys) < 10_000
	}); err != nil {
		return err
	}
	for _, k := range keys {
		end := int64(binary.BigEndian.Uint64(k[1:]))
		gkey := k[9 : len(k)-8]
		start := int64(binary.BigEndian.Uint64(k[len(k)-8:]))
		skey := sessionKey(gkey, start, end)
		if e, ok := t.cacheGet(skey); ok && e.dirty {
			continue // updated in this batch: not expired after all
		}
		delete(t.sessions, string(gkey))
		t.cacheDelete(string(skey))
		b.Delete(skey)
		b.Delete(k)
		b.Delete(windowIndexKey(keyPending, &entry{gkey: gkey, start: start, end: end}))
	}
	return nil
}

// entryFromIndex loads the entry a pending-index key names.
func (t *aggTask) entryFromIndex(k []byte) (*entry, error) {
	if len(k) < 17 {
		return nil, errCorruptState
	}
	end := int64(binary.BigEndian.Uint64(k[1:]))
	gkey := k[9 : len(k)-8]
	start := int64(binary.BigEndian.Uint64(k[len(k)-8:]))
	group, _, err := decodeValues(gkey)
	if err != nil {
		return nil, err
	}
	if t.spec.Window.Session {
		skey := sessionKey(gkey, start, end)
		if e, ok := t.cacheGet(skey); ok {
			return e, nil
		}
		v, ok, err := t.store.Get(skey)
		if err != nil || !ok {
			return nil, err
		}
		e := &entry{skey: string(skey), group: group, gkey: bytes.Clone(gkey), start: start, end: end, exists: true}
		return e, t.decodeEntry(e, v)
	}
	e, err := t.lookup(keyWindow, bytes.Clone(gkey), start, end, group)
	if err != nil || e.accs == nil {
		return nil, err
	}
	return e, nil
}

// retryable waits after a failed commit and reports whether to try again; it stops the query
// on errors retrying cannot fix.
func (q *Query) retryable(ctx context.Context, err error, topic string) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, broker.ErrUnknownTopic) || errors.Is(err, broker.ErrClosed) || errors.Is(err, state.ErrClosed) {
		q.fail(types.Wrap(types.CodeUndefinedTable, err, "query %s: sink topic %s", q.spec.ID, topic))
		return false
	}
	if errors.Is(err, broker.ErrInvalidConfig) || errors.Is(err, broker.ErrRecordTooLarge) {
		q.fail(types.Wrap(types.CodeDataException, err, "query %s: writing to %s", q.spec.ID, topic))
		return false
	}
	q.opts.Logger.Warn("commit failed; retrying", "query", q.spec.ID, "topic", topic, "err", err)
	select {
	case <-ctx.Done():
		return false
	case <-time.After(200 * time.Millisecond):
		return true
	}
}
