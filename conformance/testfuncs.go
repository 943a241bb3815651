package conformance

// Test-only functions. ksqlDB runs its query-validation tests with a jar of functions from its
// own test sources loaded (io.confluent.ksql.function.udf.* and .udaf.*: TestUdf, BadUdf,
// WhenCondition, WhenResult, TestUdtf, ThrowingUdtf, TestUdaf, MultiArgUdaf, FourArgUdaf,
// FiveArgUdaf, VarArgUdaf, MiddleVarArgUdaf, GenericVarArgUdaf, ObjVarColArgUdaf, and ToStruct
// of udf-example.jar). The cases that call them expect them, so the runner registers
// equivalents before running any case, exactly as ksqlDB's runner does.
//
// They exist ONLY in the conformance runner: nothing in the product imports this package, so
// a streamsql server, SHOW FUNCTIONS and the function docs never see them.
//
// Java semantics mirrored where a case can observe them: a NULL passed to a parameter that is
// a Java primitive (int, long, double, boolean) fails the call (as the NPE of unboxing would),
// and a failing scalar call is NULL while a failing table function drops its input row (the
// engine's handling of per-record failures).

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shopspring/decimal"

	"github.com/streamsql/streamsql/exec/agg"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/types"
)

var registerOnce sync.Once

// RegisterTestFunctions registers ksqlDB's test-only functions (see the top of this file). It
// is idempotent; RunCase calls it before running a case.
func RegisterTestFunctions() {
	registerOnce.Do(func() {
		for _, f := range testScalarFunctions() {
			expr.Register(f)
		}
		for _, f := range testTableFunctions() {
			expr.RegisterTable(f)
		}
		for _, u := range testAggregates() {
			agg.Register(u.fn, u.resolve)
		}
	})
}

// errNullPrimitive is the failure of a NULL passed to a Java primitive parameter.
var errNullPrimitive = errors.New("java.lang.NullPointerException: null passed to a primitive parameter")

var (
	structA     = types.StructOf(types.Field{Name: "A", Type: types.StringType})
	structAB    = types.StructOf(types.Field{Name: "A", Type: types.IntType}, types.Field{Name: "B", Type: types.IntType})
	decimal3010 = types.DecimalType(30, 10)
)

func tp(t types.Type) expr.ParamType { return expr.TypeParam(t) }

// constant is a stateless implementation returning v.
func constant(v types.Value) func([]types.Type) expr.Eval {
	return func([]types.Type) expr.Eval {
		return func([]types.Value) (types.Value, error) { return v, nil }
	}
}

// stateless adapts a function of the argument values to NewSignature's per-call-site builder.
func stateless(f expr.Eval) func([]types.Type) expr.Eval {
	return func([]types.Type) expr.Eval { return f }
}

// primitives fails when one of the arguments at the given positions (all when none is given)
// is NULL, then calls f.
func primitives(f expr.Eval, positions ...int) expr.Eval {
	return func(args []types.Value) (types.Value, error) {
		if len(positions) == 0 {
			for _, a := range args {
				if a == nil {
					return nil, errNullPrimitive
				}
			}
		}
		for _, i := range positions {
			if args[i] == nil {
				return nil, errNullPrimitive
			}
		}
		return f(args)
	}
}

// --- scalar functions ----------------------------------------------------------------------------

