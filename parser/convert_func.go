package parser

import (
	"strings"

	tast "github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/streamsql/streamsql/parser/ast"
)

func (c *converter) funcCall(e *tast.FuncCallExpr, base ast.ExprBase) ast.Expr {
	off := e.OriginTextPosition()
	if name, _ := pseudoCall(e); name != "" {
		return c.pseudo(name, e, base)
	}
	args := e.Args
	name := e.FnName.O
	// TRIM(BOTH|LEADING|TRAILING chars FROM s) is Postgres' btrim/ltrim/rtrim(s, chars).
	if e.FnName.L == "trim" && len(args) == 3 {
		if d, ok := args[2].(*tast.TrimDirectionExpr); ok {
			switch d.Direction {
			case tast.TrimLeading:
				name = "LTRIM"
			case tast.TrimTrailing:
				name = "RTRIM"
			default:
				name = "BTRIM"
			}
			args = args[:2]
			if args[1] == nil {
				args = args[:1]
			}
		}
	}
	f := &ast.FuncCall{ExprBase: base, Name: c.funcName(name, off)}
	if e.Schema.O != "" {
		s := c.nameAt(e.Schema.O, off)
		f.Schema = &s
		f.Name.Pos = c.r.posAt(c.r.offAt(c.r.idx(off) + 2))
	}
	for _, a := range args {
		if a == nil {
			continue
		}
		switch a.(type) {
		case *tast.TrimDirectionExpr, *tast.TimeUnitExpr, *tast.GetFormatSelectorExpr:
			c.r.unsupported(a.OriginTextPosition(), "this form of "+strings.ToUpper(name))
		}
		f.Args = append(f.Args, c.expr(a))
	}
	return f
}

func (c *converter) windowFunc(e *tast.WindowFuncExpr, base ast.ExprBase) ast.Expr {
	off := e.OriginTextPosition()
	if e.FromLast || e.IgnoreNull || e.Spec.Frame != nil || e.Spec.Ref.O != "" || e.Spec.Name.O != "" {
		c.r.unsupported(off, "window frames, named windows, FROM LAST and IGNORE NULLS")
	}
	f := &ast.FuncCall{ExprBase: base, Name: c.funcName(e.Name, off), Distinct: e.Distinct, Over: &ast.WindowSpec{}}
	if strings.EqualFold(e.Name, "count") && c.starArg(off) {
		f.Star = true
	} else {
		f.Args = c.exprs(e.Args)
	}
	if e.Spec.PartitionBy != nil {
		for _, it := range e.Spec.PartitionBy.Items {
			f.Over.PartitionBy = append(f.Over.PartitionBy, c.expr(it.Expr))
		}
	}
	f.Over.OrderBy = c.orderBy(e.Spec.OrderBy)
	return f
}

// pseudo converts a call of a rewrite pseudo-function back into the node it stands for.
func (c *converter) pseudo(name string, e *tast.FuncCallExpr, base ast.ExprBase) ast.Expr {
	args := e.Args
	off := e.OriginTextPosition()
	need := func(n int) {
		if len(args) != n {
			c.r.nodeErr(off, "syntax error")
		}
	}
	switch name {
	case "cast":
		need(2)
		k := c.constInt(args[1])
		if k < 0 || k >= len(c.r.types) {
			c.r.nodeErr(off, "syntax error")
		}
		ti := c.r.types[k]
		return &ast.Cast{ExprBase: base, Expr: c.expr(args[0]), Type: ti.t, TypeRef: ti.ref}
	case "param":
		need(1)
		return &ast.Param{ExprBase: base, N: c.constInt(args[0])}
	case "deref":
		need(2)
		return &ast.Deref{ExprBase: base, Expr: c.expr(args[0]), Field: c.nameArg(args[1])}
	case "structstar":
		need(1)
		return &ast.StructStar{ExprBase: base, Expr: c.expr(args[0])}
	case "sub":
		need(2)
		return &ast.Subscript{ExprBase: base, Expr: c.expr(args[0]), Index: c.expr(args[1])}
	case "array":
		return &ast.ArrayLit{ExprBase: base, Elems: c.exprs(args)}
	case "arraysub":
		need(1)
		sq, ok := args[0].(*tast.SubqueryExpr)
		if !ok {
			c.r.nodeErr(off, "syntax error: ARRAY(...) takes a query")
		}
		return &ast.Subquery{ExprBase: base, Query: c.query(sq.Query), Array: true}
	case "map":
		m := &ast.MapLit{ExprBase: base}
		for i := 0; i+1 < len(args); i += 2 {
			m.Entries = append(m.Entries, ast.MapEntry{Key: c.expr(args[i]), Value: c.expr(args[i+1])})
		}
		return m
	case "struct":
		s := &ast.StructLit{ExprBase: base}
		for i := 0; i+1 < len(args); i += 2 {
			s.Fields = append(s.Fields, ast.StructField{Name: c.nameArg(args[i]), Value: c.expr(args[i+1])})
		}
		return s
	case "lambda":
		if len(args) < 2 {
			c.r.nodeErr(off, "syntax error")
		}
		l := &ast.Lambda{ExprBase: base, Body: c.expr(args[len(args)-1])}
		for _, p := range args[:len(args)-1] {
			l.Params = append(l.Params, c.nameArg(p))
		}
		l.At = l.Params[0].Pos
		return l
	case "extract":
		return &ast.FuncCall{ExprBase: base, Name: ast.Ident{Name: "EXTRACT", Pos: base.At}, Args: c.exprs(args)}
	case "interval":
		need(2)
		return &ast.IntervalLit{ExprBase: base, Value: c.constString(args[0]), Unit: c.constString(args[1])}
	case "collate":
		need(2)
		return &ast.Collate{ExprBase: base, Expr: c.expr(args[0]), Collation: c.constString(args[1])}
	}
	// join, nulls, any, all, icase, distinct and tablefunc only make sense where the rewrite
	// put them; anywhere else the query was malformed in a way the rewrite did not catch.
	c.r.nodeErr(off, "syntax error")
	return nil
}
