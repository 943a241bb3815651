package agg

import (
	"math"

	"github.com/streamsql/streamsql/types"
)

func init() {
	statSigs := func(name string) []string {
		return []string{
			name + "(col1 INT) → DOUBLE", name + "(col1 BIGINT) → DOUBLE",
			name + "(col1 DOUBLE) → DOUBLE", name + "(col1 DECIMAL) → DOUBLE",
		}
	}
	register(&Func{
		Name: "STDDEV_SAMP",
		Description: "Returns the sample variance of a column — ksqlDB's STDDEV_SAMP returns the square " +
			"of the sample standard deviation; use STDDEV_SAMPLE for the standard deviation itself. " +
			"NULLs are ignored; fewer than two values give 0.0. Works on streams and tables.",
		Example:    "SELECT sensor, STDDEV_SAMP(temperature) FROM readings GROUP BY sensor EMIT CHANGES;",
		Signatures: statSigs("STDDEV_SAMP"),
	}, func(c *call) (Aggregator, error) { return resolveStat(c, statSampVariance) })
	register(&Func{
		Name: "STDDEV_SAMPLE",
		Description: "Returns the sample standard deviation of a column. NULLs are ignored; fewer " +
			"than two values give 0.0. Works on streams and tables.",
		Example:    "SELECT sensor, STDDEV_SAMPLE(temperature) FROM readings GROUP BY sensor EMIT CHANGES;",
		Signatures: statSigs("STDDEV_SAMPLE"),
	}, func(c *call) (Aggregator, error) { return resolveStat(c, statSampleStddev) })
	register(&Func{
		Name: "STDDEV_POP",
		Description: "Returns the population standard deviation of a column (a streamsql addition). " +
			"NULLs are ignored; no values give 0.0. Works on streams and tables.",
		Example:    "SELECT sensor, STDDEV_POP(temperature) FROM readings GROUP BY sensor EMIT CHANGES;",
		Signatures: statSigs("STDDEV_POP"),
	}, func(c *call) (Aggregator, error) { return resolveStat(c, statPopStddev) })
	register(&Func{
		Name: "VARIANCE",
		Description: "Returns the sample variance of a column (a streamsql addition; the same value " +
			"as ksqlDB's STDDEV_SAMP). NULLs are ignored; fewer than two values give 0.0. Works on " +
			"streams and tables.",
		Example:    "SELECT sensor, VARIANCE(temperature) FROM readings GROUP BY sensor EMIT CHANGES;",
		Signatures: statSigs("VARIANCE"),
	}, func(c *call) (Aggregator, error) { return resolveStat(c, statVariance) })

	register(&Func{
		Name: "CORRELATION",
		Description: "Returns the Pearson correlation coefficient of two columns. Rows where either " +
			"is NULL are ignored; too few or constant values give NaN. Numeric arguments are cast " +
			"to DOUBLE. Works on streams and tables.",
		Example:    "SELECT region, CORRELATION(price, quantity) FROM orders GROUP BY region EMIT CHANGES;",
		Signatures: []string{"CORRELATION(x DOUBLE, y DOUBLE) → DOUBLE"},
	}, resolveCorrelation)
}

type statMode uint8

const (
	statSampVariance statMode = iota // ksqlDB STDDEV_SAMP: the sample variance (its quirk)
	statSampleStddev                 // ksqlDB STDDEV_SAMPLE
	statPopStddev                    // STDDEV_POP
	statVariance                     // VARIANCE: the sample variance
)

// statAgg is ksqlDB's StandardDeviation UDAFs: Youngs-Cramer updates of (count, sum, m2), with
// the sum kept in the argument's type (INT wraps at 32 bits) and the delta computed in the
// integer arithmetic ksqlDB uses. DECIMAL arguments are cast to DOUBLE.
type statAgg struct {
	base
	mode statMode
	kind types.Kind // Int, Bigint or Double
}

type statState struct {
	count int64
	i     int64 // sum of INT / BIGINT values
	f     float64
	m2    float64
}

