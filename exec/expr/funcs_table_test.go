package expr

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/types"
	"github.com/stretchr/testify/require"
)

// fc is one row of the per-function tables: a call with literal arguments (Go values, or Exprs
// such as typed NULLs, lambdas and interval units), and what it must give: a value, an
// evaluation error containing err, or a construction error with SQLSTATE code.
type fc struct {
	fn   string
	args []any
	want types.Value
	err  string
	code types.Code
	// tol, when set, compares a DOUBLE result within this relative error.
	tol float64
	// edge marks a boundary case (empty input, overflow, out-of-range index, NaN ...).
	edge bool
}

// Typed NULLs for the tables.
var (
	nStr   = Literal(nil, types.StringType)
	nInt   = Literal(nil, types.IntType)
	nBig   = Literal(nil, types.BigintType)
	nDbl   = Literal(nil, types.DoubleType)
	nBool  = Literal(nil, types.BooleanType)
	nBytes = Literal(nil, types.BytesType)
	nDec   = Literal(nil, decT(4, 2))
	nTs    = Literal(nil, types.TimestampType)
	nDate  = Literal(nil, types.DateType)
	nTime  = Literal(nil, types.TimeType)
)

// arrE is an ARRAY<t> literal.
func arrE(t types.Type, vs ...any) Expr { return Literal(vs, types.ArrayOf(t)) }

// mapE is a MAP<k, v> literal from alternating keys and values.
func mapE(k, v types.Type, kv ...any) Expr { return Literal(mapOf(kv...), types.MapOf(k, v)) }

func nArr(t types.Type) Expr    { return Literal(nil, types.ArrayOf(t)) }
func nMap(k, v types.Type) Expr { return Literal(nil, types.MapOf(k, v)) }

// lam is a lambda at top level (the tables evaluate on an empty row).
func lam(params []string, body func(p []Expr) (Expr, error)) *Lambda {
	return NewLambda(0, params, body)
}

func unit(name string) Expr {
	u, err := IntervalUnit(name)
	if err != nil {
		panic(err)
	}
	return u
}

func isNullArg(a any) bool {
	if a == nil {
		return true
	}
	l, ok := a.(*literal)
	return ok && l.v == nil
}

func (c fc) kind() string {
	switch {
	case c.code != "":
		return "type"
	case slices.ContainsFunc(c.args, isNullArg):
		return "null"
	case c.edge:
		return "edge"
	}
	return "normal"
}

func runFC(t *testing.T, cases []fc) {
	t.Helper()
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s/%d-%s", c.fn, i, c.kind()), func(t *testing.T) {
			args := make([]Expr, len(c.args))
			for j, a := range c.args {
				args[j] = toExpr(a)
			}
			e, err := Call(c.fn, args)
			if c.code != "" {
				require.Error(t, err, "%s%s", c.fn, argTypeList(args))
				require.Equal(t, c.code, types.CodeOf(err), "%v", err)
				if c.code == noSig {
					require.Contains(t, err.Error(), "does not accept parameters")
				}
				return
			}
			require.NoError(t, err, "%s%s", c.fn, argTypeList(args))
			v, err := e.Eval(nil)
			if c.err != "" {
				require.Error(t, err, "%s = %#v", e, v)
				require.True(t, IsEvalError(err))
				require.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err, "%s", e)
			if c.tol != 0 {
				require.InEpsilon(t, c.want, v, c.tol, e.String())
				return
			}
			requireValue(t, c.want, v, e.String())
		})
	}
}

// allFuncCases gathers every table, for the coverage check.
func allFuncCases() []fc {
	var all []fc
	for _, cs := range [][]fc{mathCases, stringCases, arrayCases, jsonCases, timeCases, otherCases} {
		all = append(all, cs...)
	}
	return all
}

func TestFunctionTables(t *testing.T) {
	t.Run("math", func(t *testing.T) { runFC(t, mathCases) })
	t.Run("string", func(t *testing.T) { runFC(t, stringCases) })
	t.Run("array", func(t *testing.T) { runFC(t, arrayCases) })
	t.Run("json", func(t *testing.T) { runFC(t, jsonCases) })
	t.Run("time", func(t *testing.T) { runFC(t, timeCases) })
	t.Run("other", func(t *testing.T) { runFC(t, otherCases) })
}

// Functions without arguments have no NULL argument to test; RANDOM's value is random, so
// TestRandom covers it outside the tables.
var exempt = map[string][]string{"PI": {"null"}, "RANDOM": {"normal", "null", "edge"}}

func TestEveryFunctionIsCovered(t *testing.T) {
	seen := map[string]map[string]bool{}
	for _, c := range allFuncCases() {
		f, ok := Lookup(c.fn)
		require.True(t, ok, "table names unknown function %s", c.fn)
		if seen[f.Name] == nil {
			seen[f.Name] = map[string]bool{}
		}
		seen[f.Name][c.kind()] = true
	}
	for _, f := range All() {
		for _, k := range []string{"normal", "null", "edge", "type"} {
			if slices.Contains(exempt[f.Name], k) {
				continue
			}
			require.True(t, seen[f.Name][k], "%s has no %q case", f.Name, k)
		}
	}
}

func TestRegistryMetadata(t *testing.T) {
	all := All()
	require.NotEmpty(t, all)
	for i, f := range all {
		require.NotEmpty(t, f.Name)
		require.Equal(t, f.Name, strings.ToUpper(f.Name), "names are upper case")
		if i > 0 {
			require.Less(t, all[i-1].Name, f.Name, "All is sorted and unique")
		}
		require.NotEmpty(t, f.Signatures, f.Name)
		require.NotEmpty(t, f.Description, f.Name)
		require.NotEmpty(t, f.Category, f.Name)
		for _, s := range f.Signatures {
			require.NotEmpty(t, s.Returns, f.Name)
			require.NotNil(t, s.impl, f.Name)
			require.NotNil(t, s.ret, f.Name)
			require.False(t, s.Variadic && len(s.Params) == 0, f.Name)
		}
		g, ok := Lookup(strings.ToLower(f.Name))
		require.True(t, ok)
		require.Same(t, f, g)
	}
	_, err := Call("NO_SUCH_FUNCTION", nil)
	require.Equal(t, types.CodeUndefinedFunction, types.CodeOf(err))
}

var (
	stringCases []fc
	arrayCases  []fc
	jsonCases   []fc
	timeCases   []fc
	otherCases  []fc
)
