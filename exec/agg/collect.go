package agg

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/streamsql/streamsql/types"
)

func init() {
	register(&Func{
		Name: "COLLECT_LIST",
		Description: "Returns an array of all the values of a column in the group, NULLs included, in " +
			"arrival order. The array is capped at " + PropCollectListLimit + " entries (no cap by " +
			"default); later values are ignored. Over a table, a retracted row removes the last " +
			"occurrence of its value. Works on streams and tables.",
		Example:    "SELECT user_id, COLLECT_LIST(page) FROM clicks GROUP BY user_id EMIT CHANGES;",
		Signatures: []string{"COLLECT_LIST(col1 T) → ARRAY<T>"},
	}, resolveCollectList)

	register(&Func{
		Name: "COLLECT_SET",
		Description: "Returns an array of the distinct values of a column in the group (NULL counts " +
			"as a value), in order of first arrival. The array is capped at " + PropCollectSetLimit +
			" entries (no cap by default). Streams only.",
		Example:    "SELECT user_id, COLLECT_SET(page) FROM clicks GROUP BY user_id EMIT CHANGES;",
		Signatures: []string{"COLLECT_SET(col1 T) → ARRAY<T>"},
	}, resolveCollectSet)

	register(&Func{
		Name: "HISTOGRAM",
		Description: "Returns a map from each distinct string value of a column to the number of " +
			"times it occurs. At most 1000 distinct values are counted; further ones are ignored. " +
			"NULLs are ignored. Works on streams and tables.",
		Example:    "SELECT region, HISTOGRAM(status) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{"HISTOGRAM(col1 STRING) → MAP<STRING, BIGINT>"},
	}, resolveHistogram)

	register(&Func{
		Name: "ATTR",
		Description: "Returns the value of a column when every row of the group has the same value, " +
			"and NULL when the group holds more than one distinct value (NULL is a value here). " +
			"Works on streams and tables.",
		Example:    "SELECT order_id, ATTR(customer) FROM order_lines GROUP BY order_id EMIT CHANGES;",
		Signatures: []string{"ATTR(col1 T) → T"},
	}, resolveAttr)

	register(&Func{
		Name: "COUNT_DISTINCT",
		Description: "Returns the number of distinct non-NULL values of a column. Exact up to 2048 " +
			"distinct values, then estimated with HyperLogLog (2^14 registers, standard error " +
			"under 1%), as ksqlDB estimates. Streams only.",
		Example:    "SELECT page, COUNT_DISTINCT(user_id) FROM clicks GROUP BY page EMIT CHANGES;",
		Signatures: []string{"COUNT_DISTINCT(col1 T) → BIGINT"},
	}, resolveCountDistinct)
}

// --- COLLECT_LIST ----------------------------------------------------------------------------

type collectListAgg struct {
	base
	elem  types.Type
	limit int // -1: none
}

type listState struct{ vals []types.Value }

func resolveCollectList(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	limit, err := c.limit(PropCollectListLimit)
	if err != nil {
		return nil, err
	}
	t := c.args[0].Type
	ret := types.ArrayOf(t)
	return &collectListAgg{base: base{name: "COLLECT_LIST", ret: ret, ncols: 1, inter: ret}, elem: t, limit: limit}, nil
}

func (a *collectListAgg) full(n int) bool { return a.limit >= 0 && n >= a.limit }

func (a *collectListAgg) Init() State { return &listState{} }

func (a *collectListAgg) Add(s State, args []types.Value) State {
	st := s.(*listState)
	if !a.full(len(st.vals)) {
		st.vals = append(st.vals, args[0])
	}
	return st
}

func (a *collectListAgg) CanUndo() bool { return true }

// Undo removes the last occurrence of the value (ksqlDB cannot tell which row added it); a
// value not found was dropped by the limit.
func (a *collectListAgg) Undo(s State, args []types.Value) State {
	st := s.(*listState)
	for i := len(st.vals) - 1; i >= 0; i-- {
		if types.Equal(st.vals[i], args[0]) {
			st.vals = slices.Delete(st.vals, i, i+1)
			break
		}
	}
	return st
}

