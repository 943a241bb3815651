package agg

import (
	"github.com/shopspring/decimal"
	"github.com/streamsql/streamsql/types"
)

func init() {
	register(&Func{
		Name: "COUNT",
		Description: "Counts the rows of a group. COUNT(*) and COUNT() count every row; COUNT(col1) " +
			"counts the rows where col1 is not NULL. Works on streams and tables.",
		Example:    "SELECT region, COUNT(*) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{"COUNT(*) → BIGINT", "COUNT(col1 T) → BIGINT"},
	}, resolveCount)

	register(&Func{
		Name: "SUM",
		Description: "Sums the values of a column; NULLs are ignored and the sum of no values is 0. " +
			"The result has the argument's type (INT overflows as a 32-bit integer, as in ksqlDB). " +
			"Works on streams and tables.",
		Example: "SELECT region, SUM(amount) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{
			"SUM(col1 INT) → INT", "SUM(col1 BIGINT) → BIGINT", "SUM(col1 DOUBLE) → DOUBLE",
			"SUM(col1 DECIMAL(p, s)) → DECIMAL(p, s)",
		},
	}, resolveSum)

	register(&Func{
		Name: "SUM_LIST",
		Description: "Sums the elements of array values into one total; NULL arrays and NULL " +
			"elements are ignored. Works on streams and tables.",
		Example: "SELECT id, SUM_LIST(readings) FROM sensors GROUP BY id EMIT CHANGES;",
		Signatures: []string{
			"SUM_LIST(col1 ARRAY<INT>) → INT", "SUM_LIST(col1 ARRAY<BIGINT>) → BIGINT",
			"SUM_LIST(col1 ARRAY<DOUBLE>) → DOUBLE",
		},
	}, resolveSumList)

	register(&Func{
		Name: "AVG",
		Description: "Returns the average of a column's values as a DOUBLE: their sum divided by " +
			"their count. NULLs are ignored; the average of no values is 0.0. Works on streams and " +
			"tables.",
		Example: "SELECT region, AVG(amount) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{
			"AVG(col1 INT) → DOUBLE", "AVG(col1 BIGINT) → DOUBLE", "AVG(col1 DOUBLE) → DOUBLE",
			"AVG(col1 DECIMAL) → DOUBLE",
		},
	}, resolveAvg)

	for _, max := range []bool{false, true} {
		name, what := "MIN", "minimum"
		if max {
			name, what = "MAX", "maximum"
		}
		sigs := make([]string, 0, len(minMaxKinds))
		for _, k := range minMaxKinds {
			t := ksqlKindName(k)
			sigs = append(sigs, name+"(col1 "+t+") → "+t)
		}
		register(&Func{
			Name: name,
			Description: "Returns the " + what + " value of a column; NULLs are ignored and the " +
				"result of no values is NULL. Streams only.",
			Example:    "SELECT sensor, " + name + "(temperature) FROM readings GROUP BY sensor EMIT CHANGES;",
			Signatures: sigs,
		}, func(c *call) (Aggregator, error) { return resolveMinMax(c, max) })
	}
}

// ksqlKindName is the type name ksqlDB's function docs use.
func ksqlKindName(k types.Kind) string {
	switch k {
	case types.Int:
		return "INT"
	case types.String:
		return "STRING"
	}
	return k.String()
}

// --- COUNT -----------------------------------------------------------------------------------

type countAgg struct{ base }

type countState struct{ n int64 }

func resolveCount(c *call) (Aggregator, error) {
	if len(c.args) > 1 {
		return nil, errNoMatch
	}
	return &countAgg{base{name: "COUNT", ret: types.BigintType, ncols: len(c.args), inter: types.BigintType}}, nil
}

func (a *countAgg) Init() State { return &countState{} }

func (a *countAgg) Add(s State, args []types.Value) State {
	st := s.(*countState)
	if a.ncols == 0 || args[0] != nil {
		st.n++
	}
	return st
}

func (a *countAgg) CanUndo() bool { return true }

func (a *countAgg) Undo(s State, args []types.Value) State {
	st := s.(*countState)
	if a.ncols == 0 || args[0] != nil {
		st.n--
	}
	return st
}

