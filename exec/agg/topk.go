package agg

import (
	"strconv"

	"github.com/streamsql/streamsql/types"
)

// topkKinds are the sort-column types of ksqlDB's TOPK; TOPKDISTINCT adds DECIMAL.
var (
	topkKinds         = []types.Kind{types.Int, types.Bigint, types.Double, types.String}
	topkDistinctKinds = []types.Kind{types.Int, types.Bigint, types.Double, types.String, types.Decimal}
)

func init() {
	register(&Func{
		Name: "TOPK",
		Description: "Returns the k largest values of a column, largest first (ties keep arrival " +
			"order); NULLs are ignored. With other columns between the column and k, returns an " +
			"array of structs: sort_col holds the value, col0, col1 ... the other columns of the " +
			"same row. Streams only.",
		Example: "SELECT region, TOPK(amount, 3), TOPK(amount, customer, 3) FROM orders " +
			"GROUP BY region EMIT CHANGES;",
		Signatures: []string{
			"TOPK(col1 INT, k INT) → ARRAY<INT>", "TOPK(col1 BIGINT, k INT) → ARRAY<BIGINT>",
			"TOPK(col1 DOUBLE, k INT) → ARRAY<DOUBLE>", "TOPK(col1 STRING, k INT) → ARRAY<STRING>",
			"TOPK(col1 T, other1 U1, ..., k INT) → ARRAY<STRUCT<sort_col T, col0 U1, ...>>",
		},
	}, resolveTopK)

	register(&Func{
		Name: "TOPKDISTINCT",
		Description: "Returns the k largest distinct values of a column, largest first; NULLs are " +
			"ignored. Streams only.",
		Example: "SELECT region, TOPKDISTINCT(amount, 3) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{
			"TOPKDISTINCT(col1 INT, k INT) → ARRAY<INT>", "TOPKDISTINCT(col1 BIGINT, k INT) → ARRAY<BIGINT>",
			"TOPKDISTINCT(col1 DOUBLE, k INT) → ARRAY<DOUBLE>", "TOPKDISTINCT(col1 STRING, k INT) → ARRAY<STRING>",
			"TOPKDISTINCT(col1 DECIMAL, k INT) → ARRAY<DECIMAL>",
		},
	}, resolveTopKDistinct)
}

func kindIn(k types.Kind, ks []types.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// topkAgg is TOPK and TOPKDISTINCT. The state is the kept entries, sorted by value descending,
// ties in arrival order (Java's stable sort in ksqlDB).
type topkAgg struct {
	base
	k        int
	distinct bool
	t        types.Type   // the sort column's type
	others   []types.Type // TOPK's other columns (the struct form)
}

// topkEntry is one kept row: its sort value and, in the struct form, the other columns.
type topkEntry struct {
	v    types.Value
	rest types.StructValue // sort value first, then the other columns
}

type topkState struct{ entries []topkEntry }

func resolveTopK(c *call) (Aggregator, error)         { return resolveTop(c, false) }
func resolveTopKDistinct(c *call) (Aggregator, error) { return resolveTop(c, true) }

func resolveTop(c *call, distinct bool) (Aggregator, error) {
	name, kinds := "TOPK", topkKinds
	if distinct {
		name, kinds = "TOPKDISTINCT", topkDistinctKinds
	}
	n := len(c.args)
	if n < 2 || (distinct && n != 2) || !kindIn(c.args[0].Type.Kind, kinds) || c.args[n-1].Type.Kind != types.Int {
		return nil, errNoMatch
	}
	k, err := c.intLiteral(n - 1)
	if err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, types.Errorf(types.CodeInvalidParameter, "%s: k must be 1 or greater, got %d", name, k)
	}
	a := &topkAgg{k: k, distinct: distinct, t: c.args[0].Type}
	ret := types.ArrayOf(a.t)
	if n > 2 {
		fields := []types.Field{{Name: "sort_col", Type: a.t}}
		for i, arg := range c.args[1 : n-1] {
			a.others = append(a.others, arg.Type)
			fields = append(fields, types.Field{Name: "col" + strconv.Itoa(i), Type: arg.Type})
		}
		ret = types.ArrayOf(types.StructOf(fields...))
	}
	a.base = base{name: name, ret: ret, ncols: n - 1, inter: ret}
	return a, nil
}