func testScalarFunctions() []*expr.Func {
	str := tp(types.StringType)
	i32 := tp(types.IntType)
	i64 := tp(types.BigintType)
	boolean := tp(types.BooleanType)
	longVarargs := expr.NewSignature(types.StringType, stateless(primitives(func([]types.Value) (types.Value, error) {
		return "doStuffLongVarargs", nil
	})), expr.P("longs", i64))
	longVarargs.Variadic = true

	return []*expr.Func{
		{
			Name: "TEST_UDF", Category: expr.CategoryOther, Description: "test (ksqlDB's TestUdf): returns the name of the overload called",
			Signatures: []*expr.Signature{
				expr.NewSignature(types.StringType, stateless(primitives(func([]types.Value) (types.Value, error) {
					return "doStuffIntString", nil
				}, 0)), expr.P("arg1", i32), expr.P("arg2", str)),
				expr.NewSignature(types.StringType, stateless(primitives(func([]types.Value) (types.Value, error) {
					return "doStuffLongString", nil
				}, 0)), expr.P("arg1", i64), expr.P("arg2", str)),
				expr.NewSignature(types.StringType, stateless(primitives(func([]types.Value) (types.Value, error) {
					return "doStuffLongLongString", nil
				}, 0, 1)), expr.P("arg1", i64), expr.P("arg2", i64), expr.P("arg3", str)),
				longVarargs,
				expr.NewSignature(types.StringType, stateless(primitives(func(a []types.Value) (types.Value, error) {
					return a[0].(types.StructValue)[0], nil
				})), expr.P("struct", tp(structA))),
				expr.NewSignature(structA, constant(types.StructValue{"foo"})),
			},
		},
		{
			Name: "BAD_UDF", Category: expr.CategoryOther, Description: "throws exceptions when called (ksqlDB's BadUdf)",
			Signatures: []*expr.Signature{
				expr.NewSignature(types.StringType, stateless(func([]types.Value) (types.Value, error) {
					return nil, errors.New("boom!")
				}), expr.P("arg1", i32)),
				expr.NewSignature(types.IntType, stateless(primitives(func(a []types.Value) (types.Value, error) {
					if a[0].(bool) {
						return nil, errors.New("You asked me to throw...")
					}
					return int32(0), nil
				})), expr.P("arg", boolean)),
				// NULL every other invocation, starting with the first: one counter per call site.
				expr.NewSignature(types.StringType, func([]types.Type) expr.Eval {
					var calls atomic.Int64
					return func(a []types.Value) (types.Value, error) {
						if calls.Add(1)%2 == 1 {
							return nil, nil
						}
						return a[0], nil
					}
				}, expr.P("arg", str)),
			},
		},
		{
			Name: "WHENCONDITION", Category: expr.CategoryOther, Description: "UDF used in case-expression.json: fails unless its second argument is true",
			Signatures: []*expr.Signature{
				expr.NewSignature(types.BooleanType, stateless(primitives(func(a []types.Value) (types.Value, error) {
					if !a[1].(bool) {
						return nil, errors.New("When condition in case is not running lazily!")
					}
					return a[0], nil
				})), expr.P("retValue", boolean), expr.P("shouldBeEvaluated", boolean)),
			},
		},
		{
			Name: "WHENRESULT", Category: expr.CategoryOther, Description: "UDF used in case-expression.json: fails unless its second argument is true",
			Signatures: []*expr.Signature{
				expr.NewSignature(types.IntType, stateless(primitives(func(a []types.Value) (types.Value, error) {
					if !a[1].(bool) {
						return nil, errors.New("Then expression in case is not running lazily!")
					}
					return a[0], nil
				})), expr.P("retVal", i32), expr.P("shouldBeEvaluated", boolean)),
			},
		},
		{
			Name: "TOSTRUCT", Category: expr.CategoryOther, Description: "converts things to a struct (udf-example.jar's ToStruct)",
			Signatures: []*expr.Signature{
				expr.NewSignature(structA, stateless(func(a []types.Value) (types.Value, error) {
					return types.StructValue{a[0]}, nil
				}), expr.P("value", str)),
			},
		},
	}
}

// --- table functions ---------------------------------------------------------------------------

