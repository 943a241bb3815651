package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/state"
	"github.com/streamsql/streamsql/types"
)

// Options tune how a query's tasks talk to the broker.
type Options struct {
	// BatchSize bounds the records fetched per batch (default 1000) while a task keeps up.
	BatchSize int
	// MaxBatchSize bounds the batch of a task that is catching up (default 10 × BatchSize):
	// while more than a batch is waiting after a fetch the batch doubles up to it, and it drops
	// back to BatchSize once less is waiting. A batch commits its outputs, state and offsets in
	// one write, so larger batches while catching up mean fewer commits (and an aggregation
	// touching each group once per batch instead of once per 1,000 records); a task that keeps
	// up fetches what is there, so its latency does not change.
	MaxBatchSize int
	// PollWait is how long a fetch waits for new records (default 200ms); it bounds how long
	// Stop takes to be noticed when a partition is idle.
	PollWait time.Duration
	Logger   *slog.Logger
	// State holds aggregation state (required for aggregations).
	State *state.DB
	// ServiceID names the group of servers sharing one catalog (default "default"): it prefixes
	// internal topics and the consumer groups of stateless queries.
	ServiceID string
}

func (o *Options) defaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.MaxBatchSize < o.BatchSize {
		o.MaxBatchSize = 10 * o.BatchSize
	}
	if o.PollWait <= 0 {
		o.PollWait = 200 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ServiceID == "" {
		o.ServiceID = "default"
	}
}

// Query is a running query: one task per input partition. A persistent query (Spec.Sink set)
// commits its input offsets under the consumer group named by its id after every batch's
// outputs are durable, so a restart resumes where it left off. A push query (no sink) hands its
// rows to a reader through Next and commits nothing.
type Query struct {
	spec *Spec
	b    broker.Broker
	plog ProcessingLog
	opts Options
	// group is the consumer group a stateless persistent query commits its offsets under.
	group  string
	cancel context.CancelFunc
	wg     sync.WaitGroup
	tasks  []*task

	rows    chan types.Row
	emitted atomic.Int64
	closed  chan struct{}
	done    chan struct{}
	errOnce sync.Once
	err     error
	stopped atomic.Bool
	// late counts records dropped because their window had closed.
	late atomic.Int64
}

// LateRecords is how many records arrived after their window closed (past its grace period)
// and were dropped.
func (q *Query) LateRecords() int64 { return q.late.Load() }

type task struct {
	partition int32
	// topic is the partition's topic when it is not the query's source (an internal topic).
	topic string
	// pos is the next offset to read; it is published after the batch before it is fully
	// handled (outputs durable and offsets committed).
	pos atomic.Int64
}

func (t *task) topicOr(def string) string {
	if t.topic != "" {
		return t.topic
	}
	return def
}