func (a *countAgg) Merge(x, y State) State {
	st := x.(*countState)
	st.n += y.(*countState).n
	return st
}

func (a *countAgg) Result(s State) types.Value { return s.(*countState).n }

func (a *countAgg) AppendState(dst []byte, s State) []byte {
	return appendVarint(dst, s.(*countState).n)
}

func (a *countAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &countState{n: d.varint()}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- SUM, SUM_LIST ---------------------------------------------------------------------------

// intSum is SUM over INT or BIGINT (and SUM_LIST over their arrays). INT sums wrap as Java's
// int does; BIGINT sums wrap as long.
type intSum struct {
	base
	kind types.Kind // Int or Bigint: the result kind
	list bool       // SUM_LIST: the argument is an array
}

type intSumState struct{ v int64 }

type floatSum struct {
	base
	list bool
}

type floatSumState struct{ v float64 }

// decSum is SUM over DECIMAL(p, s): the result keeps p and s. A value that would make the sum
// overflow p digits is skipped (ksqlDB fails the record with "Numeric field overflow").
type decSum struct {
	base
	scale int32
	limit decimal.Decimal // 10^(p-s): sums must stay below it in absolute value
}

type decSumState struct{ v decimal.Decimal }

func resolveSum(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	t := c.args[0].Type
	b := base{name: "SUM", ret: t, ncols: 1, inter: t}
	switch t.Kind {
	case types.Int, types.Bigint:
		return &intSum{base: b, kind: t.Kind}, nil
	case types.Double:
		return &floatSum{base: b}, nil
	case types.Decimal:
		return &decSum{base: b, scale: int32(t.Scale), limit: decimal.New(1, int32(t.Precision-t.Scale))}, nil
	}
	return nil, errNoMatch
}

func resolveSumList(c *call) (Aggregator, error) {
	if len(c.args) != 1 || c.args[0].Type.Kind != types.Array {
		return nil, errNoMatch
	}
	e := *c.args[0].Type.Elem
	b := base{name: "SUM_LIST", ret: e, ncols: 1, inter: e}
	switch e.Kind {
	case types.Int, types.Bigint:
		return &intSum{base: b, kind: e.Kind, list: true}, nil
	case types.Double:
		return &floatSum{base: b, list: true}, nil
	}
	return nil, errNoMatch
}

func (a *intSum) Init() State { return &intSumState{} }

// value is the row's contribution (false when NULL).
func (a *intSum) value(v types.Value) (int64, bool) {
	if !a.list {
		return asInt64(v)
	}
	arr, ok := v.([]any)
	if !ok {
		return 0, false
	}
	var sum int64
	for _, e := range arr {
		if i, ok := asInt64(e); ok {
			sum = a.wrap(sum + i)
		}
	}
	return sum, true
}

func (a *intSum) wrap(v int64) int64 {
	if a.kind == types.Int {
		return int64(int32(v))
	}
	return v
}

func (a *intSum) Add(s State, args []types.Value) State {
	st := s.(*intSumState)
	if v, ok := a.value(args[0]); ok {
		st.v = a.wrap(st.v + v)
	}
	return st
}

func (a *intSum) CanUndo() bool { return true }

func (a *intSum) Undo(s State, args []types.Value) State {
	st := s.(*intSumState)
	if v, ok := a.value(args[0]); ok {
		st.v = a.wrap(st.v - v)
	}
	return st
}

func (a *intSum) Merge(x, y State) State {
	st := x.(*intSumState)
	st.v = a.wrap(st.v + y.(*intSumState).v)
	return st
}

func (a *intSum) Result(s State) types.Value {
	v := s.(*intSumState).v
	if a.kind == types.Int {
		return int32(v)
	}
	return v
}

func (a *intSum) AppendState(dst []byte, s State) []byte {
	return appendVarint(dst, s.(*intSumState).v)
}

func (a *intSum) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &intSumState{v: d.varint()}
	if !d.done() || a.wrap(st.v) != st.v {
		return nil, corrupt(a.name)
	}
	return st, nil
}

func (a *floatSum) Init() State { return &floatSumState{} }

func (a *floatSum) value(v types.Value) (float64, bool) {
	if !a.list {
		f, ok := v.(float64)
		return f, ok
	}
	arr, ok := v.([]any)
	if !ok {
		return 0, false
	}
	var sum float64
	for _, e := range arr {
		if f, ok := e.(float64); ok {
			sum += f
		}
	}
	return sum, true
}