func testTableFunctions() []*expr.Func {
	dec := expr.AnyDecimalParam()
	scalarTypes := []types.Type{types.IntType, types.BigintType, types.DoubleType, types.BooleanType, types.StringType}
	names := []string{"i", "l", "d", "b", "s", "bd", "struct"}

	// standardParams, parameterizedListParams, parameterizedMapParams(2): one row per argument,
	// its Java String.valueOf.
	wrap := func(p expr.ParamType, kind string, keyType types.Type) expr.ParamType {
		switch kind {
		case "list":
			return expr.ArrayParam(p)
		case "map":
			return expr.MapParam(tp(keyType), p)
		}
		return p
	}
	sevenParams := func(kind string, firstKey types.Type) []expr.Param {
		ps := make([]expr.Param, 0, 7)
		for i, t := range scalarTypes {
			key := types.StringType
			if i == 0 {
				key = firstKey
			}
			ps = append(ps, expr.P(names[i], wrap(tp(t), kind, key)))
		}
		ps = append(ps, expr.P(names[5], wrap(dec, kind, types.StringType)))
		ps = append(ps, expr.P(names[6], wrap(tp(structA), kind, types.StringType)))
		return ps
	}
	stringRows := func(kind string) func([]types.Type, types.Type) expr.Eval {
		return func(argTypes []types.Type, _ types.Type) expr.Eval {
			return func(args []types.Value) (types.Value, error) {
				rows := make([]any, len(args))
				for i, a := range args {
					if a == nil {
						return nil, errNullPrimitive
					}
					v, t := a, argTypes[i]
					switch kind {
					case "list":
						l := a.([]any)
						if len(l) == 0 {
							return nil, errors.New("java.lang.IndexOutOfBoundsException: Index 0 out of bounds for length 0")
						}
						v, t = l[0], *t.Elem
					case "map":
						m := a.(*types.MapValue)
						if m.Len() == 0 {
							return nil, errors.New("java.util.NoSuchElementException")
						}
						v, t = m.Values[0], *t.Elem
					}
					if v == nil && (i >= 4 || kind == "") {
						// s, bd.toString(), struct.toString() of NULL (or a primitive NULL).
						return nil, errNullPrimitive
					}
					rows[i] = javaString(v, t)
				}
				return rows, nil
			}
		}
	}
	stringsSig := func(kind string, firstKey types.Type) *expr.Signature {
		return expr.NewSignatureFunc("STRING", func([]types.Type) (types.Type, error) {
			return types.ArrayOf(types.StringType), nil
		}, stringRows(kind), sevenParams(kind, firstKey)...)
	}
	// listXReturn: one row, the argument.
	single := func(p expr.ParamType, returns string, ret func(arg types.Type) types.Type) *expr.Signature {
		return expr.NewSignatureFunc(returns, func(args []types.Type) (types.Type, error) {
			return types.ArrayOf(ret(args[0])), nil
		}, func(_ []types.Type, rt types.Type) expr.Eval {
			return func(args []types.Value) (types.Value, error) {
				if args[0] == nil {
					return nil, errNullPrimitive
				}
				v := args[0]
				if d, ok := v.(decimal.Decimal); ok && rt.Elem.Kind == types.Decimal {
					v = d.Round(int32(rt.Elem.Scale))
				}
				return []any{v}, nil
			}
		}, expr.P("val", p))
	}
	same := func(t types.Type) types.Type { return t }
	sigs := []*expr.Signature{
		stringsSig("", types.StringType),
		stringsSig("list", types.StringType),
		stringsSig("map", types.StringType),
		stringsSig("map", types.BigintType),
	}
	for _, t := range scalarTypes {
		sigs = append(sigs, single(tp(t), t.String(), same))
	}
	sigs = append(sigs,
		single(dec, decimal3010.String(), func(types.Type) types.Type { return decimal3010 }),
		single(tp(structA), structA.String(), same))

	return []*expr.Func{
		{Name: "TEST_UDTF", Category: expr.CategoryTable, Description: "test (ksqlDB's TestUdtf)", Signatures: sigs},
		{
			Name: "THROWING_UDTF", Category: expr.CategoryTable, Description: "test UDTF that throws if param is true",
			Signatures: []*expr.Signature{
				expr.NewSignatureFunc("BOOLEAN", func([]types.Type) (types.Type, error) {
					return types.ArrayOf(types.BooleanType), nil
				}, func([]types.Type, types.Type) expr.Eval {
					return primitives(func(a []types.Value) (types.Value, error) {
						if a[0].(bool) {
							return nil, errors.New("You asked me to throw...")
						}
						return []any{a[0]}, nil
					})
				}, expr.P("shouldThrow", tp(types.BooleanType))),
			},
		},
	}
}

