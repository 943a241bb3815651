package parser

import (
	"fmt"
	"strconv"
	"strings"

	tast "github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

var binaryOps = map[opcode.Op]ast.BinaryOp{
	opcode.LogicAnd: ast.OpAnd, opcode.LogicOr: ast.OpOr, opcode.LogicXor: ast.OpLogicalXor,
	opcode.GE: ast.OpGe, opcode.LE: ast.OpLe, opcode.EQ: ast.OpEq, opcode.NE: ast.OpNe,
	opcode.LT: ast.OpLt, opcode.GT: ast.OpGt, opcode.Plus: ast.OpAdd, opcode.Minus: ast.OpSub,
	opcode.Mul: ast.OpMul, opcode.Div: ast.OpDiv, opcode.Mod: ast.OpMod, opcode.IntDiv: ast.OpIntegerDiv,
	opcode.And: ast.OpBitAnd, opcode.Or: ast.OpConcat, opcode.Xor: ast.OpBitXor,
	opcode.LeftShift: ast.OpShiftLeft, opcode.RightShift: ast.OpShiftRight,
}

func (c *converter) optExpr(e tast.ExprNode) ast.Expr {
	if e == nil {
		return nil
	}
	return c.expr(e)
}

func (c *converter) exprs(es []tast.ExprNode) []ast.Expr {
	out := make([]ast.Expr, 0, len(es))
	for _, e := range es {
		out = append(out, c.expr(e))
	}
	return out
}

// pseudoCall returns the name of a rewrite pseudo-function call ("cast" for __ssql_cast), or "".
func pseudoCall(e tast.ExprNode) (string, *tast.FuncCallExpr) {
	fc, ok := e.(*tast.FuncCallExpr)
	if !ok || fc.Schema.O != "" || !strings.HasPrefix(fc.FnName.L, pseudo) {
		return "", nil
	}
	return strings.TrimPrefix(fc.FnName.L, pseudo), fc
}

func (c *converter) expr(e tast.ExprNode) ast.Expr {
	off := e.OriginTextPosition()
	base := ast.ExprBase{At: c.r.posAt(off)}
	switch e := e.(type) {
	case *tast.ParenthesesExpr:
		return c.expr(e.Expr)
	case tast.ValueExpr:
		return c.literal(e)
	case *tast.ColumnNameExpr:
		return c.column(e.Name, off)
	case *tast.BinaryOperationExpr:
		if e.Op == opcode.NullEQ {
			x := &ast.IsDistinctFrom{ExprBase: base, Left: c.expr(e.L), Not: true}
			if name, fc := pseudoCall(e.R); name == "distinct" && len(fc.Args) == 1 {
				x.Not, x.Right = false, c.expr(fc.Args[0])
			} else {
				x.Right = c.expr(e.R)
			}
			return x
		}
		op, ok := binaryOps[e.Op]
		if !ok {
			c.r.unsupported(off, "operator "+e.Op.String())
		}
		if name, fc := pseudoCall(e.R); (name == "any" || name == "all") && len(fc.Args) == 1 {
			return &ast.Quantified{ExprBase: base, Left: c.expr(e.L), Op: op, All: name == "all", Right: c.expr(fc.Args[0])}
		}
		return &ast.Binary{ExprBase: base, Op: op, Left: c.expr(e.L), Right: c.expr(e.R)}
	case *tast.UnaryOperationExpr:
		return c.unary(e, base)
	case *tast.FuncCallExpr:
		return c.funcCall(e, base)
	case *tast.AggregateFuncExpr:
		if e.Order != nil {
			c.r.unsupported(off, "ORDER BY inside an aggregate")
		}
		f := &ast.FuncCall{ExprBase: base, Name: c.funcName(e.F, off), Distinct: e.Distinct}
		if strings.EqualFold(e.F, "count") && c.starArg(off) {
			f.Star = true
		} else {
			f.Args = c.exprs(e.Args)
		}
		return f
	case *tast.WindowFuncExpr:
		return c.windowFunc(e, base)
	case *tast.CaseExpr:
		x := &ast.Case{ExprBase: base, Operand: c.optExpr(e.Value), Else: c.optExpr(e.ElseClause)}
		for _, w := range e.WhenClauses {
			x.Whens = append(x.Whens, ast.When{Cond: c.expr(w.Expr), Result: c.expr(w.Result)})
		}
		return x
	case *tast.PatternInExpr:
		x := &ast.In{ExprBase: base, Expr: c.expr(e.Expr), Not: e.Not}
		if e.Sel != nil {
			x.Query = c.query(e.Sel)
		} else {
			x.List = c.exprs(e.List)
		}
		return x
	case *tast.BetweenExpr:
		return &ast.Between{ExprBase: base, Expr: c.expr(e.Expr), Lo: c.expr(e.Left), Hi: c.expr(e.Right), Not: e.Not}
	case *tast.PatternLikeOrIlikeExpr:
		x := &ast.Like{ExprBase: base, Expr: c.expr(e.Expr), Pattern: c.expr(e.Pattern), Not: e.Not, ILike: !e.IsLike}
		if e.Escape != '\\' {
			x.Escape = &ast.Literal{ExprBase: ast.ExprBase{At: c.escapePos(off)}, Kind: ast.StringLit, Text: string(rune(e.Escape))}
		}
		return x
	case *tast.PatternRegexpExpr:
		op := ast.OpRegex
		pat := e.Pattern
		if name, fc := pseudoCall(pat); name == "icase" && len(fc.Args) == 1 {
			op, pat = ast.OpIRegex, fc.Args[0]
		}
		if e.Not {
			op = "!" + op
		}
		return &ast.Binary{ExprBase: base, Op: op, Left: c.expr(e.Expr), Right: c.expr(pat)}
	case *tast.IsNullExpr:
		return &ast.IsNull{ExprBase: base, Expr: c.expr(e.Expr), Not: e.Not}
	case *tast.IsTruthExpr:
		return &ast.IsBool{ExprBase: base, Expr: c.expr(e.Expr), Value: e.True != 0, Not: e.Not}
	case *tast.SubqueryExpr:
		return &ast.Subquery{ExprBase: base, Query: c.query(e.Query)}
	case *tast.ExistsSubqueryExpr:
		return &ast.Exists{ExprBase: base, Query: c.query(e.Sel), Not: e.Not}
	case *tast.CompareSubqueryExpr:
		op, ok := binaryOps[e.Op]
		if !ok {
			c.r.unsupported(off, "operator "+e.Op.String())
		}
		return &ast.Quantified{ExprBase: base, Left: c.expr(e.L), Op: op, All: e.All, Right: c.expr(e.R)}
	case *tast.RowExpr:
		return &ast.Row{ExprBase: base, Exprs: c.exprs(e.Values)}
	case *tast.PositionExpr:
		if e.P != nil {
			return c.expr(e.P)
		}
		// TiDB gives ORDER BY 1 no offset: find the number after BY or a comma.
		text := strconv.Itoa(e.N)
		for i := c.posCursor; i < len(c.r.out); i++ {
			t := &c.r.out[i]
			if t.kind == tNumber && !t.synth && t.text == text && i > 0 && (c.r.out[i-1].isWord("BY") || c.r.out[i-1].isOp(",")) {
				base.At, c.posCursor = t.src.pos, i+1
				break
			}
		}
		return &ast.Literal{ExprBase: base, Kind: ast.IntegerLit, Text: text, Int: int64(e.N), FitsInt: true}
	case *tast.SetCollationExpr:
		return &ast.Collate{ExprBase: base, Expr: c.expr(e.Expr), Collation: e.Collate}
	}
	c.r.unsupported(off, "expression "+strings.TrimPrefix(fmt.Sprintf("%T", e), "*ast."))
	return nil
}

// escapePos finds the string after the first ESCAPE following rendered offset off.
func (c *converter) escapePos(off int) types.Position {
	for i := max(c.r.idx(off), 0); i+1 < len(c.r.out); i++ {
		if c.r.out[i].isWord("ESCAPE") {
			return c.r.out[i+1].src.pos
		}
	}
	return c.r.posAt(off)
}

func (c *converter) unary(e *tast.UnaryOperationExpr, base ast.ExprBase) ast.Expr {
	inner := c.expr(e.V)
	switch e.Op {
	case opcode.Minus:
		// -1 is a literal, as in ksqlDB (so INSERT VALUES and WITH see a number).
		if l, ok := inner.(*ast.Literal); ok && (l.Kind == ast.IntegerLit || l.Kind == ast.DecimalLit || l.Kind == ast.DoubleLit) &&
			!strings.HasPrefix(l.Text, "-") {
			n := numberLiteral("-"+l.Text, base.At)
			return n
		}
		return &ast.Unary{ExprBase: base, Op: ast.OpNeg, Expr: inner}
	case opcode.Plus:
		return &ast.Unary{ExprBase: base, Op: ast.OpPlus, Expr: inner}
	case opcode.Not, opcode.Not2:
		return &ast.Unary{ExprBase: base, Op: ast.OpNot, Expr: inner}
	case opcode.BitNeg:
		return &ast.Unary{ExprBase: base, Op: ast.OpBitNot, Expr: inner}
	}
	c.r.unsupported(e.OriginTextPosition(), "operator "+e.Op.String())
	return nil
}

// starArg reports whether the call at rendered offset off is written f(*).
func (c *converter) starArg(off int) bool {
	i := c.r.idx(off)
	return i >= 0 && i+2 < len(c.r.out) && c.r.out[i+1].isOp("(") && c.r.out[i+2].isOp("*")
}

// funcName makes the Ident of a function name at rendered offset off.
func (c *converter) funcName(o string, off int) ast.Ident {
	id := ident(o, c.r.posAt(off))
	return id
}

// literal converts a TiDB literal using our own token: TiDB's value would lose the decimal
// scale, TRUE (which it reads as 1) and the exact string.
func (c *converter) literal(v tast.ValueExpr) ast.Expr {
	off := v.OriginTextPosition()
	if pm, ok := v.(*driver.ParamMarkerExpr); ok {
		off = pm.Offset // LIMIT ? carries its offset here
	}
	base := ast.ExprBase{At: c.r.posAt(off)}
	if i := c.r.idx(off); i >= 0 && c.r.out[i].param > 0 {
		return &ast.Param{ExprBase: base, N: c.r.out[i].param}
	} else if i >= 0 && !c.r.out[i].synth {
		if lit, ok := tokenLiteral(c.r.out[i].src); ok {
			return lit
		}
	}
	switch x := v.GetValue().(type) {
	case nil:
		return &ast.Literal{ExprBase: base, Kind: ast.NullLit, Text: "NULL"}
	case string:
		return &ast.Literal{ExprBase: base, Kind: ast.StringLit, Text: x}
	case int64:
		return numberLiteral(strconv.FormatInt(x, 10), base.At)
	case uint64:
		return numberLiteral(strconv.FormatUint(x, 10), base.At)
	case float64:
		return &ast.Literal{ExprBase: base, Kind: ast.DoubleLit, Text: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	c.r.unsupported(off, "literal "+v.GetDatumString())
	return nil
}

// tokenLiteral makes the literal that one token spells (a string, bytes, a number, TRUE, FALSE
// or NULL), positioned at the token; ok is false for any other token. Both TiDB's path (the
// converter) and the literal lists that skip TiDB (literalList) make literals here.
func tokenLiteral(t *token) (*ast.Literal, bool) {
	base := ast.ExprBase{At: t.pos}
	switch {
	case t.kind == tString:
		return &ast.Literal{ExprBase: base, Kind: ast.StringLit, Text: t.val}, true
	case t.kind == tNumber:
		return numberLiteral(t.text, t.pos), true
	case t.kind == tBytes:
		return &ast.Literal{ExprBase: base, Kind: ast.BytesLit, Bytes: []byte(t.val)}, true
	case t.is("TRUE") || t.is("FALSE"):
		return &ast.Literal{ExprBase: base, Kind: ast.BoolLit, Bool: t.is("TRUE"), Text: t.upper()}, true
	case t.is("NULL"):
		return &ast.Literal{ExprBase: base, Kind: ast.NullLit, Text: "NULL"}, true
	}
	return nil, false
}

// column converts a column name, with the positions of each part.
func (c *converter) column(n *tast.ColumnName, off int) ast.Expr {
	parts := []string{}
	for _, p := range []string{n.Schema.O, n.Table.O, n.Name.O} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	ids := make([]ast.Ident, len(parts))
	i := c.r.idx(off)
	for k, p := range parts {
		ids[k] = c.nameAt(p, c.r.offAt(i+2*k))
	}
	col := &ast.ColumnRef{Name: ids[len(ids)-1]}
	if len(ids) > 1 {
		col.Qualifier = &ids[len(ids)-2]
	}
	if len(ids) > 2 {
		col.Schema = &ids[0]
	}
	col.At = ids[0].Pos
	if !col.At.IsValid() {
		col.At = c.r.posAt(off)
	}
	return col
}

// offAt returns the rendered offset of out[i], or -1.
func (r *rewriter) offAt(i int) int {
	if i < 0 || i >= len(r.offs) {
		return -1
	}
	return r.offs[i]
}

// nameArg reads an identifier argument of a pseudo-function (a field, a lambda parameter).
func (c *converter) nameArg(e tast.ExprNode) ast.Ident {
	col, ok := e.(*tast.ColumnNameExpr)
	if !ok || col.Name.Table.O != "" {
		c.r.nodeErr(e.OriginTextPosition(), "syntax error: expected a name")
	}
	return c.nameAt(col.Name.Name.O, e.OriginTextPosition())
}

// constInt reads an integer argument the rewrite generated.
func (c *converter) constInt(e tast.ExprNode) int {
	if v, ok := e.(tast.ValueExpr); ok {
		switch x := v.GetValue().(type) {
		case int64:
			return int(x)
		case uint64:
			return int(x)
		}
	}
	c.r.nodeErr(e.OriginTextPosition(), "syntax error")
	return 0
}

// constString reads a string argument the rewrite generated.
func (c *converter) constString(e tast.ExprNode) string {
	if v, ok := e.(tast.ValueExpr); ok {
		if s, ok := v.GetValue().(string); ok {
			return s
		}
	}
	c.r.nodeErr(e.OriginTextPosition(), "syntax error")
	return ""
}
