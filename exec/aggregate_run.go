package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/state"
	"github.com/streamsql/streamsql/types"
)

// startAggregate creates and launches the tasks of an aggregation: one per input partition
// that prepares rows (filter, group values, arguments, a table's retractions) and aggregates
// them in place, or, with a repartition topic, one preparing task per input partition writing
// to it and one aggregating task per partition of it.
func (q *Query) startAggregate(ctx, runCtx context.Context, offs []broker.PartitionOffsets) error {
	spec := q.spec.Aggregate
	if q.opts.State == nil {
		return types.Errorf(types.CodeInternal, "query %s: aggregation without a state store", q.spec.ID)
	}
	repartition := ""
	if spec.Repartition != "" {
		repartition = q.internalTopic(spec.Repartition)
		err := q.b.CreateTopic(ctx, repartition, broker.TopicConfig{Partitions: int32(len(offs))})
		if err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return types.Wrap(types.CodeIO, err, "query %s: creating repartition topic %s", q.spec.ID, repartition)
		}
	}
	// Without the embedded log's atomic commits, each store mirrors its writes to a compacted
	// changelog topic, from which a server that lost its state directory restores it.
	changelogs := !q.opts.State.Atomic() && q.spec.Sink != nil
	store := func(kind string, p int) (*state.Store, error) {
		s := q.opts.State.Store(fmt.Sprintf("%s/%s/%d", spec.Namespace, kind, p))
		if !changelogs {
			return s, nil
		}
		topic := q.internalTopic(spec.Namespace + "-" + kind + "-changelog")
		err := q.b.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: int32(len(offs)), Cleanup: broker.CleanupCompact, Retention: -1})
		if err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return nil, types.Wrap(types.CodeIO, err, "query %s: creating changelog topic %s", q.spec.ID, topic)
		}
		s = s.WithChangelog(q.b, topic, int32(p))
		n, err := s.Restore(ctx)
		if err != nil {
			return nil, types.Wrap(types.CodeIO, err, "query %s: restoring state", q.spec.ID)
		}
		if n > 0 {
			q.opts.Logger.Info("restored state from changelog", "query", q.spec.ID, "topic", topic, "partition", p, "records", n)
		}
		return s, nil
	}
	type launch struct {
		t   *task
		run func(context.Context, *task)
	}
	var launches []launch
	for p, o := range offs {
		t := &task{partition: int32(p)}
		if spec.Repartition == "" {
			store, err := store("agg", p)
			if err != nil {
				return err
			}
			if err := q.startPosition(t, store, o, q.spec.FromBeginning); err != nil {
				return err
			}
			at := newAggTask(q, store, int32(p))
			if _, _, err := at.loadMeta(); err != nil {
				return err
			}
			prep := newPreparer(q, store)
			launches = append(launches, launch{t, func(ctx context.Context, t *task) { q.runAggregate(ctx, t, prep, at) }})
			continue
		}
		pre, err := store("pre", p)
		if err != nil {
			return err
		}
		if err := q.startPosition(t, pre, o, q.spec.FromBeginning); err != nil {
			return err
		}
		prep := newPreparer(q, pre)
		launches = append(launches, launch{t, func(ctx context.Context, t *task) { q.runRepartition(ctx, t, prep) }})
	}
	if spec.Repartition != "" {
		roffs, err := q.b.Offsets(ctx, repartition)
		if err != nil {
			return types.Wrap(types.CodeIO, err, "query %s: reading repartition topic", q.spec.ID)
		}
		for p, o := range roffs {
			store, err := store("agg", p)
			if err != nil {
				return err
			}
			t := &task{partition: int32(p), topic: repartition}
			if err := q.startPosition(t, store, o, true); err != nil {
				return err
			}
			at := newAggTask(q, store, int32(p))
			if _, _, err := at.loadMeta(); err != nil {
				return err
			}
			launches = append(launches, launch{t, func(ctx context.Context, t *task) { q.runAggregate(ctx, t, nil, at) }})
		}
	}
	for _, l := range launches {
		q.tasks = append(q.tasks, l.t)
		q.wg.Add(1)
		go func(l launch) {
			defer q.wg.Done()
			l.run(runCtx, l.t)
		}(l)
	}
	return nil
}

// startPosition sets a task's first offset: the one its store committed, else the earliest
// or latest of the partition.
func (q *Query) startPosition(t *task, store *state.Store, o broker.PartitionOffsets, fromBeginning bool) error {
	v, ok, err := store.Get([]byte{keyOffset})
	if err != nil {
		return types.Wrap(types.CodeIO, err, "query %s: reading state", q.spec.ID)
	}
	switch {
	case ok && len(v) == 8:
		t.pos.Store(int64(binary.BigEndian.Uint64(v)))
	case fromBeginning:
		t.pos.Store(o.Earliest)
	default:
		t.pos.Store(o.Latest)
	}
	return nil
}