func (a *floatSum) Add(s State, args []types.Value) State {
	st := s.(*floatSumState)
	if v, ok := a.value(args[0]); ok {
		st.v += v
	}
	return st
}

func (a *floatSum) CanUndo() bool { return true }

func (a *floatSum) Undo(s State, args []types.Value) State {
	st := s.(*floatSumState)
	if v, ok := a.value(args[0]); ok {
		st.v -= v
	}
	return st
}

func (a *floatSum) Merge(x, y State) State {
	st := x.(*floatSumState)
	st.v += y.(*floatSumState).v
	return st
}

func (a *floatSum) Result(s State) types.Value { return s.(*floatSumState).v }

func (a *floatSum) AppendState(dst []byte, s State) []byte {
	return appendFloat(dst, s.(*floatSumState).v)
}

func (a *floatSum) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &floatSumState{v: d.float()}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

func (a *decSum) Init() State { return &decSumState{v: decimal.New(0, -a.scale)} }

// add returns st.v + v unless that overflows the type's precision.
func (a *decSum) add(st *decSumState, v decimal.Decimal) {
	sum := st.v.Add(v)
	if sum.Abs().Cmp(a.limit) >= 0 {
		return
	}
	st.v = sum
}

func (a *decSum) Add(s State, args []types.Value) State {
	st := s.(*decSumState)
	if v, ok := args[0].(decimal.Decimal); ok {
		a.add(st, v)
	}
	return st
}

func (a *decSum) CanUndo() bool { return true }

func (a *decSum) Undo(s State, args []types.Value) State {
	st := s.(*decSumState)
	if v, ok := args[0].(decimal.Decimal); ok {
		a.add(st, v.Neg())
	}
	return st
}

func (a *decSum) Merge(x, y State) State {
	st := x.(*decSumState)
	a.add(st, y.(*decSumState).v)
	return st
}

func (a *decSum) Result(s State) types.Value {
	v := s.(*decSumState).v
	if v.Exponent() != -a.scale {
		v = v.Round(a.scale)
	}
	return v
}

func (a *decSum) AppendState(dst []byte, s State) []byte {
	return appendDecimal(dst, s.(*decSumState).v)
}

func (a *decSum) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &decSumState{v: d.decimal()}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- AVG -------------------------------------------------------------------------------------

// avgAgg is ksqlDB's AverageUdaf: a sum of the argument's type (an INT sum wraps at 32 bits)
// and a count; the result is sum / count as a DOUBLE, 0.0 for no values. DECIMAL arguments are
// cast to DOUBLE, ksqlDB's implicit cast to the DOUBLE overload.
type avgAgg struct {
	base
	kind types.Kind // Int, Bigint or Double (DECIMAL arguments average as DOUBLE)
}

type avgState struct {
	i     int64
	f     float64
	count int64
}

func resolveAvg(c *call) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	k := c.args[0].Type.Kind
	var sumT types.Type
	switch k {
	case types.Int:
		sumT = types.IntType
	case types.Bigint:
		sumT = types.BigintType
	case types.Double, types.Decimal:
		k, sumT = types.Double, types.DoubleType
	default:
		return nil, errNoMatch
	}
	inter := types.StructOf(types.Field{Name: "SUM", Type: sumT}, types.Field{Name: "COUNT", Type: types.BigintType})
	return &avgAgg{base: base{name: "AVG", ret: types.DoubleType, ncols: 1, inter: inter}, kind: k}, nil
}

func (a *avgAgg) Init() State { return &avgState{} }

func (a *avgAgg) fold(st *avgState, v types.Value, sign int64) {
	switch a.kind {
	case types.Int:
		if x, ok := v.(int32); ok {
			st.i = int64(int32(st.i + sign*int64(x)))
			st.count += sign
		}
	case types.Bigint:
		if x, ok := v.(int64); ok {
			st.i += sign * x
			st.count += sign
		}
	default:
		if x, ok := asFloat(v); ok {
			st.f += float64(sign) * x
			st.count += sign
		}
	}
}

