package planner

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// Table functions (EXPLODE, CUBE_EXPLODE) in a select list make the query a flat map, as in
// ksqlDB: per input row that passes the filter, each table function call produces a list of
// values; the query emits as many rows as the longest list has, the shorter lists padded with
// NULL, every other select item computed again for each row.
//
// Planning: Plan.TableFunctions holds the SQL text of each distinct call, in order of
// appearance. The select list is bound in a scope whose rows are the input row followed by one
// synthetic column per call (KSQL_SYNTH_i at Width+i): a call inside a select item binds to its
// synthetic column, so an expression around it (EXPLODE(a)->F1, ABS(EXPLODE(b))) is computed per
// output row. The calls themselves are bound against the input row and become
// exec.Spec.TableFuncs.

// tableFuncState is the scope's view of the table functions while a select list is bound.
type tableFuncState struct {
	base  int         // position of the first synthetic column
	texts []string    // the calls' SQL text, one per synthetic column
	calls []expr.Expr // the bound calls (ARRAY<row type>), filled as they are met
	outer string      // the table function whose arguments are being bound
}

// tableFuncScope extends scope with the synthetic columns of calls; with no calls it returns
// scope itself.
func tableFuncScope(scope *Scope, calls []string) *Scope {
	if len(calls) == 0 {
		return scope
	}
	s := *scope
	s.Width += len(calls)
	s.tableFuncs = &tableFuncState{base: scope.Width, texts: calls, calls: make([]expr.Expr, len(calls))}
	return &s
}

func synthName(i int) string { return fmt.Sprintf("KSQL_SYNTH_%d", i) }

