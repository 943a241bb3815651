package expr

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Category groups functions for SHOW FUNCTIONS and the docs, as ksqlDB's FunctionCategory does.
type Category string

// Function categories.
const (
	CategoryString      Category = "STRING"
	CategoryMath        Category = "MATHEMATICAL"
	CategoryDateTime    Category = "DATE / TIME"
	CategoryConditional Category = "CONDITIONAL"
	CategoryJSON        Category = "JSON"
	CategoryArray       Category = "ARRAY"
	CategoryMap         Category = "MAP"
	CategoryStruct      Category = "STRUCT"
	CategoryURL         Category = "URL"
	CategoryBytes       Category = "BYTES"
	CategoryLambda      Category = "LAMBDA"
	CategoryOther       Category = "OTHER"
)

// Func is one scalar function with its overloads.
type Func struct {
	Name        string
	Category    Category
	Description string
	Signatures  []*Signature
	// Example is a call and its result, for DESCRIBE FUNCTION and the docs.
	Example string
}

// Signature is one overload.
type Signature struct {
	Params []Param
	// Variadic: the last parameter repeats zero or more times.
	Variadic bool
	// Returns describes the return type rule for the docs: a type, a type variable (T), or a
	// sentence.
	Returns string

	ret  func(args []types.Type, b bindings) (types.Type, error)
	impl func(args []types.Type, ret types.Type) impl
	// check, when set, refuses argument types the overload cannot handle (it then does not
	// match, as a Java generic bound would).
	check func(b bindings) bool
}

// requireComparable restricts T to types with an order (not ARRAY, MAP or STRUCT).
func requireComparable(s *Signature) *Signature {
	s.check = func(b bindings) bool { t, ok := b["T"]; return !ok || comparable(t) }
	return s
}

// Param is one declared parameter.
type Param struct {
	Name string
	Type ParamType
}

type ptKind uint8

const (
	ptConcrete ptKind = iota
	ptAnyDecimal
	ptVar
	ptArray
	ptMap
	ptAnyStruct
	ptLambda
	ptUnit
)

// ParamType is a declared parameter type: a concrete type, any DECIMAL, a type variable (T),
// ARRAY<p>, MAP<k, v>, any STRUCT, or a lambda (T, U) => V.
type ParamType struct {
	kind     ptKind
	t        types.Type
	name     string
	elem     *ParamType
	key      *ParamType
	lambdaIn []ParamType
}

func (p ParamType) String() string {
	switch p.kind {
	case ptAnyDecimal:
		return "DECIMAL"
	case ptVar:
		return p.name
	case ptArray:
		return "ARRAY<" + p.elem.String() + ">"
	case ptMap:
		return "MAP<" + p.key.String() + ", " + p.elem.String() + ">"
	case ptAnyStruct:
		return "STRUCT"
	case ptUnit:
		return "INTERVALUNIT"
	case ptLambda:
		in := make([]string, len(p.lambdaIn))
		for i, t := range p.lambdaIn {
			in[i] = t.String()
		}
		return "LAMBDA (" + strings.Join(in, ", ") + ") => " + p.elem.String()
	}
	return p.t.String()
}

// Parameter type constructors used by the function tables.
var (
	tBool      = ParamType{t: types.BooleanType}
	tInt       = ParamType{t: types.IntType}
	tBigint    = ParamType{t: types.BigintType}
	tDouble    = ParamType{t: types.DoubleType}
	tString    = ParamType{t: types.StringType}
	tBytes     = ParamType{t: types.BytesType}
	tTimestamp = ParamType{t: types.TimestampType}
	tDate      = ParamType{t: types.DateType}
	tTime      = ParamType{t: types.TimeType}
	tDecimal   = ParamType{kind: ptAnyDecimal}
	tStruct    = ParamType{kind: ptAnyStruct}
	tUnit      = ParamType{kind: ptUnit}
	tT         = tVar("T")
	tU         = tVar("U")
	tK         = tVar("K")
	tV         = tVar("V")
)