// dropState removes a push query's stores.
func (q *Query) dropState() {
	if q.opts.State == nil {
		return
	}
	for p := range q.tasks {
		for _, kind := range []string{"pre", "agg"} {
			_ = q.opts.State.Store(fmt.Sprintf("%s/%s/%d", q.spec.Aggregate.Namespace, kind, p)).Drop()
		}
	}
}

// runAggregate runs an aggregating task: over the input (prep set) or the repartition topic.
func (q *Query) runAggregate(ctx context.Context, t *task, prep *preparer, at *aggTask) {
	q.consume(ctx, t, func(res *broker.FetchResult) bool {
		for i := range res.Records {
			rec := &res.Records[i]
			at.headers = rec.Headers
			var err error
			if prep != nil {
				err = prep.prepare(rec, at.store, at.apply)
			} else {
				err = applyRepartitioned(rec, at.apply)
			}
			if err != nil {
				var fatal *fatalError
				if errors.As(err, &fatal) {
					q.fail(types.Wrap(types.CodeDataException, fatal.err, "query %s", q.spec.ID))
					return false
				}
				q.plog.Record(q.spec.ID, rec, "aggregate", err)
			}
		}
		if prep != nil {
			prep.flush(at.batchHook())
		}
		return at.finish(ctx, res.NextOffset)
	})
}

// batchHook lets the preparer add its table rows to the task's next commit.
func (t *aggTask) batchHook() func(func(*state.Batch)) {
	return func(f func(*state.Batch)) { t.extra = append(t.extra, f) }
}

// runRepartition runs a preparing task that moves rows to the partition of their group.
func (q *Query) runRepartition(ctx context.Context, t *task, prep *preparer) {
	topic := q.internalTopic(q.spec.Aggregate.Repartition)
	var recs []broker.Record
	q.consume(ctx, t, func(res *broker.FetchResult) bool {
		recs = recs[:0]
		for i := range res.Records {
			rec := &res.Records[i]
			err := prep.prepare(rec, prep.store, func(op byte, group types.Row, args []types.Value, ts int64) error {
				key := appendValues(nil, group)
				v := make([]byte, 0, 16+8*len(args))
				v = append(v, op)
				v = binary.BigEndian.AppendUint64(v, uint64(ts))
				v = appendValues(v, args)
				recs = append(recs, broker.Record{Partition: broker.AnyPartition, Key: key, Value: v, Timestamp: rec.Timestamp, Headers: rec.Headers})
				return nil
			})
			if err != nil {
				var fatal *fatalError
				if errors.As(err, &fatal) {
					q.fail(types.Wrap(types.CodeDataException, fatal.err, "query %s", q.spec.ID))
					return false
				}
				q.plog.Record(q.spec.ID, rec, "aggregate", err)
			}
		}
		b := prep.store.NewBatch()
		defer b.Close()
		var extra []func(*state.Batch)
		prep.flush(func(f func(*state.Batch)) { extra = append(extra, f) })
		for _, f := range extra {
			f(b)
		}
		var off [8]byte
		binary.BigEndian.PutUint64(off[:], uint64(res.NextOffset))
		b.Put([]byte{keyOffset}, off[:])
		for {
			err := b.CommitWith(ctx, q.b, topic, recs)
			if err == nil {
				return true
			}
			if !q.retryable(ctx, err, topic) {
				return false
			}
		}
	})
}

// applyRepartitioned decodes a repartition record and applies it.
func applyRepartitioned(rec *broker.Record, apply func(byte, types.Row, []types.Value, int64) error) error {
	group, _, err := decodeValues(rec.Key)
	if err != nil {
		return err
	}
	v := rec.Value
	if len(v) < 9 {
		return errCorruptState
	}
	op := v[0]
	ts := int64(binary.BigEndian.Uint64(v[1:]))
	args, _, err := decodeValues(v[9:])
	if err != nil {
		return err
	}
	return apply(op, group, args, ts)
}

// preparer turns input records into operations on groups: filter, group values, arguments,
// and for a table input the retraction of the key's previous row.
type preparer struct {
	q     *Query
	in    *inputDecoder
	store *state.Store
	// rows holds the table rows changed in this batch (source key -> encoded group+args, nil
	// for deleted) until they are committed.
	rows  map[string][]byte
	group types.Row
	args  []types.Value
}

func newPreparer(q *Query, store *state.Store) *preparer {
	return &preparer{q: q, in: newInputDecoder(&q.spec.Source), store: store, rows: map[string][]byte{}}
}