func (a *collectListAgg) Merge(x, y State) State {
	st, o := x.(*listState), y.(*listState)
	for _, v := range o.vals {
		if a.full(len(st.vals)) {
			break
		}
		st.vals = append(st.vals, v)
	}
	return st
}

func (a *collectListAgg) Result(s State) types.Value {
	return append(make([]any, 0, len(s.(*listState).vals)), s.(*listState).vals...)
}

func (a *collectListAgg) AppendState(dst []byte, s State) []byte {
	return appendValues(dst, a.elem, s.(*listState).vals)
}

func (a *collectListAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	vals := d.values(a.elem)
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return &listState{vals: vals}, nil
}

// appendValues writes a count then the values.
func appendValues(dst []byte, t types.Type, vals []types.Value) []byte {
	dst = appendUvarint(dst, uint64(len(vals)))
	for _, v := range vals {
		dst = appendValue(dst, t, v)
	}
	return dst
}

func (d *decoder) values(t types.Type) []types.Value {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	vals := make([]types.Value, n)
	for i := range vals {
		vals[i] = d.value(t)
	}
	return vals
}

// --- COLLECT_SET -----------------------------------------------------------------------------

type collectSetAgg struct {
	base
	elem  types.Type
	limit int
}

// setState is the distinct values in first-arrival order, indexed by hash.
type setState struct {
	vals  []types.Value
	index map[uint64][]int32
}

func (st *setState) contains(v types.Value, h uint64) bool {
	for _, i := range st.index[h] {
		if types.Equal(st.vals[i], v) {
			return true
		}
	}
	return false
}

// insert adds v unless present.
func (st *setState) insert(v types.Value) {
	h := hashValue(v)
	if st.contains(v, h) {
		return
	}
	if st.index == nil {
		st.index = map[uint64][]int32{}
	}
	st.index[h] = append(st.index[h], int32(len(st.vals)))
	st.vals = append(st.vals, v)
}

func resolveCollectSet(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	limit, err := c.limit(PropCollectSetLimit)
	if err != nil {
		return nil, err
	}
	t := c.args[0].Type
	ret := types.ArrayOf(t)
	return &collectSetAgg{base: base{name: "COLLECT_SET", ret: ret, ncols: 1, inter: ret}, elem: t, limit: limit}, nil
}

func (a *collectSetAgg) full(n int) bool { return a.limit >= 0 && n >= a.limit }

func (a *collectSetAgg) Init() State { return &setState{} }

func (a *collectSetAgg) Add(s State, args []types.Value) State {
	st := s.(*setState)
	if !a.full(len(st.vals)) {
		st.insert(args[0])
	}
	return st
}

func (a *collectSetAgg) Merge(x, y State) State {
	st, o := x.(*setState), y.(*setState)
	for _, v := range o.vals {
		if a.full(len(st.vals)) {
			break
		}
		st.insert(v)
	}
	return st
}

func (a *collectSetAgg) Result(s State) types.Value {
	return append(make([]any, 0, len(s.(*setState).vals)), s.(*setState).vals...)
}

func (a *collectSetAgg) AppendState(dst []byte, s State) []byte {
	return appendValues(dst, a.elem, s.(*setState).vals)
}

func (a *collectSetAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	vals := d.values(a.elem)
	if !d.done() {
		return nil, corrupt(a.name)
	}
	st := &setState{}
	for _, v := range vals {
		st.insert(v)
	}
	if len(st.vals) != len(vals) {
		return nil, corrupt(a.name) // duplicates: not a state we wrote
	}
	return st, nil
}

// --- HISTOGRAM -------------------------------------------------------------------------------

type histogramAgg struct{ base }

// histState counts strings; keys keeps first-arrival order for a stable output.
type histState struct {
	keys   []string
	counts map[string]int64
}

func resolveHistogram(c *call) (Aggregator, error) {
	if len(c.args) != 1 || c.args[0].Type.Kind != types.String {
		return nil, errNoMatch
	}
	ret := types.MapOf(types.StringType, types.BigintType)
	return &histogramAgg{base{name: "HISTOGRAM", ret: ret, ncols: 1, inter: ret}}, nil
}