// Start launches a query over every partition of its source topic.
func Start(ctx context.Context, b broker.Broker, spec *Spec, plog ProcessingLog, opts Options) (*Query, error) {
	opts.defaults()
	offs, err := b.Offsets(ctx, spec.Source.Topic)
	if err != nil {
		return nil, types.Wrap(types.CodeUndefinedTable, err, "query %s: reading topic %s", spec.ID, spec.Source.Topic)
	}
	group := consumerGroup(opts, spec.ID)
	var committed map[int32]int64
	if spec.Sink != nil && spec.Aggregate == nil {
		committed, err = b.FetchOffsets(ctx, group, spec.Source.Topic)
		if err != nil {
			return nil, types.Wrap(types.CodeIO, err, "query %s: reading committed offsets", spec.ID)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	q := &Query{spec: spec, b: b, plog: plog, opts: opts, group: group, cancel: cancel, done: make(chan struct{}), closed: make(chan struct{})}
	if spec.Sink == nil {
		q.rows = make(chan types.Row, 256)
	}
	if spec.Aggregate != nil {
		if err := q.startAggregate(ctx, runCtx, offs); err != nil {
			cancel()
			return nil, err
		}
		go func() {
			q.wg.Wait()
			if q.rows != nil {
				close(q.rows)
			}
			if spec.Sink == nil {
				q.dropState()
			}
			close(q.done)
		}()
		return q, nil
	}
	for p, o := range offs {
		t := &task{partition: int32(p)}
		start := o.Latest
		if spec.FromBeginning {
			start = o.Earliest
		}
		if c, ok := committed[int32(p)]; ok {
			start = c
		}
		t.pos.Store(start)
		q.tasks = append(q.tasks, t)
	}
	for _, t := range q.tasks {
		q.wg.Add(1)
		go func(t *task) {
			defer q.wg.Done()
			q.runTask(runCtx, t)
		}(t)
	}
	go func() {
		q.wg.Wait()
		if q.rows != nil {
			close(q.rows)
		}
		close(q.done)
	}()
	return q, nil
}

// consumerGroup names the group under which a stateless persistent query commits its input
// offsets. Query ids restart in every catalog, so two server groups with their own command
// topics on one cluster can both run a CSAS_HOT_2 over the same topic; the server group's
// name keeps their offsets apart, as it does their internal topics.
func consumerGroup(opts Options, queryID string) string {
	return "_streamsql-" + opts.ServiceID + "-" + queryID
}

// ID is the query's id.
func (q *Query) ID() string { return q.spec.ID }

// Stop ends every task and waits for them. Work in flight is either finished and committed or
// not committed at all, so a restarted query neither skips nor (on the embedded log) repeats.
func (q *Query) Stop() {
	if q.stopped.CompareAndSwap(false, true) {
		close(q.closed)
	}
	q.cancel()
	<-q.done
}

// Err is the error that ended the query, if any.
func (q *Query) Err() error {
	select {
	case <-q.done:
		return q.err
	default:
		return nil
	}
}

// Positions returns, per input partition, the next offset the query will read.
func (q *Query) Positions() map[int32]int64 {
	out := make(map[int32]int64, len(q.tasks))
	for _, t := range q.tasks {
		out[t.partition] = t.pos.Load()
	}
	return out
}

// CaughtUp reports whether every task has handled everything its partition held when asked.
func (q *Query) CaughtUp(ctx context.Context) (bool, error) {
	offs, err := q.b.Offsets(ctx, q.spec.Source.Topic)
	if err != nil {
		return false, err
	}
	for _, t := range q.tasks {
		o := offs
		if t.topic != "" {
			if o, err = q.b.Offsets(ctx, t.topic); err != nil {
				return false, err
			}
		}
		if int(t.partition) < len(o) && t.pos.Load() < o[t.partition].Latest {
			return false, nil
		}
	}
	return true, nil
}

// Next returns the next row of a push query: io.EOF once it has ended (LIMIT reached or
// stopped), ctx's error when ctx is done first.
func (q *Query) Next(ctx context.Context) (types.Row, error) {
	select {
	case r, ok := <-q.rows:
		if !ok {
			if q.err != nil {
				return nil, q.err
			}
			return nil, io.EOF
		}
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops a push query; it satisfies the engine API's RowStream.
func (q *Query) Close() error {
	q.Stop()
	return nil
}

func (q *Query) fail(err error) {
	q.errOnce.Do(func() { q.err = err })
	q.cancel()
}

func (q *Query) runTask(ctx context.Context, t *task) {
	if q.spec.MaterializeOnly {
		q.runMaterializer(ctx, t)
		return
	}
	src := &q.spec.Source
	in := newInputDecoder(src)
	var out outputWriter
	if q.spec.Sink != nil {
		out.init(q.spec.Sink)
		if q.spec.Materialize && q.opts.State != nil {
			store, err := q.materializedStore(ctx, t.partition)
			if err != nil {
				q.fail(err)
				return
			}
			out.mat = store
		}
	}
	q.consume(ctx, t, func(res *broker.FetchResult) bool {
		if q.spec.Sink == nil {
			return q.processToStream(ctx, in, res.Records)
		}
		offsets := map[broker.TopicPartition]int64{{Topic: src.Topic, Partition: t.partition}: res.NextOffset}
		committed, ok := q.processToSink(ctx, in, &out, res.Records, offsets)
		if !ok {
			return false
		}
		if committed {
			return true
		}
		next := res.NextOffset
		for {
			err := q.b.CommitOffsets(ctx, q.group, map[broker.TopicPartition]int64{{Topic: src.Topic, Partition: t.partition}: next})
			if err == nil {
				return true
			}
			q.opts.Logger.Warn("offset commit failed; retrying", "query", q.spec.ID, "err", err)
			if !q.backoff(ctx) {
				return false
			}
		}
	})
}

func (q *Query) backoff(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(200 * time.Millisecond):
		return true
	}
}

// consume reads a task's partition batch by batch from its position and hands each non-empty
// batch to handle, which returns false to end the task. The position advances after handle.
func (q *Query) consume(ctx context.Context, t *task, handle func(*broker.FetchResult) bool) {
	topic := t.topicOr(q.spec.Source.Topic)
	batch := q.opts.BatchSize
	for ctx.Err() == nil {
		off := t.pos.Load()
		res, err := q.b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: t.partition, Offset: off, MaxRecords: batch, MaxWait: q.opts.PollWait})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, broker.ErrOffsetOutOfRange) {
				// Retention or compaction removed what we had not read: resume at the
				// earliest record still there, as Kafka's auto.offset.reset=earliest does.
				if offs, oerr := q.b.Offsets(ctx, topic); oerr == nil && int(t.partition) < len(offs) {
					q.opts.Logger.Warn("offset out of range; resetting", "query", q.spec.ID, "topic", topic, "partition", t.partition, "from", off, "to", offs[t.partition].Earliest)
					t.pos.Store(offs[t.partition].Earliest)
					continue
				}
			}
			if errors.Is(err, broker.ErrUnknownTopic) || errors.Is(err, broker.ErrClosed) {
				q.fail(types.Wrap(types.CodeUndefinedTable, err, "query %s: source topic %s", q.spec.ID, topic))
				return
			}
			q.opts.Logger.Warn("fetch failed; retrying", "query", q.spec.ID, "topic", topic, "partition", t.partition, "err", err)
			if !q.backoff(ctx) {
				return
			}
			continue
		}
		if res.HighWatermark-res.NextOffset >= int64(batch) {
			batch = min(2*batch, q.opts.MaxBatchSize) // catching up: a full batch is waiting
		} else {
			batch = q.opts.BatchSize
		}
		if len(res.Records) > 0 && !handle(&res) {
			return
		}
		t.pos.Store(res.NextOffset)
	}
}