func (a *topkAgg) Init() State { return &topkState{} }

// insert places e after every kept entry not smaller than it and drops what falls beyond k.
func (a *topkAgg) insert(st *topkState, e topkEntry) {
	n := len(st.entries)
	if n == a.k && compare(e.v, st.entries[n-1].v) <= 0 {
		return
	}
	i := n
	for i > 0 && compare(st.entries[i-1].v, e.v) < 0 {
		i--
	}
	if a.distinct && i > 0 && compare(st.entries[i-1].v, e.v) == 0 {
		return
	}
	if n < a.k {
		st.entries = append(st.entries, topkEntry{})
	}
	copy(st.entries[i+1:], st.entries[i:])
	st.entries[i] = e
}

func (a *topkAgg) Add(s State, args []types.Value) State {
	st := s.(*topkState)
	v := args[0]
	if v == nil {
		return st
	}
	e := topkEntry{v: v}
	if a.others != nil {
		n := len(st.entries)
		if n == a.k && compare(v, st.entries[n-1].v) <= 0 {
			return st // not kept: spare building the row
		}
		e.rest = append(make(types.StructValue, 0, a.ncols), args[:a.ncols]...)
	}
	a.insert(st, e)
	return st
}

// Merge interleaves the two sorted lists, a's entries first among equal values, as ksqlDB's
// merger; TOPKDISTINCT keeps one of equal values.
func (a *topkAgg) Merge(x, y State) State {
	st, o := x.(*topkState), y.(*topkState)
	out := make([]topkEntry, 0, min(a.k, len(st.entries)+len(o.entries)))
	i, j := 0, 0
	for len(out) < a.k && (i < len(st.entries) || j < len(o.entries)) {
		switch {
		case j == len(o.entries):
			out = append(out, st.entries[i])
			i++
		case i == len(st.entries):
			out = append(out, o.entries[j])
			j++
		default:
			c := compare(st.entries[i].v, o.entries[j].v)
			switch {
			case c > 0 || (c == 0 && !a.distinct):
				out = append(out, st.entries[i])
				i++
			case c < 0:
				out = append(out, o.entries[j])
				j++
			default:
				out = append(out, st.entries[i])
				i++
				j++
			}
		}
	}
	st.entries = out
	return st
}

func (a *topkAgg) Result(s State) types.Value {
	st := s.(*topkState)
	out := make([]any, len(st.entries))
	for i, e := range st.entries {
		if a.others != nil {
			out[i] = e.rest
		} else {
			out[i] = e.v
		}
	}
	return out
}

func (a *topkAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*topkState)
	dst = appendUvarint(dst, uint64(len(st.entries)))
	for _, e := range st.entries {
		dst = appendPresent(dst, a.t, e.v)
		for i, t := range a.others {
			dst = appendValue(dst, t, e.rest[i+1])
		}
	}
	return dst
}

func (a *topkAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	n := d.count(1)
	if n > a.k {
		d.fail()
	}
	st := &topkState{}
	for i := 0; i < n && !d.bad; i++ {
		e := topkEntry{v: d.present(a.t)}
		if a.others != nil {
			e.rest = make(types.StructValue, 1+len(a.others))
			e.rest[0] = e.v
			for j, t := range a.others {
				e.rest[j+1] = d.value(t)
			}
		}
		if i > 0 && !d.bad && compare(st.entries[i-1].v, e.v) < 0 {
			d.fail() // not sorted: not a state we wrote
		}
		st.entries = append(st.entries, e)
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}