func resolveStat(c *call, mode statMode) (Aggregator, error) {
	if len(c.args) != 1 {
		return nil, errNoMatch
	}
	k := c.args[0].Type.Kind
	sumT := types.DoubleType
	switch k {
	case types.Int:
		sumT = types.IntType
	case types.Bigint:
		sumT = types.BigintType
	case types.Double, types.Decimal:
		k = types.Double
	default:
		return nil, errNoMatch
	}
	countT := types.BigintType
	if mode == statSampVariance {
		countT = types.IntType
	}
	inter := types.StructOf(types.Field{Name: "SUM", Type: sumT}, types.Field{Name: "COUNT", Type: countT},
		types.Field{Name: "M2", Type: types.DoubleType})
	names := [...]string{statSampVariance: "STDDEV_SAMP", statSampleStddev: "STDDEV_SAMPLE",
		statPopStddev: "STDDEV_POP", statVariance: "VARIANCE"}
	return &statAgg{base: base{name: names[mode], ret: types.DoubleType, ncols: 1, inter: inter},
		mode: mode, kind: k}, nil
}

func (a *statAgg) Init() State { return &statState{} }

// delta is ksqlDB's createDelta: v*(count+1) - (sum+v) for the state before adding v (or, for
// undo, the state v is removed from), in the arithmetic of the argument's Java type.
func (a *statAgg) delta(st *statState, i int64, f float64) float64 {
	switch a.kind {
	case types.Int:
		sum := int64(int32(st.i + i)) // int + int
		if a.mode == statSampVariance {
			// int * (int count + 1) - (int sum + int)
			return float64(int32(int32(i)*int32(st.count+1) - int32(sum)))
		}
		return float64(i*(st.count+1) - sum) // long arithmetic
	case types.Bigint:
		return float64(i*(st.count+1) - (st.i + i))
	}
	return f*float64(st.count+1) - (st.f + f)
}

func (a *statAgg) addSum(st *statState, i int64, f float64, sign int64) {
	switch a.kind {
	case types.Int:
		st.i = int64(int32(st.i + sign*i))
	case types.Bigint:
		st.i += sign * i
	default:
		st.f += float64(sign) * f
	}
}

// arg reads the row's value; false for NULL.
func (a *statAgg) arg(v types.Value) (int64, float64, bool) {
	switch a.kind {
	case types.Int, types.Bigint:
		i, ok := asInt64(v)
		return i, 0, ok
	}
	f, ok := asFloat(v)
	return 0, f, ok
}

func (a *statAgg) Add(s State, args []types.Value) State {
	st := s.(*statState)
	i, f, ok := a.arg(args[0])
	if !ok {
		return st
	}
	n := st.count + 1
	if n > 1 {
		d := a.delta(st, i, f)
		st.m2 += d * d / float64(n*(n-1))
	}
	st.count = n
	a.addSum(st, i, f, 1)
	return st
}

func (a *statAgg) CanUndo() bool { return true }

func (a *statAgg) Undo(s State, args []types.Value) State {
	st := s.(*statState)
	i, f, ok := a.arg(args[0])
	if !ok {
		return st
	}
	n := st.count - 1
	if n > 0 {
		d := a.delta(st, i, f)
		st.m2 -= d * d / float64(n*(n+1))
	} else {
		// ksqlDB subtracts 0 here, leaving M2 as it was; with no value left it can only be 0.
		st.m2 = 0
	}
	st.count = n
	a.addSum(st, i, f, -1)
	return st
}

func (a *statAgg) Merge(x, y State) State {
	st, o := x.(*statState), y.(*statState)
	n := st.count + o.count
	m2 := st.m2 + o.m2
	if st.count != 0 && o.count != 0 {
		var inner float64
		switch {
		case a.kind == types.Double:
			inner = st.f/float64(st.count) - o.f/float64(o.count)
		case a.mode == statSampVariance:
			inner = float64(st.i/st.count - o.i/o.count) // ksqlDB divides integers here
		default:
			inner = float64(st.i)/float64(st.count) - float64(o.i)/float64(o.count)
		}
		m2 += float64(st.count) * float64(o.count) * inner * inner / float64(n)
	}
	st.count, st.m2 = n, m2
	a.addSum(st, o.i, o.f, 1)
	return st
}