func (a *histogramAgg) Init() State { return &histState{counts: map[string]int64{}} }

func (st *histState) add(k string, n int64) {
	if c, ok := st.counts[k]; ok {
		st.counts[k] = c + n
		return
	}
	if len(st.keys) >= HistogramLimit {
		return
	}
	st.keys = append(st.keys, k)
	st.counts[k] = n
}

func (a *histogramAgg) Add(s State, args []types.Value) State {
	st := s.(*histState)
	if k, ok := args[0].(string); ok {
		st.add(k, 1)
	}
	return st
}

func (a *histogramAgg) CanUndo() bool { return true }

// Undo decrements the value's count and drops it at zero (ksqlDB's map.compute).
func (a *histogramAgg) Undo(s State, args []types.Value) State {
	st := s.(*histState)
	k, ok := args[0].(string)
	if !ok {
		return st
	}
	c, ok := st.counts[k]
	if !ok {
		return st
	}
	if c > 1 {
		st.counts[k] = c - 1
		return st
	}
	delete(st.counts, k)
	i := slices.Index(st.keys, k)
	st.keys = slices.Delete(st.keys, i, i+1)
	return st
}

func (a *histogramAgg) Merge(x, y State) State {
	st, o := x.(*histState), y.(*histState)
	for _, k := range o.keys {
		st.add(k, o.counts[k])
	}
	return st
}

func (a *histogramAgg) Result(s State) types.Value {
	st := s.(*histState)
	m := &types.MapValue{Keys: make([]types.Value, len(st.keys)), Values: make([]types.Value, len(st.keys))}
	for i, k := range st.keys {
		m.Keys[i], m.Values[i] = k, st.counts[k]
	}
	return m
}

func (a *histogramAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*histState)
	dst = appendUvarint(dst, uint64(len(st.keys)))
	for _, k := range st.keys {
		dst = appendString(dst, k)
		dst = appendVarint(dst, st.counts[k])
	}
	return dst
}

