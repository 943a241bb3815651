package exec

import (
	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/types"
)

// A query with table functions (Spec.TableFuncs) is a flat map, as ksqlDB runs EXPLODE and
// CUBE_EXPLODE: per input row that passes the filter, each table function gives a list of
// values; the query emits as many output rows as the longest list has. Output row k is the
// projection over the input row extended with one column per table function holding element
// k of its list, or NULL past the end of a shorter list. A NULL or empty list contributes no
// rows; a row whose table function fails is logged and produces nothing.

// flatMap runs filter, table functions and projection over one decoded input row and calls
// emit for each output row. When fresh is false the output rows share buf's storage (the sink
// serializes each at once) and the grown buffer is returned; when true every row is newly
// allocated (push queries keep them). ok is false when emit was.
func (q *Query) flatMap(rec *broker.Record, row, buf types.Row, fresh bool, emit func(types.Row) bool) (types.Row, bool) {
	if q.spec.Filter != nil {
		v, err := q.spec.Filter.Eval(row)
		if err != nil {
			q.plog.Record(q.spec.ID, rec, "filter", err)
			return buf, true
		}
		if b, _ := v.(bool); !b {
			return buf, true
		}
	}
	tfs := q.spec.TableFuncs
	lists := make([][]any, len(tfs))
	n := 0
	for i, e := range tfs {
		v, err := e.Eval(row)
		if err != nil {
			q.plog.Record(q.spec.ID, rec, "table function", err)
			return buf, true
		}
		l, _ := v.([]any)
		lists[i] = l
		n = max(n, len(l))
	}
	if n == 0 {
		return buf, true
	}
	width := len(row)
	ext := make(types.Row, width+len(tfs))
	copy(ext, row)
	for k := 0; k < n; k++ {
		for i, l := range lists {
			var v types.Value
			if k < len(l) {
				v = l[k]
			}
			ext[width+i] = v
		}
		var out types.Row
		if fresh {
			out = make(types.Row, 0, len(q.spec.Project))
		} else {
			out = buf[:0]
		}
		for _, e := range q.spec.Project {
			v, err := e.Eval(ext)
			if err != nil {
				// As for any projection: NULL for this column, the failure logged.
				q.plog.Record(q.spec.ID, rec, "project", err)
				v = nil
			}
			out = append(out, v)
		}
		if !fresh {
			buf = out
		}
		if !emit(out) {
			return buf, false
		}
	}
	return buf, true
}

// flatMapToSink adds the output records of one input row of a flat-map query to out.
func (q *Query) flatMapToSink(rec *broker.Record, row types.Row, ts int64, out *outputWriter, buf types.Row) types.Row {
	buf, _ = q.flatMap(rec, row, buf, false, func(r types.Row) bool {
		if err := out.add(r, ts, false, rec); err != nil {
			q.plog.Record(q.spec.ID, rec, "serialize", err)
		}
		return true
	})
	return buf
}