func (a *statAgg) Result(s State) types.Value {
	st := s.(*statState)
	n := float64(st.count)
	switch a.mode {
	case statPopStddev:
		if st.count < 1 {
			return 0.0
		}
		return math.Sqrt(st.m2 / n)
	case statSampleStddev:
		if st.count < 2 {
			return 0.0
		}
		return math.Sqrt(st.m2 / (n - 1))
	}
	if st.count < 2 {
		return 0.0
	}
	return st.m2 / (n - 1)
}

func (a *statAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*statState)
	dst = appendVarint(dst, st.count)
	if a.kind == types.Double {
		dst = appendFloat(dst, st.f)
	} else {
		dst = appendVarint(dst, st.i)
	}
	return appendFloat(dst, st.m2)
}

func (a *statAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &statState{count: d.varint()}
	if a.kind == types.Double {
		st.f = d.float()
	} else {
		st.i = d.varint()
	}
	st.m2 = d.float()
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}

// --- CORRELATION -----------------------------------------------------------------------------

type corrAgg struct{ base }

type corrState struct {
	x, y, xx, yy, xy float64
	count            int64
}

func resolveCorrelation(c *call) (Aggregator, error) {
	if len(c.args) != 2 {
		return nil, errNoMatch
	}
	for _, a := range c.args {
		if !a.Type.IsNumeric() {
			return nil, errNoMatch
		}
	}
	d := types.DoubleType
	inter := types.StructOf(types.Field{Name: "X_SUM", Type: d}, types.Field{Name: "Y_SUM", Type: d},
		types.Field{Name: "X_SQUARED_SUM", Type: d}, types.Field{Name: "Y_SQUARED_SUM", Type: d},
		types.Field{Name: "XY_SUM", Type: d}, types.Field{Name: "COUNT", Type: types.BigintType})
	return &corrAgg{base{name: "CORRELATION", ret: d, ncols: 2, inter: inter}}, nil
}

func (a *corrAgg) Init() State { return &corrState{} }

func (a *corrAgg) fold(st *corrState, args []types.Value, sign float64) {
	x, ok1 := asFloat(args[0])
	y, ok2 := asFloat(args[1])
	if !ok1 || !ok2 {
		return
	}
	st.x += sign * x
	st.y += sign * y
	st.xx += sign * x * x
	st.yy += sign * y * y
	st.xy += sign * x * y
	st.count += int64(sign)
}

func (a *corrAgg) Add(s State, args []types.Value) State {
	st := s.(*corrState)
	a.fold(st, args, 1)
	return st
}

func (a *corrAgg) CanUndo() bool { return true }

func (a *corrAgg) Undo(s State, args []types.Value) State {
	st := s.(*corrState)
	a.fold(st, args, -1)
	return st
}

func (a *corrAgg) Merge(x, y State) State {
	st, o := x.(*corrState), y.(*corrState)
	st.x += o.x
	st.y += o.y
	st.xx += o.xx
	st.yy += o.yy
	st.xy += o.xy
	st.count += o.count
	return st
}

// Result is the single-pass Pearson formula ksqlDB uses; 0/0 gives NaN.
func (a *corrAgg) Result(s State) types.Value {
	st := s.(*corrState)
	n := float64(st.count)
	num := n*st.xy - st.x*st.y
	dx := n*st.xx - st.x*st.x
	dy := n*st.yy - st.y*st.y
	return num / math.Sqrt(dx*dy)
}

func (a *corrAgg) AppendState(dst []byte, s State) []byte {
	st := s.(*corrState)
	dst = appendVarint(dst, st.count)
	for _, f := range [...]float64{st.x, st.y, st.xx, st.yy, st.xy} {
		dst = appendFloat(dst, f)
	}
	return dst
}

func (a *corrAgg) DecodeState(b []byte) (State, error) {
	d := decoder{b: b}
	st := &corrState{count: d.varint()}
	st.x, st.y, st.xx, st.yy, st.xy = d.float(), d.float(), d.float(), d.float(), d.float()
	if !d.done() {
		return nil, corrupt(a.name)
	}
	return st, nil
}