// evaluate runs filter and projection over one input row; ok is false when the row is
// filtered out or failed (and was logged).
func (q *Query) evaluate(rec *broker.Record, row types.Row, dst types.Row) (types.Row, bool) {
	if q.spec.Filter != nil {
		v, err := q.spec.Filter.Eval(row)
		if err != nil {
			q.plog.Record(q.spec.ID, rec, "filter", err)
			return nil, false
		}
		if b, _ := v.(bool); !b {
			return nil, false
		}
	}
	if q.spec.Project == nil {
		return append(dst[:0], row...), true
	}
	dst = dst[:0]
	for _, e := range q.spec.Project {
		v, err := e.Eval(row)
		if err != nil {
			// ksqlDB keeps the row and writes NULL for an expression that failed on this
			// record; the failure goes to the processing log.
			q.plog.Record(q.spec.ID, rec, "project", err)
			v = nil
		}
		dst = append(dst, v)
	}
	return dst, true
}

// fatalError is a record error that must stop the query rather than skip the record.
type fatalError struct{ err error }

func (f *fatalError) Error() string { return f.err.Error() }
func (f *fatalError) Unwrap() error { return f.err }

var errNullTableKey = types.Errorf(types.CodeDataException, "a table's record has a null key: skipped")

// project computes the output row without the filter and without logging failures: used for
// the key of a tombstone.
func (q *Query) project(row, dst types.Row) types.Row {
	if q.spec.Project == nil {
		return append(dst[:0], row...)
	}
	dst = dst[:0]
	for _, e := range q.spec.Project {
		v, err := e.Eval(row)
		if err != nil {
			v = nil
		}
		dst = append(dst, v)
	}
	return dst
}

