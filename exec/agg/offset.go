package agg

import (
	"github.com/streamsql/streamsql/types"
)

func init() {
	for _, latest := range []bool{true, false} {
		name, which, nName, order := "EARLIEST_BY_OFFSET", "earliest", "earliestN", "lowest"
		if latest {
			name, which, nName, order = "LATEST_BY_OFFSET", "latest", "latestN", "largest"
		}
		register(&Func{
			Name: name,
			Description: "Returns the " + which + " value of a column by offset (the value with the " + order +
				" offset in its partition). With " + nName + ", returns the " + which + " N values as an " +
				"array, oldest first. ignoreNulls (default true) skips NULL values. Streams only.",
			Example: "SELECT sensor, " + name + "(reading), " + name + "(reading, 3) FROM readings " +
				"GROUP BY sensor EMIT CHANGES;",
			Signatures: []string{
				name + "(col1 T) → T",
				name + "(col1 T, ignoreNulls BOOLEAN) → T",
				name + "(col1 T, " + nName + " INT) → ARRAY<T>",
				name + "(col1 T, " + nName + " INT, ignoreNulls BOOLEAN) → ARRAY<T>",
			},
		}, func(c *call) (Aggregator, error) { return resolveOffset(c, latest) })
	}
}

// offsetAgg is LATEST_BY_OFFSET or EARLIEST_BY_OFFSET. Offsets order rows within a partition,
// so the accumulator only needs arrival order; ksqlDB's sequence numbers serve to merge session
// windows, where the later session's values are the later ones.
type offsetAgg struct {
	base
	latest      bool
	n           int // 0: the single-value form
	ignoreNulls bool
	t           types.Type
}

// offsetState is the single-value form's state: set tells an unset state from a kept NULL.
type offsetState struct {
	set bool
	v   types.Value
}

// offsetNState is the N form's state: the kept values, oldest first.
type offsetNState struct{ vals []types.Value }

func resolveOffset(c *call, latest bool) (Aggregator, error) {
	nName, name := "earliestN", "EARLIEST_BY_OFFSET"
	if latest {
		nName, name = "latestN", "LATEST_BY_OFFSET"
	}
	a := &offsetAgg{latest: latest, ignoreNulls: true}
	var err error
	switch {
	case len(c.args) == 1:
	case len(c.args) == 2 && c.args[1].Type.Kind == types.Boolean:
		a.ignoreNulls, err = c.boolLiteral(1)
	case len(c.args) == 2 && c.args[1].Type.Kind == types.Int:
		a.n, err = c.intLiteral(1)
	case len(c.args) == 3 && c.args[1].Type.Kind == types.Int && c.args[2].Type.Kind == types.Boolean:
		a.n, err = c.intLiteral(1)
		if err == nil {
			a.ignoreNulls, err = c.boolLiteral(2)
		}
	default:
		return nil, errNoMatch
	}
	if err != nil {
		return nil, err
	}
	if len(c.args) >= 2 && c.args[1].Type.Kind == types.Int && a.n <= 0 {
		return nil, types.Errorf(types.CodeInvalidParameter, "%s must be 1 or greater", nName)
	}
	a.t = c.args[0].Type
	entry := types.StructOf(types.Field{Name: "SEQ", Type: types.BigintType}, types.Field{Name: "VAL", Type: a.t})
	a.base = base{name: name, ret: a.t, ncols: 1, inter: entry}
	if a.n > 0 {
		a.ret, a.inter = types.ArrayOf(a.t), types.ArrayOf(entry)
	}
	return a, nil
}

func (a *offsetAgg) Init() State {
	if a.n > 0 {
		return &offsetNState{}
	}
	return &offsetState{}
}

func (a *offsetAgg) Add(s State, args []types.Value) State {
	v := args[0]
	if v == nil && a.ignoreNulls {
		return s
	}
	if a.n == 0 {
		st := s.(*offsetState)
		if a.latest || !st.set {
			st.set, st.v = true, v
		}
		return st
	}
	st := s.(*offsetNState)
	switch {
	case len(st.vals) < a.n:
		st.vals = append(st.vals, v)
	case a.latest:
		copy(st.vals, st.vals[1:])
		st.vals[len(st.vals)-1] = v
	}
	return st
}

// Merge combines a session with the later session b: LATEST keeps b's value when b has one,
// EARLIEST keeps a's; the N forms keep the latest (earliest) N of a's values followed by b's.
func (a *offsetAgg) Merge(x, y State) State {
	if a.n == 0 {
		st, o := x.(*offsetState), y.(*offsetState)
		if o.set && (a.latest || !st.set) {
			*st = *o
		}
		return st
	}
	st, o := x.(*offsetNState), y.(*offsetNState)
	all := append(st.vals, o.vals...)
	if len(all) > a.n {
		if a.latest {
			all = append(all[:0:0], all[len(all)-a.n:]...)
		} else {
			all = all[:a.n]
		}
	}
	st.vals = all
	return st
}

func (a *offsetAgg) Result(s State) types.Value {
	if a.n == 0 {
		return s.(*offsetState).v
	}
	return append(make([]any, 0, len(s.(*offsetNState).vals)), s.(*offsetNState).vals...)
}

func (a *offsetAgg) AppendState(dst []byte, s State) []byte {
	if a.n == 0 {
		st := s.(*offsetState)
		if !st.set {
			return append(dst, 0)
		}
		dst = append(dst, 1)
		return appendValue(dst, a.t, st.v)
	}
	return appendValues(dst, a.t, s.(*offsetNState).vals)
}

func (a *offsetAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	var st State
	if a.n == 0 {
		o := &offsetState{set: d.bool1()}
		if o.set {
			o.v = d.value(a.t)
		}
		st = o
	} else {
		o := &offsetNState{vals: d.values(a.t)}
		if len(o.vals) > a.n {
			d.fail()
		}
		st = o
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}