func (a *avgAgg) Add(s State, args []types.Value) State {
	st := s.(*avgState)
	a.fold(st, args[0], 1)
	return st
}

func (a *avgAgg) CanUndo() bool { return true }

func (a *avgAgg) Undo(s State, args []types.Value) State {
	st := s.(*avgState)
	a.fold(st, args[0], -1)
	return st
}

func (a *avgAgg) Merge(x, y State) State {
	st, o := x.(*avgState), y.(*avgState)
	st.count += o.count
	st.f += o.f
	st.i += o.i
	if a.kind == types.Int {
		st.i = int64(int32(st.i))
	}
	return st
}

func (a *avgAgg) Result(s State) types.Value {
	st := s.(*avgState)
	if st.count == 0 {
		return 0.0
	}
	if a.kind == types.Double {
		return st.f / float64(st.count)
	}
	return float64(st.i) / float64(st.count)
}

func (a *avgAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*avgState)
	dst = appendVarint(dst, st.count)
	if a.kind == types.Double {
		return appendFloat(dst, st.f)
	}
	return appendVarint(dst, st.i)
}

func (a *avgAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &avgState{count: d.varint()}
	if a.kind == types.Double {
		st.f = d.float()
	} else {
		st.i = d.varint()
	}
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- MIN, MAX --------------------------------------------------------------------------------

// minMaxKinds are the argument types ksqlDB's MIN and MAX accept.
var minMaxKinds = []types.Kind{
	types.Int, types.Bigint, types.Double, types.Decimal, types.String, types.Bytes,
	types.Timestamp, types.Date, types.Time,
}

type minMaxAgg struct {
	base
	max  bool
	kind types.Kind
}

// minMaxState holds the extreme so far: integers and temporals in i, DOUBLE in f (no
// allocation per row), DECIMAL, STRING and BYTES in v.
type minMaxState struct {
	set bool
	i   int64
	f   float64
	v   types.Value
}

func resolveMinMax(c *call, max bool) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	t := c.args[0].Type
	for _, k := range minMaxKinds {
		if t.Kind == k {
			name := "MIN"
			if max {
				name = "MAX"
			}
			return &minMaxAgg{base: base{name: name, ret: t, ncols: 1, inter: t}, max: max, kind: k}, nil
		}
	}
	return nil, errNoMatch
}

func (a *minMaxAgg) Init() State { return &minMaxState{} }

// better reports whether c (compared with the current extreme) replaces it.
func (a *minMaxAgg) better(c int) bool {
	if a.max {
		return c > 0
	}
	return c < 0
}

func (a *minMaxAgg) Add(s State, args []types.Value) State {
	st := s.(*minMaxState)
	a.fold(st, args[0])
	return st
}

func (a *minMaxAgg) fold(st *minMaxState, v types.Value) {
	if v == nil {
		return
	}
	switch a.kind {
	case types.Int, types.Bigint, types.Timestamp, types.Date, types.Time:
		i, ok := asInt64(v)
		if ok && (!st.set || a.better(cmp3(i, st.i))) {
			st.set, st.i = true, i
		}
	case types.Double:
		f, ok := v.(float64)
		if ok && (!st.set || a.better(javaCompareDouble(f, st.f))) {
			st.set, st.f = true, f
		}
	default:
		if !st.set || a.better(compare(v, st.v)) {
			st.set, st.v = true, v
		}
	}
}

func (a *minMaxAgg) Merge(x, y State) State {
	st := x.(*minMaxState)
	if v := a.Result(y); v != nil {
		a.fold(st, v)
	}
	return st
}

func (a *minMaxAgg) Result(s State) types.Value {
	st := s.(*minMaxState)
	if !st.set {
		return nil
	}
	switch a.kind {
	case types.Int, types.Bigint, types.Timestamp, types.Date, types.Time:
		return boxKind(a.kind, st.i)
	case types.Double:
		return st.f
	}
	return st.v
}

func (a *minMaxAgg) AppendState(dst []byte, s State) []byte {
	return appendValue(dst, a.ret, a.Result(s))
}

func (a *minMaxAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	v := d.value(a.ret)
	if !d.done() {
		return nil, corrupt(a.name)
	}
	st := &minMaxState{}
	a.fold(st, v)
	return st, nil
}
