package expr

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Table functions (ksqlDB's UDTFs) turn one input row into zero or more output rows. They are
// kept in a registry of their own: Lookup and Call do not see them, so a table function can't
// be called where a scalar is expected. The planner binds a table function call in a select
// list with TableCall; the call's value is the list of rows it produces for an input row, and
// the runtime's flat-map stage expands it.

// CategoryTable is the SHOW FUNCTIONS category of table functions.
const CategoryTable Category = "TABLE"

// maxCubeColumns bounds CUBE_EXPLODE's input: it produces 2^n rows.
const maxCubeColumns = 20

var tableRegistry = map[string]*Func{}

func registerTable(fs ...*Func) {
	for _, f := range fs {
		if _, dup := tableRegistry[f.Name]; dup {
			panic("expr: table function registered twice: " + f.Name)
		}
		tableRegistry[f.Name] = f
	}
}

// IsTableFunction reports whether name (any case) is a table function.
func IsTableFunction(name string) bool {
	_, ok := tableRegistry[strings.ToUpper(name)]
	return ok
}

// LookupTable finds a table function by name, case-insensitively.
func LookupTable(name string) (*Func, bool) {
	f, ok := tableRegistry[strings.ToUpper(name)]
	return f, ok
}

// TableFunctions returns every table function, sorted by name.
func TableFunctions() []*Func {
	out := make([]*Func, 0, len(tableRegistry))
	for _, f := range tableRegistry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TableCall builds a table function call. The expression's type is ARRAY<T>, T being the type
// of the rows the function produces; Eval returns those rows for an input row as a []any (nil
// or empty: no rows). Overloads are resolved as for scalar functions.
func TableCall(name string, args []Expr) (Expr, error) {
	f, ok := LookupTable(name)
	if !ok {
		return nil, types.Errorf(types.CodeUndefinedFunction, "Can't find any table functions with the name '%s'", name)
	}
	if _, err := resolve(f, name, args); err != nil {
		if types.CodeOf(err) == types.CodeUndefinedFunction {
			// ksqlDB's UDTF index words it with parameter types first.
			return nil, types.Errorf(types.CodeUndefinedFunction,
				"Function '%s' does not accept parameters %s.\nValid alternatives are:\n%s",
				strings.ToLower(f.Name), argTypeList(args), tableAlternatives(f))
		}
		return nil, err
	}
	x, err := callFunc(f, name, args)
	if err != nil {
		return nil, err
	}
	if x.Type().Kind != types.Array {
		return nil, types.Errorf(types.CodeInternal, "table function %s does not return rows", f.Name)
	}
	return x, nil
}

// tableAlternatives lists the overloads as ksqlDB does: explode(ARRAY<T> list).
func tableAlternatives(f *Func) string {
	lines := make([]string, len(f.Signatures))
	for i, s := range f.Signatures {
		ps := make([]string, len(s.Params))
		for j, p := range s.Params {
			ps[j] = p.Type.String() + " " + p.Name
			if s.Variadic && j == len(s.Params)-1 {
				ps[j] += "..."
			}
		}
		lines[i] = strings.ToLower(f.Name) + "(" + strings.Join(ps, ", ") + ")"
	}
	return strings.Join(lines, "\n")
}

// listRows is the row type rule of a function producing rows of type rowOf(element type).
func listRows(fname string, rowOf func(elem types.Type) types.Type) func(args []types.Type, _ bindings) (types.Type, error) {
	return func(args []types.Type, _ bindings) (types.Type, error) {
		if len(args) != 1 || args[0].Kind != types.Array {
			return types.Type{}, mismatch("Can't infer the type of the rows of %s from a NULL argument. Please CAST it to an ARRAY type.", fname)
		}
		return types.ArrayOf(rowOf(*args[0].Elem)), nil
	}
}

func sameType(t types.Type) types.Type { return t }

// explodeRows: one row per element of the array, in order.
func explodeRows(a types.Value) (types.Value, error) {
	if a == nil {
		return nil, nil
	}
	l, ok := a.([]any)
	if !ok {
		return nil, fnError("EXPLODE", "expected an array, got %T", a)
	}
	return l, nil
}

// cubeRows: every combination of the elements with some of them replaced by NULL (2^n rows,
// from all NULL to none replaced). A NULL element gives no extra combinations.
func cubeRows(a types.Value) (types.Value, error) {
	if a == nil {
		return nil, nil
	}
	in, ok := a.([]any)
	if !ok {
		return nil, fnError("CUBE_EXPLODE", "expected an array, got %T", a)
	}
	n := len(in)
	if n > maxCubeColumns {
		return nil, fnError("CUBE_EXPLODE", "an array of %d elements would produce 2^%d rows; at most %d elements are supported", n, n, maxCubeColumns)
	}
	// Bit n-1-j of a combination says whether element j keeps its value.
	nullMask := 0
	for j, v := range in {
		if v == nil {
			nullMask |= 1 << (n - 1 - j)
		}
	}
	out := make([]any, 0, 1<<(n-popCount(nullMask)))
	for c := 0; c < 1<<n; c++ {
		if c&nullMask != 0 {
			continue
		}
		row := make([]any, n)
		for j := range in {
			if c&(1<<(n-1-j)) != 0 {
				row[j] = in[j]
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func popCount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func init() {
	registerTable(
		fn("EXPLODE", CategoryTable,
			"Produces one row per element of an array, in order. A NULL or empty array produces no rows.",
			"EXPLODE(ARRAY[1, 2, 3]) => 1, 2, 3 (three rows)",
			sigRule("DECIMAL", listRows("EXPLODE", sameType), i1(explodeRows), P("input", tArr(tDecimal))),
			sigRule("T", listRows("EXPLODE", sameType), i1(explodeRows), P("list", tArr(tT))),
		),
		fn("CUBE_EXPLODE", CategoryTable,
			"Produces one row per combination of the array's elements with some of them replaced by NULL: 2^n rows for n elements, fewer when some elements are NULL. A NULL array produces no rows.",
			"CUBE_EXPLODE(ARRAY[1, 2]) => [null, null], [null, 2], [1, null], [1, 2] (four rows)",
			sigRule("ARRAY<T>", listRows("CUBE_EXPLODE", types.ArrayOf), i1(cubeRows), P("list", tArr(tT))),
		),
	)
}
