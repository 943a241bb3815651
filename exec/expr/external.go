package expr

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Extension hooks: scalar and table functions registered from outside the package, for
// extensions such as the conformance runner's test functions (ksqlDB's test-only UDFs and
// UDTFs). The product registers none: its functions are the ones this package declares at init
// time, and only those appear in the docs.

// Eval is an external function's implementation for one call site: it gets the argument values
// (NULL is nil; arguments already converted to the declared parameter types) and returns the
// result. For a table function the result is the list of rows, a []any. An error is a
// per-record failure: the call's value is NULL, as for a failing ksqlDB UDF (a table function's
// input row produces no rows).
type Eval func(args []types.Value) (types.Value, error)

// TypeParam is a parameter of exactly type t (arguments of narrower numeric types and STRINGs
// for temporal types are converted, as for built-in functions).
func TypeParam(t types.Type) ParamType { return tConcrete(t) }

// AnyDecimalParam is a parameter taking any DECIMAL (and INT or BIGINT, converted).
func AnyDecimalParam() ParamType { return tDecimal }

// AnyStructParam is a parameter taking any STRUCT.
func AnyStructParam() ParamType { return tStruct }

// VarParam is a type variable (T): every parameter using the same name binds the same type.
func VarParam(name string) ParamType { return tVar(name) }

// ArrayParam is ARRAY<elem>.
func ArrayParam(elem ParamType) ParamType { return tArr(elem) }

// MapParam is MAP<key, value>.
func MapParam(key, value ParamType) ParamType { return tMapOf(key, value) }

// NewSignature declares an overload returning ret. newEval is called once per call site, when
// the call is planned, with the argument types: a function with per-instance state gets one
// instance per call, as ksqlDB instantiates a UDF per expression.
func NewSignature(ret types.Type, newEval func(argTypes []types.Type) Eval, params ...Param) *Signature {
	return NewSignatureFunc(ret.String(),
		func([]types.Type) (types.Type, error) { return ret, nil },
		func(args []types.Type, _ types.Type) Eval { return newEval(args) }, params...)
}

// NewSignatureFunc declares an overload whose return type ret computes from the argument types
// (returns describes it for DESCRIBE FUNCTION). An error from ret refuses the call.
func NewSignatureFunc(returns string, ret func(argTypes []types.Type) (types.Type, error),
	newEval func(argTypes []types.Type, ret types.Type) Eval, params ...Param) *Signature {
	return &Signature{Params: params, Returns: returns,
		ret: func(args []types.Type, _ bindings) (types.Type, error) { return ret(args) },
		impl: func(args []types.Type, rt types.Type) impl {
			return impl{fn: newEval(args, rt)}
		}}
}

// Register adds a scalar function (its name is upper-cased). Registration must complete before
// queries are planned concurrently: it is meant for start-up. A duplicate name panics.
func Register(f *Func) { register(external(f)) }

// RegisterTable adds a table function: each signature's return type must be ARRAY<T>, T being
// the type of the rows, and its Eval returns the rows as a []any. As Register otherwise.
func RegisterTable(f *Func) { registerTable(external(f)) }

// external normalizes an externally declared function: upper-cased name, and evaluation
// errors reported as per-record failures naming the function (ksqlDB's KsqlFunctionException).
func external(f *Func) *Func {
	g := *f
	g.Name = strings.ToUpper(g.Name)
	g.Signatures = make([]*Signature, len(f.Signatures))
	for i, s := range f.Signatures {
		if s.impl == nil || s.ret == nil {
			panic("expr: " + g.Name + ": declare external signatures with NewSignature or NewSignatureFunc")
		}
		s2 := *s
		newImpl := s.impl
		name := g.Name
		s2.impl = func(args []types.Type, rt types.Type) impl {
			im := newImpl(args, rt)
			eval := im.fn
			im.fn = func(vals []types.Value) (types.Value, error) {
				v, err := eval(vals)
				if err != nil && !IsEvalError(err) {
					return nil, fnError(name, "%s", err.Error())
				}
				return v, err
			}
			return im
		}
		g.Signatures[i] = &s2
	}
	return &g
}