// prepare handles one input record, calling apply for each group operation it makes.
func (p *preparer) prepare(rec *broker.Record, _ *state.Store, apply func(byte, types.Row, []types.Value, int64) error) error {
	spec := p.q.spec
	row, ts, tomb, err := p.in.decode(rec)
	if err != nil {
		return err
	}
	if row == nil {
		return nil
	}
	table := spec.Source.Table
	if table && rec.Key == nil {
		return errNullTableKey
	}
	var prevGroup types.Row
	var prevArgs []types.Value
	if table {
		prev, ok, err := p.tableRow(rec.Key)
		if err != nil {
			return err
		}
		if ok {
			prevGroup, prevArgs, err = decodeTableRow(prev)
			if err != nil {
				return err
			}
		}
	}
	group, args, ok := p.evaluate(rec, row, tomb)
	if table {
		if ok {
			p.rows[string(rec.Key)] = encodeTableRow(group, args)
		} else if prevGroup != nil {
			p.rows[string(rec.Key)] = nil
		}
		if prevGroup != nil {
			op := opUndo
			if ok && types.Equal(types.StructValue(prevGroup), types.StructValue(group)) {
				op = opUndoQuiet
			}
			if err := apply(op, prevGroup, prevArgs, ts); err != nil {
				return err
			}
		}
	}
	if !ok {
		return nil
	}
	return apply(opAdd, group, args, ts)
}

// evaluate applies the filter and computes the group values and arguments of a row; ok is
// false when the row does not take part (filtered out, deleted, NULL group value).
func (p *preparer) evaluate(rec *broker.Record, row types.Row, tomb bool) (types.Row, []types.Value, bool) {
	spec := p.q.spec
	if tomb {
		return nil, nil, false
	}
	if spec.Filter != nil {
		v, err := spec.Filter.Eval(row)
		if err != nil {
			p.q.plog.Record(spec.ID, rec, "filter", err)
			return nil, nil, false
		}
		if b, _ := v.(bool); !b {
			return nil, nil, false
		}
	}
	a := spec.Aggregate
	// The buffers are reused from record to record: apply copies what it keeps, and a
	// table's row is kept encoded (encodeTableRow).
	n := len(a.GroupBy)
	if cap(p.group) < n {
		p.group = make(types.Row, n)
	}
	group := p.group[:n]
	for i, g := range a.GroupBy {
		v, err := g.Eval(row)
		if err != nil {
			p.q.plog.Record(spec.ID, rec, "group by", err)
			return nil, nil, false
		}
		if v == nil {
			// ksqlDB drops rows whose grouping is NULL.
			return nil, nil, false
		}
		group[i] = v
	}
	args := p.args[:0]
	for _, c := range a.Calls {
		n := c.Agg.ColumnArgs()
		for j := 0; j < n && j < len(c.Args); j++ {
			v, err := c.Args[j].Eval(row)
			if err != nil {
				p.q.plog.Record(spec.ID, rec, "aggregate argument", err)
				v = nil
			}
			args = append(args, v)
		}
	}
	p.args = args
	return group, args, true
}

func (p *preparer) tableRow(key []byte) ([]byte, bool, error) {
	if v, ok := p.rows[string(key)]; ok {
		return v, v != nil, nil
	}
	return p.store.Get(append([]byte{keyTableRow}, key...))
}

// flush hands the batch's table rows to the next commit.
func (p *preparer) flush(add func(func(*state.Batch))) {
	if len(p.rows) == 0 {
		return
	}
	rows := p.rows
	p.rows = map[string][]byte{}
	add(func(b *state.Batch) {
		for k, v := range rows {
			key := append([]byte{keyTableRow}, k...)
			if v == nil {
				b.Delete(key)
			} else {
				b.Put(key, v)
			}
		}
	})
}

func encodeTableRow(group types.Row, args []types.Value) []byte {
	b := appendValues(nil, group)
	return appendValues(b, args)
}

func decodeTableRow(b []byte) (types.Row, []types.Value, error) {
	g, rest, err := decodeValues(b)
	if err != nil {
		return nil, nil, err
	}
	a, _, err := decodeValues(rest)
	return g, a, err
}

// AllStoreNamespaces lists every state namespace of an aggregation: its preparing and its
// aggregating tasks.
func AllStoreNamespaces(namespace string, partitions int) []string {
	out := StoreNamespaces(namespace, partitions)
	for p := 0; p < partitions; p++ {
		out = append(out, fmt.Sprintf("%s/pre/%d", namespace, p))
	}
	return out
}

// internalTopic names a topic of the query's own (repartition, changelog): prefixed with the
// server group's name so that servers with different catalogs on one cluster never share one.
func (q *Query) internalTopic(name string) string {
	return "_streamsql-" + q.opts.ServiceID + "-" + name
}

// InternalTopics lists the internal topics an aggregation may have created (repartition and
// changelogs), for cleanup when it is terminated.
func InternalTopics(opts Options, namespace string) []string {
	q := &Query{opts: opts}
	return []string{
		q.internalTopic(namespace + "-mat-changelog"),
		q.internalTopic(namespace + "-repartition"),
		q.internalTopic(namespace + "-agg-changelog"),
		q.internalTopic(namespace + "-pre-changelog"),
	}
}
