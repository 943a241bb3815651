package planner

import "github.com/streamsql/streamsql/parser/ast"

// mapExpr rebuilds e bottom-up through f: where f returns (x, true) the node is replaced by x
// and not descended into; elsewhere the node is copied with its children mapped. The input is
// never modified, so a select list can be rewritten for one purpose and formatted for another.
func mapExpr(e ast.Expr, f func(ast.Expr) (ast.Expr, bool)) ast.Expr {
	if e == nil {
		return nil
	}
	if x, ok := f(e); ok {
		return x
	}
	m := func(x ast.Expr) ast.Expr { return mapExpr(x, f) }
	all := func(xs []ast.Expr) []ast.Expr {
		if xs == nil {
			return nil
		}
		out := make([]ast.Expr, len(xs))
		for i, x := range xs {
			out[i] = m(x)
		}
		return out
	}
	switch n := e.(type) {
	case *ast.Binary:
		c := *n
		c.Left, c.Right = m(n.Left), m(n.Right)
		return &c
	case *ast.Unary:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.Cast:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.Case:
		c := *n
		c.Operand = m(n.Operand)
		c.Whens = make([]ast.When, len(n.Whens))
		for i, w := range n.Whens {
			c.Whens[i] = ast.When{Cond: m(w.Cond), Result: m(w.Result)}
		}
		c.Else = m(n.Else)
		return &c
	case *ast.In:
		c := *n
		c.Expr, c.List = m(n.Expr), all(n.List)
		return &c
	case *ast.Between:
		c := *n
		c.Expr, c.Lo, c.Hi = m(n.Expr), m(n.Lo), m(n.Hi)
		return &c
	case *ast.Like:
		c := *n
		c.Expr, c.Pattern, c.Escape = m(n.Expr), m(n.Pattern), m(n.Escape)
		return &c
	case *ast.IsNull:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.IsBool:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.IsDistinctFrom:
		c := *n
		c.Left, c.Right = m(n.Left), m(n.Right)
		return &c
	case *ast.FuncCall:
		c := *n
		c.Args = all(n.Args)
		return &c
	case *ast.Lambda:
		c := *n
		c.Body = m(n.Body)
		return &c
	case *ast.Deref:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.StructStar:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.Subscript:
		c := *n
		c.Expr, c.Index = m(n.Expr), m(n.Index)
		return &c
	case *ast.ArrayLit:
		c := *n
		c.Elems = all(n.Elems)
		return &c
	case *ast.MapLit:
		c := *n
		c.Entries = make([]ast.MapEntry, len(n.Entries))
		for i, en := range n.Entries {
			c.Entries[i] = ast.MapEntry{Key: m(en.Key), Value: m(en.Value)}
		}
		return &c
	case *ast.StructLit:
		c := *n
		c.Fields = make([]ast.StructField, len(n.Fields))
		for i, fl := range n.Fields {
			c.Fields[i] = ast.StructField{Name: fl.Name, Value: m(fl.Value)}
		}
		return &c
	case *ast.Quantified:
		c := *n
		c.Left, c.Right = m(n.Left), m(n.Right)
		return &c
	case *ast.Collate:
		c := *n
		c.Expr = m(n.Expr)
		return &c
	case *ast.Row:
		c := *n
		c.Exprs = all(n.Exprs)
		return &c
	}
	return e
}

// unqualified formats e with its column references stripped of qualifiers: over one source,
// `t.a` and `a` are the same expression.
func unqualified(e ast.Expr) string {
	return ast.Format(mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if c, ok := x.(*ast.ColumnRef); ok && (c.Qualifier != nil || c.Schema != nil) {
			cc := *c
			cc.Qualifier, cc.Schema = nil, nil
			return &cc, true
		}
		return nil, false
	}))
}