func (a *histogramAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	n := d.count(2)
	st := &histState{counts: make(map[string]int64, n)}
	for i := 0; i < n && !d.bad; i++ {
		k := d.str()
		c := d.varint()
		if _, dup := st.counts[k]; dup || c < 1 {
			d.fail()
		}
		st.keys = append(st.keys, k)
		st.counts[k] = c
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- ATTR ------------------------------------------------------------------------------------

type attrAgg struct {
	base
	t types.Type
}

// attrState is the distinct values seen with their live counts (usually one entry).
type attrState struct {
	vals   []types.Value
	counts []int64
}

func resolveAttr(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	t := c.args[0].Type
	inter := types.ArrayOf(types.StructOf(types.Field{Name: "VALUE", Type: t}, types.Field{Name: "COUNT", Type: types.IntType}))
	return &attrAgg{base: base{name: "ATTR", ret: t, ncols: 1, inter: inter}, t: t}, nil
}

func (a *attrAgg) Init() State { return &attrState{} }

// update adds n (possibly negative) to v's count; counts stop at zero and a value reaching zero
// is dropped (ksqlDB keeps it with count 0, which it then ignores).
func (st *attrState) update(v types.Value, n int64) {
	for i, e := range st.vals {
		if types.Equal(e, v) {
			st.counts[i] += n
			if st.counts[i] <= 0 {
				st.vals = slices.Delete(st.vals, i, i+1)
				st.counts = slices.Delete(st.counts, i, i+1)
			}
			return
		}
	}
	if n > 0 {
		st.vals = append(st.vals, v)
		st.counts = append(st.counts, n)
	}
}

func (a *attrAgg) Add(s State, args []types.Value) State {
	st := s.(*attrState)
	st.update(args[0], 1)
	return st
}

func (a *attrAgg) CanUndo() bool { return true }

func (a *attrAgg) Undo(s State, args []types.Value) State {
	st := s.(*attrState)
	st.update(args[0], -1)
	return st
}

func (a *attrAgg) Merge(x, y State) State {
	st, o := x.(*attrState), y.(*attrState)
	for i, v := range o.vals {
		st.update(v, o.counts[i])
	}
	return st
}

func (a *attrAgg) Result(s State) types.Value {
	st := s.(*attrState)
	if len(st.vals) != 1 {
		return nil
	}
	return st.vals[0]
}

func (a *attrAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*attrState)
	dst = appendUvarint(dst, uint64(len(st.vals)))
	for i, v := range st.vals {
		dst = appendValue(dst, a.t, v)
		dst = appendUvarint(dst, uint64(st.counts[i]))
	}
	return dst
}

func (a *attrAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	n := d.count(2)
	st := &attrState{}
	for i := 0; i < n && !d.bad; i++ {
		v := d.value(a.t)
		c := d.uvarint()
		if c == 0 || c > math.MaxInt64 {
			d.fail()
		}
		st.vals = append(st.vals, v)
		st.counts = append(st.counts, int64(c))
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- COUNT_DISTINCT --------------------------------------------------------------------------

// distinctExactMax is how many distinct hashes COUNT_DISTINCT keeps exactly (16 KB, the size
// of the sketch) before switching to HyperLogLog.
const distinctExactMax = 2048

type countDistinctAgg struct{ base }

// distinctState is an exact set of value hashes, or (reg != nil) a HyperLogLog sketch.
type distinctState struct {
	set map[uint64]struct{}
	reg []byte
}

func resolveCountDistinct(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	return &countDistinctAgg{base{name: "COUNT_DISTINCT", ret: types.BigintType, ncols: 1,
		inter: types.ArrayOf(types.IntType)}}, nil
}

func (a *countDistinctAgg) Init() State { return &distinctState{set: map[uint64]struct{}{}} }

func (st *distinctState) add(h uint64) {
	if st.reg != nil {
		hllAdd(st.reg, h)
		return
	}
	st.set[h] = struct{}{}
	if len(st.set) > distinctExactMax {
		st.reg = make([]byte, hllM)
		for h := range st.set {
			hllAdd(st.reg, h)
		}
		st.set = nil
	}
}

func (a *countDistinctAgg) Add(s State, args []types.Value) State {
	st := s.(*distinctState)
	if args[0] != nil {
		st.add(hashValue(args[0]))
	}
	return st
}

func (a *countDistinctAgg) Merge(x, y State) State {
	st, o := x.(*distinctState), y.(*distinctState)
	if o.reg == nil {
		for h := range o.set {
			st.add(h)
		}
		return st
	}
	if st.reg == nil {
		reg := slices.Clone(o.reg)
		for h := range st.set {
			hllAdd(reg, h)
		}
		st.reg, st.set = reg, nil
		return st
	}
	for i, r := range o.reg {
		if r > st.reg[i] {
			st.reg[i] = r
		}
	}
	return st
}

func (a *countDistinctAgg) Result(s State) types.Value {
	st := s.(*distinctState)
	if st.reg != nil {
		return hllEstimate(st.reg)
	}
	return int64(len(st.set))
}

// AppendState writes 0 and the sorted hashes, or 1 and the registers.
func (a *countDistinctAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*distinctState)
	if st.reg != nil {
		dst = append(dst, 1)
		return append(dst, st.reg...)
	}
	hs := make([]uint64, 0, len(st.set))
	for h := range st.set {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	dst = append(dst, 0)
	dst = appendUvarint(dst, uint64(len(hs)))
	for _, h := range hs {
		dst = binary.LittleEndian.AppendUint64(dst, h)
	}
	return dst
}

func (a *countDistinctAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &distinctState{}
	switch d.byte1() {
	case 0:
		n := d.count(8)
		if n > distinctExactMax {
			d.fail()
		}
		st.set = make(map[uint64]struct{}, n)
		for i := 0; i < n && !d.bad; i++ {
			st.set[d.u64()] = struct{}{}
		}
		if len(st.set) != n {
			d.fail()
		}
	case 1:
		st.reg = slices.Clone(d.raw(hllM))
		for _, r := range st.reg {
			if r > 64-hllP+1 {
				d.fail()
			}
		}
	default:
		d.fail()
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}