// javaString is Java's String.valueOf of a value of type t as the test functions see it
// (Integer, Long, Double, Boolean, String, BigDecimal, Kafka Connect Struct, List, Map).
func javaString(v types.Value, t types.Type) string {
	if v == nil {
		return "null"
	}
	switch t.Kind {
	case types.Boolean:
		return strconv.FormatBool(v.(bool))
	case types.Int, types.Bigint:
		return fmt.Sprint(v)
	case types.Double:
		return javaDouble(v.(float64))
	case types.Decimal:
		return javaBigDecimal(v.(decimal.Decimal))
	case types.String:
		return v.(string)
	case types.Struct:
		// Struct.toString: the non-NULL fields only.
		s := v.(types.StructValue)
		parts := []string{}
		for i, f := range t.Fields {
			if i < len(s) && s[i] != nil {
				parts = append(parts, f.Name+"="+javaString(s[i], f.Type))
			}
		}
		return "Struct{" + strings.Join(parts, ",") + "}"
	case types.Array:
		l := v.([]any)
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = javaString(e, *t.Elem)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case types.Map:
		m := v.(*types.MapValue)
		parts := make([]string, m.Len())
		for i, k := range m.Keys {
			parts[i] = javaString(k, *t.Key) + "=" + javaString(m.Values[i], *t.Elem)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// javaDouble is Java's Double.toString: plain between 10^-3 and 10^7, else computerized
// scientific notation (1.0E10), with at least one fractional digit.
func javaDouble(d float64) string {
	switch {
	case math.IsNaN(d):
		return "NaN"
	case math.IsInf(d, 1):
		return "Infinity"
	case math.IsInf(d, -1):
		return "-Infinity"
	case d == 0:
		if math.Signbit(d) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(d); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(d, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(d, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// javaBigDecimal is BigDecimal.toString: plain when the scale is not negative and the adjusted
// exponent is at least -6, else scientific notation.
func javaBigDecimal(d decimal.Decimal) string {
	scale := -int(d.Exponent())
	coeff := d.Coefficient()
	neg := coeff.Sign() < 0
	digits := coeff.Abs(coeff).String()
	adjusted := -scale + (len(digits) - 1)
	var s string
	if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			s = digits
		} else {
			if len(digits) <= scale {
				digits = strings.Repeat("0", scale-len(digits)+1) + digits
			}
			s = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
		}
	} else {
		s = digits[:1]
		if len(digits) > 1 {
			s += "." + digits[1:]
		}
		s += "E"
		if adjusted >= 0 {
			s += "+"
		}
		s += strconv.Itoa(adjusted)
	}
	if neg {
		return "-" + s
	}
	return s
}

// --- aggregate functions -------------------------------------------------------------------------

type testAggregate struct {
	fn      *agg.Func
	resolve func(args []agg.Arg, props map[string]string) (agg.Aggregator, error)
}

// aparam is a declared UDAF parameter: a type, or any type (Java's Object or a generic).
type aparam struct {
	name string
	t    types.Type
	any  bool
}

func ap(name string, t types.Type) aparam { return aparam{name: name, t: t} }
func anyParam(name string) aparam         { return aparam{name: name, any: true} }

func (p aparam) String() string {
	if p.any {
		return p.name + " ANY"
	}
	return p.name + " " + p.t.String()
}

// matches reports whether an argument of type t fits p: exactly, or with cast after ksqlDB's
// implicit widening of a numeric argument (INT → BIGINT → DOUBLE).
func (p aparam) matches(t types.Type, cast bool) bool {
	if p.any || t.Equal(p.t) {
		return true
	}
	if !cast {
		return false
	}
	switch p.t.Kind {
	case types.Bigint:
		return t.Kind == types.Int
	case types.Double:
		return t.Kind == types.Int || t.Kind == types.Bigint
	}
	return false
}

// overload is one UDAF factory: the aggregated column parameters (the Udaf's input type, the
// last one repeating when colVar: VariadicArgs) then the factory's own parameters, which must
// be literals (the last one repeating when initVar: a Java varargs factory).
type overload struct {
	cols    []aparam
	colVar  bool
	inits   []aparam
	initVar bool
	returns string
	// build makes the aggregator for args, the first ncols of them being column arguments; it
	// may refuse the call with agg.ErrNoMatch.
	build func(args []agg.Arg, ncols int) (agg.Aggregator, error)
}

// columns is how many of n arguments are column arguments, and whether n fits at all.
func (o *overload) columns(n int) (int, bool) {
	switch {
	case o.colVar:
		nc := n - len(o.inits)
		return nc, nc >= len(o.cols)-1
	case o.initVar:
		return len(o.cols), n-len(o.cols) >= len(o.inits)-1
	}
	return len(o.cols), n == len(o.cols)+len(o.inits)
}

func (o *overload) param(i, ncols int) aparam {
	if i < ncols {
		return o.cols[min(i, len(o.cols)-1)]
	}
	return o.inits[min(i-ncols, len(o.inits)-1)]
}

func (o *overload) String(name string) string {
	ps := make([]string, 0, len(o.cols)+len(o.inits))
	for i, p := range o.cols {
		s := p.String()
		if o.colVar && i == len(o.cols)-1 {
			s += "..."
		}
		ps = append(ps, s)
	}
	for i, p := range o.inits {
		s := p.String()
		if o.initVar && i == len(o.inits)-1 {
			s += "..."
		}
		ps = append(ps, s)
	}
	return name + "(" + strings.Join(ps, ", ") + ") → " + o.returns
}

// udafFunc declares a UDAF by its factories. Resolution is ksqlDB's: exact types first, then
// with implicit casts; the first factory that fits wins.
func udafFunc(name, description string, overloads ...*overload) testAggregate {
	sigs := make([]string, len(overloads))
	for i, o := range overloads {
		sigs[i] = o.String(name)
	}
	resolve := func(args []agg.Arg, _ map[string]string) (agg.Aggregator, error) {
		for _, cast := range []bool{false, true} {
			for _, o := range overloads {
				nc, ok := o.columns(len(args))
				if !ok {
					continue
				}
				for i, a := range args {
					if !o.param(i, nc).matches(a.Type, cast) {
						ok = false
						break
					}
				}
				if !ok {
					continue
				}
				for i := nc; i < len(args); i++ {
					if err := literalArg(name, i, args[i]); err != nil {
						return nil, err
					}
				}
				a, err := o.build(args, nc)
				if errors.Is(err, agg.ErrNoMatch) {
					continue
				}
				return a, err
			}
		}
		return nil, agg.ErrNoMatch
	}
	return testAggregate{fn: &agg.Func{Name: name, Description: description, Signatures: sigs}, resolve: resolve}
}

// literalArg checks that argument i of a call, a factory parameter, is a non-NULL constant.
func literalArg(name string, i int, a agg.Arg) error {
	switch {
	case !a.Literal && a.Text != "":
		return types.Errorf(types.CodeInvalidParameter,
			"Parameter %d passed to function %s must be a literal constant, but was expression: '%s'", i+1, name, a.Text)
	case !a.Literal:
		return types.Errorf(types.CodeInvalidParameter, "Parameter %d passed to function %s must be a literal constant", i+1, name)
	case a.Value == nil:
		return types.Errorf(types.CodeInvalidParameter, "Parameter %d passed to function %s must not be NULL", i+1, name)
	}
	return nil
}

func testAggregates() []testAggregate {
	bigint, str, integer := types.BigintType, types.StringType, types.IntType
	factory := []aparam{ap("initArg1", integer), ap("initArg2", str)}
	sumFactory := func(name string) func(args []agg.Arg, ncols int) (agg.Aggregator, error) {
		return func(args []agg.Arg, ncols int) (agg.Aggregator, error) {
			init := toLong(args[ncols].Value)
			for _, a := range args[ncols+1:] {
				init += javaLength(a.Value.(string))
			}
			return sumOfLengths(name, ncols, init, 0), nil
		}
	}
	colNames := func(ts ...types.Type) []aparam {
		ps := make([]aparam, len(ts))
		for i, t := range ts {
			ps[i] = ap("col"+strconv.Itoa(i+1), t)
		}
		return ps
	}
	return []testAggregate{
		udafFunc("TEST_UDAF", "test_udaf",
			&overload{cols: colNames(bigint), returns: "BIGINT", build: func(_ []agg.Arg, _ int) (agg.Aggregator, error) {
				return longSum("TEST_UDAF"), nil
			}},
			&overload{cols: colNames(integer), returns: "BIGINT", build: func(_ []agg.Arg, _ int) (agg.Aggregator, error) {
				return longSum("TEST_UDAF"), nil
			}},
			&overload{cols: colNames(types.DoubleType), returns: "DOUBLE", build: func(_ []agg.Arg, _ int) (agg.Aggregator, error) {
				return doubleSum("TEST_UDAF"), nil
			}},
			&overload{cols: colNames(str), inits: []aparam{ap("initialString", str)}, returns: "BIGINT",
				build: func(args []agg.Arg, _ int) (agg.Aggregator, error) {
					return sumOfLengths("TEST_UDAF", 1, javaLength(args[1].Value.(string)), 0), nil
				}},
			&overload{cols: colNames(structAB), returns: structAB.String(), build: func(_ []agg.Arg, _ int) (agg.Aggregator, error) {
				return structSum("TEST_UDAF"), nil
			}},
		),
		udafFunc("MULTI_ARG", "Returns the sum of the provided longs and lengths of strings.",
			&overload{cols: colNames(bigint, str), inits: factory, initVar: true, returns: "BIGINT", build: sumFactory("MULTI_ARG")}),
		udafFunc("FOUR_ARG", "Returns the sum of the provided longs and lengths of strings.",
			&overload{cols: colNames(bigint, str, str, str), inits: factory, initVar: true, returns: "BIGINT", build: sumFactory("FOUR_ARG")}),
		udafFunc("FIVE_ARG", "Returns the sum of the provided longs, lengths of strings, and integers.",
			&overload{cols: colNames(bigint, str, str, str, integer), inits: factory, initVar: true, returns: "BIGINT", build: sumFactory("FIVE_ARG")}),
		udafFunc("VAR_ARG", "Returns the sum of the provided longs and lengths of strings.",
			&overload{cols: colNames(bigint, str), colVar: true, returns: "BIGINT", build: func(_ []agg.Arg, ncols int) (agg.Aggregator, error) {
				return sumOfLengths("VAR_ARG", ncols, 0, 0), nil
			}}),
		udafFunc("MID_VAR_ARG", "Returns the sum of the provided longs, lengths of strings, and initial arguments.",
			&overload{cols: colNames(bigint, str), colVar: true, inits: []aparam{ap("first", integer), ap("second", integer)}, returns: "BIGINT",
				build: func(args []agg.Arg, ncols int) (agg.Aggregator, error) {
					return sumOfLengths("MID_VAR_ARG", ncols, 0, toLong(args[ncols].Value)+toLong(args[ncols+1].Value)), nil
				}}),
		udafFunc("GENERIC_VAR_ARG", "Returns an array of rows where all the given columns are non-null.",
			&overload{cols: []aparam{anyParam("A"), anyParam("B"), anyParam("C")}, colVar: true, returns: "ARRAY<A>",
				build: func(args []agg.Arg, ncols int) (agg.Aggregator, error) {
					// VariadicArgs<C>: every variadic argument binds the same C.
					for _, a := range args[2:ncols] {
						if !a.Type.Equal(args[2].Type) {
							return nil, agg.ErrNoMatch
						}
					}
					return nonNullRows("GENERIC_VAR_ARG", args[0].Type, ncols), nil
				}}),
		udafFunc("OBJ_COL_ARG", "Returns an array of rows where all the given columns are non-null.",
			&overload{cols: []aparam{ap("col1", integer), anyParam("col2")}, colVar: true, returns: "ARRAY<INTEGER>",
				build: func(args []agg.Arg, ncols int) (agg.Aggregator, error) {
					return nonNullRows("OBJ_COL_ARG", integer, ncols), nil
				}}),
	}
}

// udaf is a test aggregate whose state is a SQL value of type state.
type udaf struct {
	name   string
	ret    types.Type
	ncols  int
	state  types.Type
	init   func() types.Value
	add    func(s types.Value, args []types.Value) types.Value
	undo   func(s types.Value, args []types.Value) types.Value // nil: no retraction
	merge  func(a, b types.Value) types.Value
	result func(s types.Value) types.Value // nil: the state
}

var _ agg.Aggregator = (*udaf)(nil)

func (u *udaf) Name() string                                  { return u.name }
func (u *udaf) ResultType() types.Type                        { return u.ret }
func (u *udaf) ColumnArgs() int                               { return u.ncols }
func (u *udaf) Init() agg.State                               { return u.init() }
func (u *udaf) Add(s agg.State, args []types.Value) agg.State { return u.add(s, args) }
func (u *udaf) CanUndo() bool                                 { return u.undo != nil }
func (u *udaf) Merge(a, b agg.State) agg.State                { return u.merge(a, b) }
func (u *udaf) AppendState(dst []byte, s agg.State) []byte    { return agg.AppendValue(dst, u.state, s) }
func (u *udaf) Undo(s agg.State, args []types.Value) agg.State {
	if u.undo == nil {
		return s
	}
	return u.undo(s, args)
}

func (u *udaf) Result(s agg.State) types.Value {
	if u.result != nil {
		return u.result(s)
	}
	switch v := s.(type) {
	case []any:
		return slices.Clone(v)
	case types.StructValue:
		return slices.Clone(v)
	}
	return s
}

func (u *udaf) DecodeState(b []byte) (agg.State, error) {
	v, rest, err := agg.DecodeValue(b, u.state)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 || v == nil {
		return nil, fmt.Errorf("%s: corrupt state", u.name)
	}
	return v, nil
}

// toLong reads an INT or BIGINT value; NULL is 0.
func toLong(v types.Value) int64 {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

// javaLength is Java's String.length: UTF-16 code units.
func javaLength(s string) int64 {
	n := int64(0)
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// longSum is TestUdaf's createSumLong / createSumInt: a TableUdaf summing into a BIGINT. A
// NULL value is skipped (Java's unboxing would fail the record).
func longSum(name string) *udaf {
	return &udaf{name: name, ret: types.BigintType, ncols: 1, state: types.BigintType,
		init: func() types.Value { return int64(0) },
		add: func(s types.Value, a []types.Value) types.Value {
			if a[0] == nil {
				return s
			}
			return s.(int64) + toLong(a[0])
		},
		undo: func(s types.Value, a []types.Value) types.Value {
			if a[0] == nil {
				return s
			}
			return s.(int64) - toLong(a[0])
		},
		merge: func(a, b types.Value) types.Value { return a.(int64) + b.(int64) },
	}
}

// doubleSum is TestUdaf's createSumDouble.
func doubleSum(name string) *udaf {
	return &udaf{name: name, ret: types.DoubleType, ncols: 1, state: types.DoubleType,
		init: func() types.Value { return 0.0 },
		add: func(s types.Value, a []types.Value) types.Value {
			switch x := a[0].(type) {
			case float64:
				return s.(float64) + x
			case int32, int64:
				return s.(float64) + float64(toLong(x))
			}
			return s
		},
		merge: func(a, b types.Value) types.Value { return a.(float64) + b.(float64) },
	}
}

// structSum is TestUdaf's createStructUdaf: {SUM(in->A), SUM(in->B)} with Java int arithmetic.
func structSum(name string) *udaf {
	add := func(s, v types.Value) types.Value {
		cur, ok := v.(types.StructValue)
		if !ok || len(cur) < 2 || cur[0] == nil || cur[1] == nil {
			return s
		}
		acc := s.(types.StructValue)
		return types.StructValue{acc[0].(int32) + cur[0].(int32), acc[1].(int32) + cur[1].(int32)}
	}
	return &udaf{name: name, ret: structAB, ncols: 1, state: structAB,
		init:  func() types.Value { return types.StructValue{int32(0), int32(0)} },
		add:   func(s types.Value, a []types.Value) types.Value { return add(s, a[0]) },
		merge: add,
	}
}

// sumOfLengths is MultiArgUdaf, FourArgUdaf, FiveArgUdaf, VarArgUdaf and MiddleVarArgUdaf: the
// state starts at init and adds every INT or BIGINT column argument and the length of every
// STRING one (NULLs count 0); the result adds constant.
func sumOfLengths(name string, ncols int, init, constant int64) *udaf {
	return &udaf{name: name, ret: types.BigintType, ncols: ncols, state: types.BigintType,
		init: func() types.Value { return init },
		add: func(s types.Value, args []types.Value) types.Value {
			sum := s.(int64)
			for _, a := range args {
				if str, ok := a.(string); ok {
					sum += javaLength(str)
				} else {
					sum += toLong(a)
				}
			}
			return sum
		},
		merge:  func(a, b types.Value) types.Value { return a.(int64) + b.(int64) },
		result: func(s types.Value) types.Value { return s.(int64) + constant },
	}
}

// nonNullRows is GenericVarArgUdaf and ObjVarColArgUdaf: the list of the first column argument
// of every row whose column arguments are all non-NULL.
func nonNullRows(name string, elem types.Type, ncols int) *udaf {
	list := types.ArrayOf(elem)
	return &udaf{name: name, ret: list, ncols: ncols, state: list,
		init: func() types.Value { return []any{} },
		add: func(s types.Value, args []types.Value) types.Value {
			for _, a := range args {
				if a == nil {
					return s
				}
			}
			return append(s.([]any), args[0])
		},
		merge: func(a, b types.Value) types.Value { return append(a.([]any), b.([]any)...) },
	}
}