func tVar(name string) ParamType { return ParamType{kind: ptVar, name: name} }
func tArr(e ParamType) ParamType { return ParamType{kind: ptArray, elem: &e} }
func tMapOf(k, v ParamType) ParamType {
	return ParamType{kind: ptMap, key: &k, elem: &v}
}
func tConcrete(t types.Type) ParamType { return ParamType{t: t} }

// tLambda is a lambda taking in and returning out.
func tLambda(out ParamType, in ...ParamType) ParamType {
	return ParamType{kind: ptLambda, elem: &out, lambdaIn: in}
}

// P declares a parameter.
func P(name string, t ParamType) Param { return Param{Name: name, Type: t} }

// bindings maps type variables to the types they matched.
type bindings map[string]types.Type

// subst replaces the type variables of p; ok is false when one is unbound.
func (b bindings) subst(p ParamType, arg types.Type) (types.Type, bool) {
	switch p.kind {
	case ptConcrete:
		return p.t, true
	case ptAnyDecimal:
		if arg.Kind == types.Decimal {
			return arg, true
		}
		return decimalTypeOf(arg)
	case ptVar:
		t, ok := b[p.name]
		return t, ok
	case ptArray:
		var ae types.Type
		if arg.Kind == types.Array {
			ae = *arg.Elem
		}
		e, ok := b.subst(*p.elem, ae)
		return types.ArrayOf(e), ok
	case ptMap:
		var ak, av types.Type
		if arg.Kind == types.Map {
			ak, av = *arg.Key, *arg.Elem
		}
		k, ok1 := b.subst(*p.key, ak)
		v, ok2 := b.subst(*p.elem, av)
		return types.MapOf(k, v), ok1 && ok2
	case ptAnyStruct:
		return arg, arg.Kind == types.Struct
	}
	return types.Type{}, false
}

var registry = map[string]*Func{}

// register adds functions at init time; a duplicate name is a programming error.
func register(fs ...*Func) {
	for _, f := range fs {
		if _, dup := registry[f.Name]; dup {
			panic("expr: function registered twice: " + f.Name)
		}
		registry[f.Name] = f
	}
}

// Lookup finds a scalar function by name, case-insensitively.
func Lookup(name string) (*Func, bool) {
	f, ok := registry[strings.ToUpper(name)]
	return f, ok
}

// All returns every registered scalar function, sorted by name.
func All() []*Func {
	out := make([]*Func, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// fn declares a function.
func fn(name string, cat Category, desc, example string, sigs ...*Signature) *Func {
	return &Func{Name: name, Category: cat, Description: desc, Example: example, Signatures: sigs}
}

// sig declares an overload with a fixed return type.
func sig(ret types.Type, im func(args []types.Type, ret types.Type) impl, params ...Param) *Signature {
	return &Signature{Params: params, Returns: ret.String(), impl: im,
		ret: func([]types.Type, bindings) (types.Type, error) { return ret, nil }}
}

// sigVar declares an overload returning a type variable's binding (T).
func sigVar(v string, im func(args []types.Type, ret types.Type) impl, params ...Param) *Signature {
	return &Signature{Params: params, Returns: v, impl: im,
		ret: func(_ []types.Type, b bindings) (types.Type, error) {
			t, ok := b[v]
			if !ok {
				return types.Type{}, mismatch("cannot infer the type of %s", v)
			}
			return t, nil
		}}
}

// sigRule declares an overload whose return type is computed from the argument types.
func sigRule(doc string, ret func(args []types.Type, b bindings) (types.Type, error),
	im func(args []types.Type, ret types.Type) impl, params ...Param) *Signature {
	return &Signature{Params: params, Returns: doc, impl: im, ret: ret}
}

// variadic marks the last parameter as repeating.
func variadic(s *Signature) *Signature {
	s.Variadic = true
	return s
}

// String renders the signature: NAME(str STRING, pos INTEGER) => STRING.
func (s *Signature) String() string {
	parts := make([]string, len(s.Params))
	for i, p := range s.Params {
		parts[i] = p.Name + " " + p.Type.String()
		if s.Variadic && i == len(s.Params)-1 {
			parts[i] += "..."
		}
	}
	return "(" + strings.Join(parts, ", ") + ") => " + s.Returns
}