// tableFunction binds a table function call met in an expression: to its synthetic column in a
// select list, an error anywhere else.
func (b *binder) tableFunction(n *ast.FuncCall) (expr.Expr, error) {
	name := strings.ToUpper(n.Name.Name)
	st := b.s.tableFuncs
	if st != nil && st.outer != "" {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Table functions cannot be nested: %s(%s())", st.outer, name)
	}
	if st == nil {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Table function %s can only be used in the select list", name)
	}
	text := ast.Format(n)
	idx := -1
	for i, t := range st.texts {
		if t == text {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, types.ErrorAt(types.CodeInternal, n.Pos(), "table function call %s is not in the plan", text)
	}
	if st.calls[idx] == nil {
		if n.Star || n.Distinct || n.Over != nil {
			return nil, types.ErrorAt(types.CodeSyntaxError, n.Pos(), "table function %s takes no *, DISTINCT or OVER", name)
		}
		st.outer = name
		args := make([]expr.Expr, len(n.Args))
		var err error
		for i, a := range n.Args {
			if l, ok := a.(*ast.Lambda); ok {
				args[i] = b.lambda(l)
				continue
			}
			if args[i], err = b.bind(a); err != nil {
				break
			}
		}
		st.outer = ""
		if err != nil {
			return nil, err
		}
		x, err := expr.TableCall(name, args)
		if err != nil {
			return nil, at(err, n)
		}
		st.calls[idx] = x
	}
	return expr.Column(st.base+idx, *st.calls[idx].Type().Elem, synthName(idx)), nil
}

// tableFunctionCalls checks the table functions of a select list as ksqlDB's analyzer does
// (not nested, not in a searched CASE, not with GROUP BY) and returns the text of each distinct
// call in order of appearance. It runs before anything is bound, so its errors come first, as
// in ksqlDB.
func tableFunctionCalls(sel *ast.Select) ([]string, error) {
	var calls []string
	seen := map[string]bool{}
	var visit func(e ast.Expr, outer string, inCase *ast.Case) error
	visit = func(e ast.Expr, outer string, inCase *ast.Case) error {
		switch n := e.(type) {
		case nil:
			return nil
		case *ast.Case:
			if n.Operand == nil && inCase == nil {
				inCase = n
			}
		case *ast.FuncCall:
			if expr.IsTableFunction(n.Name.Name) {
				name := strings.ToUpper(n.Name.Name)
				if outer != "" {
					return types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Table functions cannot be nested: %s(%s())", outer, name)
				}
				if len(sel.GroupBy) > 0 {
					return types.ErrorAt(types.CodeGroupingError, n.Pos(), "Table functions cannot be used with aggregations.")
				}
				if inCase != nil {
					return types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Table functions cannot be used in CASE: %s", ast.Format(inCase))
				}
				if text := ast.Format(n); !seen[text] {
					seen[text] = true
					calls = append(calls, text)
				}
				for _, a := range n.Args {
					if err := visit(a, name, inCase); err != nil {
						return err
					}
				}
				return nil
			}
		}
		for _, c := range exprChildren(e) {
			if err := visit(c, outer, inCase); err != nil {
				return err
			}
		}
		return nil
	}
	for _, it := range sel.Items {
		if err := visit(it.Expr, "", nil); err != nil {
			return nil, err
		}
	}
	return calls, nil
}

// checkTableFunctionSource refuses table functions over a table, as ksqlDB does.
func checkTableFunctionSource(sel *ast.Select, src *catalog.Source, calls []string) error {
	if len(calls) > 0 && src.Kind == catalog.Table {
		return types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Table source is not supported with table functions")
	}
	return nil
}

// compileTableFuncs binds a plan's table function calls against the input row. It returns the
// scope the output columns are bound in (the input row plus the synthetic columns) and the
// calls' evaluators, nil when there are none.
func compileTableFuncs(scope *Scope, calls []string, used map[string]bool) (*Scope, []exec.Evaluator, error) {
	if len(calls) == 0 {
		return scope, nil, nil
	}
	ps := tableFuncScope(scope, calls)
	out := make([]exec.Evaluator, len(calls))
	for i, text := range calls {
		e, err := parser.ParseExpr(text)
		if err != nil {
			return nil, nil, err
		}
		if _, ok := e.(*ast.FuncCall); !ok {
			return nil, nil, types.Errorf(types.CodeInternal, "stored table function call %q is not a function call", text)
		}
		collectColumns(e, used)
		if _, err := Bind(ps, e); err != nil {
			return nil, nil, err
		}
		out[i] = ps.tableFuncs.calls[i]
	}
	return ps, out, nil
}

// exprChildren returns the sub-expressions of e.
func exprChildren(e ast.Expr) []ast.Expr {
	switch n := e.(type) {
	case *ast.Binary:
		return []ast.Expr{n.Left, n.Right}
	case *ast.Unary:
		return []ast.Expr{n.Expr}
	case *ast.Cast:
		return []ast.Expr{n.Expr}
	case *ast.Case:
		out := []ast.Expr{n.Operand}
		for _, w := range n.Whens {
			out = append(out, w.Cond, w.Result)
		}
		return append(out, n.Else)
	case *ast.In:
		return append([]ast.Expr{n.Expr}, n.List...)
	case *ast.Between:
		return []ast.Expr{n.Expr, n.Lo, n.Hi}
	case *ast.Like:
		return []ast.Expr{n.Expr, n.Pattern, n.Escape}
	case *ast.IsNull:
		return []ast.Expr{n.Expr}
	case *ast.IsBool:
		return []ast.Expr{n.Expr}
	case *ast.IsDistinctFrom:
		return []ast.Expr{n.Left, n.Right}
	case *ast.FuncCall:
		return n.Args
	case *ast.Lambda:
		return []ast.Expr{n.Body}
	case *ast.Deref:
		return []ast.Expr{n.Expr}
	case *ast.Subscript:
		return []ast.Expr{n.Expr, n.Index}
	case *ast.ArrayLit:
		return n.Elems
	case *ast.MapLit:
		var out []ast.Expr
		for _, en := range n.Entries {
			out = append(out, en.Key, en.Value)
		}
		return out
	case *ast.StructLit:
		var out []ast.Expr
		for _, f := range n.Fields {
			out = append(out, f.Value)
		}
		return out
	case *ast.Quantified:
		return []ast.Expr{n.Left, n.Right}
	case *ast.Collate:
		return []ast.Expr{n.Expr}
	case *ast.Row:
		return n.Exprs
	}
	return nil
}