// processToSink runs a batch and writes its outputs. On the embedded log the input offsets
// commit in the same write (committed is then true); otherwise the caller commits them after.
func (q *Query) processToSink(ctx context.Context, in *inputDecoder, out *outputWriter, recs []broker.Record, offsets map[broker.TopicPartition]int64) (committed, ok bool) {
	out.reset()
	var outRow types.Row
	for i := range recs {
		rec := &recs[i]
		row, ts, tomb, err := in.decode(rec)
		if err != nil {
			var fatal *fatalError
			if errors.As(err, &fatal) {
				q.fail(types.Wrap(types.CodeDataException, fatal.err, "query %s", q.spec.ID))
				return false, false
			}
			q.plog.Record(q.spec.ID, rec, "deserialize", err)
			continue
		}
		if row == nil {
			continue
		}
		if q.spec.Source.Table && rec.Key == nil {
			// A table row needs its key: ksqlDB drops (and logs) changelog records without one.
			q.plog.Record(q.spec.ID, rec, "deserialize", errNullTableKey)
			continue
		}
		if q.spec.TableFuncs != nil {
			if !tomb { // a flat map produces nothing for a null value
				outRow = q.flatMapToSink(rec, row, ts, out, outRow)
			}
			continue
		}
		var ok bool
		if !tomb {
			outRow, ok = q.evaluate(rec, row, outRow)
		} else if !q.spec.Source.Table && q.spec.Filter != nil {
			continue // a stream's filter never passes a null value
		}
		if !ok {
			if !q.spec.Source.Table && !tomb {
				continue
			}
			// A table row deleted, or no longer passing the filter, deletes the output key
			// (ksqlDB's KTable filter forwards a tombstone); a stream's null value is
			// forwarded with the key the projection gives it.
			outRow = q.project(row, outRow)
			if tomb {
				for i, null := range q.spec.TombstoneNull {
					if null && i < len(outRow) {
						outRow[i] = nil
					}
				}
			}
			tomb = true
		}
		if wk := q.spec.Sink.WindowKey; wk != WindowNone {
			base := q.spec.Source.NumColumns
			start, _ := row[base+PseudoWindowStart].(int64)
			end, _ := row[base+PseudoWindowEnd].(int64)
			err = out.addWindowed(outRow, ts, tomb, true, wk == WindowSession, start, end, rec)
		} else {
			err = out.add(outRow, ts, tomb, rec)
		}
		if err != nil {
			q.plog.Record(q.spec.ID, rec, "serialize", err)
		}
	}
	atomic, isAtomic := q.b.(broker.AtomicOffsets)
	// Table rows must live in the log's own database to join the same write.
	isAtomic = isAtomic && (out.mat == nil || out.mat.Atomic())
	if len(out.recs) == 0 && !isAtomic {
		return false, true
	}
	for {
		var err error
		switch {
		case isAtomic:
			// Outputs, table rows and input offsets in one durable write: exactly once.
			err = out.commitAtomically(ctx, atomic, q.group, offsets)
		case out.mat != nil:
			err = out.commitMaterialized(ctx, q.b)
		default:
			err = q.b.Produce(ctx, q.spec.Sink.Topic, out.recs)
		}
		if err == nil {
			return isAtomic, true
		}
		if ctx.Err() != nil {
			return false, false
		}
		if errors.Is(err, broker.ErrUnknownTopic) || errors.Is(err, broker.ErrClosed) {
			q.fail(types.Wrap(types.CodeUndefinedTable, err, "query %s: sink topic %s", q.spec.ID, q.spec.Sink.Topic))
			return false, false
		}
		if errors.Is(err, broker.ErrInvalidConfig) || errors.Is(err, broker.ErrRecordTooLarge) {
			// Retrying cannot help: stop the query with the reason rather than spin.
			q.fail(types.Wrap(types.CodeDataException, err, "query %s: writing to %s", q.spec.ID, q.spec.Sink.Topic))
			return false, false
		}
		q.opts.Logger.Warn("produce failed; retrying", "query", q.spec.ID, "topic", q.spec.Sink.Topic, "err", err)
		select {
		case <-ctx.Done():
			return false, false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// commitAtomically writes the batch's records, its table rows (if any) and the group's input
// offsets in one write of the embedded log.
func (w *outputWriter) commitAtomically(ctx context.Context, b broker.AtomicOffsets, group string, offsets map[broker.TopicPartition]int64) error {
	ob, err := b.OffsetBatch(group, offsets)
	if err != nil {
		return err
	}
	defer ob.Close()
	if w.mat == nil {
		return b.ProduceWith(ctx, w.sink.Topic, w.recs, ob)
	}
	batch := w.mat.NewBatch()
	defer batch.Close()
	w.fillMaterialized(batch)
	if err := batch.Include(ob); err != nil {
		return err
	}
	return batch.CommitWith(ctx, nil, w.sink.Topic, w.recs) // atomic: the store's own log
}

func (q *Query) processToStream(ctx context.Context, in *inputDecoder, recs []broker.Record) bool {
	for i := range recs {
		rec := &recs[i]
		row, _, tomb, err := in.decode(rec)
		if err != nil {
			q.plog.Record(q.spec.ID, rec, "deserialize", err)
			continue
		}
		if row == nil {
			continue
		}
		if tomb {
			if !q.spec.Source.Table || q.spec.TableFuncs != nil || rec.Key == nil {
				continue
			}
			// A table's delete shows as its key with NULL values, as the changelog it is.
			outRow := q.project(row, nil)
			for i, null := range q.spec.TombstoneNull {
				if null && i < len(outRow) {
					outRow[i] = nil
				}
			}
			if !q.send(outRow) {
				return false
			}
			continue
		}
		if q.spec.TableFuncs != nil {
			if _, ok := q.flatMap(rec, row, nil, true, q.send); !ok {
				return false
			}
			continue
		}
		outRow, ok := q.evaluate(rec, row, nil)
		if !ok {
			continue
		}
		if !q.send(outRow) {
			return false
		}
	}
	return true
}

// send hands a row to the push query's reader; false means the query has ended (LIMIT reached
// or reader gone).
func (q *Query) send(outRow types.Row) bool {
	last := false
	if q.spec.Limit > 0 {
		n := q.emitted.Add(1)
		if n > q.spec.Limit {
			q.cancel()
			return false
		}
		last = n == q.spec.Limit
	}
	// A row counted against the LIMIT is always delivered unless the reader has gone:
	// the send waits on closed, not on ctx, which the LIMIT itself cancels.
	select {
	case q.rows <- outRow:
	case <-q.closed:
		return false
	}
	if last {
		q.cancel()
		return false
	}
	return true
}

// inputDecoder turns broker records into input rows. The row is reused between records.
type inputDecoder struct {
	src      *SourceSpec
	keyBuf   types.Row
	valueBuf types.Row
	row      types.Row
}

func newInputDecoder(src *SourceSpec) *inputDecoder {
	return &inputDecoder{
		src:      src,
		keyBuf:   make(types.Row, len(src.KeyIndex)),
		valueBuf: make(types.Row, len(src.ValueIndex)),
	}
}

// decode fills a fresh input row; push queries keep the rows they emit, so rows are not
// shared between records. tomb reports a null value: the row holds the key columns only. On a
// table it deletes the key; on a stream ksqlDB forwards it as a null-valued record unless a
// filter drops it.
func (d *inputDecoder) decode(rec *broker.Record) (row types.Row, ts int64, tomb bool, err error) {
	src := d.src
	row = make(types.Row, src.NumColumns+NumPseudo)
	key := rec.Key
	base := src.NumColumns
	if src.WindowKey != WindowNone && key != nil {
		n := 8
		if src.WindowKey == WindowSession {
			n = 16
		}
		if len(key) < n {
			return nil, 0, false, fmt.Errorf("key: a windowed key needs at least %d bytes, got %d", n, len(key))
		}
		suffix := key[len(key)-n:]
		key = key[:len(key)-n]
		if src.WindowKey == WindowSession {
			row[base+PseudoWindowEnd] = int64(binary.BigEndian.Uint64(suffix))
			row[base+PseudoWindowStart] = int64(binary.BigEndian.Uint64(suffix[8:]))
		} else {
			start := int64(binary.BigEndian.Uint64(suffix))
			row[base+PseudoWindowStart] = start
			row[base+PseudoWindowEnd] = start + src.WindowSize
		}
	}
	if len(src.KeyIndex) > 0 {
		clear(d.keyBuf)
		if key != nil {
			if err := src.KeyDecoder.Decode(key, d.keyBuf, src.KeyNeeded); err != nil {
				return nil, 0, false, fmt.Errorf("key: %w", err)
			}
		}
		for i, idx := range src.KeyIndex {
			row[idx] = d.keyBuf[i]
		}
	}
	if rec.Value == nil {
		// Without value columns (VALUE_FORMAT='NONE') a null value is the normal record.
		tomb = len(src.ValueIndex) > 0
	} else if len(src.ValueIndex) > 0 {
		clear(d.valueBuf)
		if err := src.ValueDecoder.Decode(rec.Value, d.valueBuf, src.ValueNeeded); err != nil {
			if !errors.Is(err, ErrNullValue) {
				return nil, 0, false, fmt.Errorf("value: %w", err)
			}
			tomb = true
		} else {
			for i, idx := range src.ValueIndex {
				row[idx] = d.valueBuf[i]
			}
		}
	}
	for _, h := range src.Headers {
		row[h.Index] = headerValue(rec.Headers, h.Key)
	}
	ts = rec.Timestamp.UnixMilli()
	row[base+PseudoRowtime] = ts
	row[base+PseudoRowPartition] = rec.Partition
	row[base+PseudoRowOffset] = rec.Offset
	if src.Timestamp != nil && !tomb {
		t, err := src.Timestamp(row)
		if err != nil {
			if src.TimestampFatal {
				return nil, 0, false, &fatalError{fmt.Errorf("Fatal user code error in TimestampExtractor callback for record (topic %s, partition %d, offset %d): %w", rec.Topic, rec.Partition, rec.Offset, err)}
			}
			return nil, 0, false, fmt.Errorf("timestamp: %w", err)
		}
		ts = t
		row[base+PseudoRowtime] = ts
	}
	return row, ts, tomb, nil
}

// bytesValue keeps a null header value NULL: a nil []byte in an interface is not nil.
func bytesValue(b []byte) types.Value {
	if b == nil {
		return nil
	}
	return b
}

// headerValue is HEADER('k') (the last value of k, as BYTES) or, for key "", HEADERS
// (every header as ARRAY<STRUCT<KEY STRING, VALUE BYTES>>).
func headerValue(hs []broker.Header, key string) types.Value {
	if key == "" {
		out := make([]any, len(hs))
		for i, h := range hs {
			out[i] = types.StructValue{h.Key, bytesValue(h.Value)}
		}
		return out
	}
	var v types.Value
	for _, h := range hs {
		if h.Key == key {
			v = bytesValue(h.Value)
		}
	}
	return v
}

// outputWriter serializes output rows into broker records, reusing its buffers per batch.
type outputWriter struct {
	sink *SinkSpec
	// mat, when set, keeps the latest row per output key (a table's rows, for pull queries);
	// matRows holds this batch's (key, encoded row or nil) until it commits.
	mat     *state.Store
	matKeys [][]byte
	matRows [][]byte
	recs    []broker.Record
	key     types.Row
	value   types.Row
}

func (w *outputWriter) init(s *SinkSpec) {
	w.sink = s
	w.key = make(types.Row, len(s.KeyIndex))
	w.value = make(types.Row, len(s.ValueIndex))
}

func (w *outputWriter) reset() {
	w.recs = w.recs[:0]
	w.matKeys, w.matRows = w.matKeys[:0], w.matRows[:0]
}

func (w *outputWriter) add(row types.Row, ts int64, tomb bool, in *broker.Record) error {
	return w.addWindowed(row, ts, tomb, false, false, 0, 0, in)
}

// addWindowed adds an output record; a windowed key carries its window after the key bytes
// as Kafka Streams' windowed serdes write it: the start (time windows) or the end then the
// start (sessions), 8 bytes big-endian each.
func (w *outputWriter) addWindowed(row types.Row, ts int64, tomb, windowed, session bool, start, end int64, in *broker.Record) error {
	s := w.sink
	rec := broker.Record{Partition: broker.AnyPartition}
	if len(s.KeyIndex) > 0 {
		allNull := true
		for i, idx := range s.KeyIndex {
			w.key[i] = row[idx]
			if row[idx] != nil {
				allNull = false
			}
		}
		// A single NULL key column is a null key; several columns serialize even when all
		// are NULL (a JSON object of nulls), as ksqlDB writes them.
		if !allNull || (s.Rekeyed && len(s.KeyIndex) > 1) {
			k, err := s.KeyEncoder.Encode(nil, w.key)
			if err != nil {
				return fmt.Errorf("key: %w", err)
			}
			rec.Key = k
		}
		if windowed {
			if session {
				rec.Key = binary.BigEndian.AppendUint64(rec.Key, uint64(end))
			}
			rec.Key = binary.BigEndian.AppendUint64(rec.Key, uint64(start))
		}
	}
	for i, idx := range s.ValueIndex {
		w.value[i] = row[idx]
	}
	var v []byte
	if !tomb {
		var err error
		if v, err = s.ValueEncoder.Encode(nil, w.value); err != nil {
			return fmt.Errorf("value: %w", err)
		}
	}
	// nil stays nil: an unwrapped NULL value is a Kafka null, as ksqlDB writes it.
	rec.Value = v
	if s.Timestamp != nil && !tomb {
		t, err := s.Timestamp(row)
		if err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
		ts = t
	} else if s.TimestampIndex >= 0 {
		switch t := row[s.TimestampIndex].(type) {
		case types.TimestampMillis:
			ts = int64(t)
		case int64:
			ts = t
		}
	}
	rec.Timestamp = time.UnixMilli(ts)
	// Kafka Streams forwards the input record's headers to what it produces.
	if in != nil {
		rec.Headers = in.Headers
	}
	w.recs = append(w.recs, rec)
	if w.mat != nil && rec.Key != nil {
		w.matKeys = append(w.matKeys, rec.Key)
		if tomb {
			w.matRows = append(w.matRows, nil)
		} else {
			w.matRows = append(w.matRows, appendValues(nil, row))
		}
	}
	return nil
}

// commitMaterialized produces the batch's records together with the table rows they set
// (atomically on the embedded log).
func (w *outputWriter) commitMaterialized(ctx context.Context, b broker.Broker) error {
	batch := w.mat.NewBatch()
	defer batch.Close()
	w.fillMaterialized(batch)
	return batch.CommitWith(ctx, b, w.sink.Topic, w.recs)
}

func (w *outputWriter) fillMaterialized(batch *state.Batch) {
	for i, k := range w.matKeys {
		if w.matRows[i] == nil {
			batch.Delete(append([]byte{keyTableRow}, k...))
		} else {
			batch.Put(append([]byte{keyTableRow}, k...), w.matRows[i])
		}
	}
}

// materializedStore opens the store that keeps a table query's rows for one partition, with a
// changelog (restored when empty) unless state commits with the embedded log.
func (q *Query) materializedStore(ctx context.Context, partition int32) (*state.Store, error) {
	s := q.opts.State.Store(MaterializedNamespace(q.spec.ID, int(partition)))
	if q.opts.State.Atomic() {
		return s, nil
	}
	offs, err := q.b.Offsets(ctx, q.spec.Source.Topic)
	if err != nil {
		return nil, err
	}
	topic := q.internalTopic(q.spec.ID + "-mat-changelog")
	err = q.b.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: int32(len(offs)), Cleanup: broker.CleanupCompact, Retention: -1})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return nil, types.Wrap(types.CodeIO, err, "query %s: creating changelog topic %s", q.spec.ID, topic)
	}
	s = s.WithChangelog(q.b, topic, partition)
	if _, err := s.Restore(ctx); err != nil {
		return nil, types.Wrap(types.CodeIO, err, "query %s: restoring its table", q.spec.ID)
	}
	return s, nil
}

// MaterializedNamespace names the store of a table query's rows on one input partition.
func MaterializedNamespace(queryID string, partition int) string {
	return fmt.Sprintf("%s/mat/%d", queryID, partition)
}

// ReadMaterialized calls fn with every row a table query keeps in a store.
func ReadMaterialized(store *state.Store, fn func(row types.Row) bool) error {
	var derr error
	err := store.Scan([]byte{keyTableRow}, []byte{keyTableRow + 1}, func(_, v []byte) bool {
		r, _, err := decodeValues(v)
		if err != nil {
			derr = err
			return false
		}
		return fn(r)
	})
	if err == nil {
		err = derr
	}
	return err
}
