package ast

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/types"
)

// Format returns canonical SQL for a node: statements, queries, expressions, FROM items and
// TypeRefs. Parsing the result gives back an equal tree (positions and source text aside), which
// is how plans store expressions. Nested operators are parenthesized rather than relying on
// precedence, so the text does not depend on which parser reads it.
func Format(n Node) string {
	var p printer
	p.node(n)
	return p.String()
}

type printer struct{ strings.Builder }

func quoteIdent(i Ident) string {
	if !i.Quoted && i.Name != "" {
		return i.Name
	}
	return "`" + strings.ReplaceAll(i.Name, "`", "``") + "`"
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (p *printer) ident(i Ident) { p.WriteString(quoteIdent(i)) }

func (p *printer) identList(ids []Ident) {
	for i, id := range ids {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(id)
	}
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case nil:
	case Expr:
		p.expr(n)
	case Query:
		p.query(n)
	case Statement:
		p.stmt(n)
	case TableExpr:
		p.table(n)
	case *TypeRef:
		p.WriteString(n.String())
	default:
		fmt.Fprintf(p, "/* %T */", n)
	}
}

// typ writes a declared type: the TypeRef when there is one, else the resolved type.
func (p *printer) typ(t types.Type, ref *TypeRef) {
	if ref != nil {
		p.WriteString(ref.String())
		return
	}
	p.WriteString(t.String())
}

func (p *printer) exprs(es []Expr) {
	for i, e := range es {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(e)
	}
}

// atomic reports whether e prints as one unit that binds tighter than any operator.
func atomic(e Expr) bool {
	switch e.(type) {
	case *Literal, *ColumnRef, *FuncCall, *Param, *Cast, *Case, *ArrayLit, *MapLit, *StructLit,
		*Subquery, *Exists, *Row, *Deref, *Subscript, *Star, *IntervalLit:
		return true
	}
	return false
}

// operand writes e, parenthesized unless it is atomic.
func (p *printer) operand(e Expr) {
	if atomic(e) {
		p.expr(e)
		return
	}
	p.WriteString("(")
	p.expr(e)
	p.WriteString(")")
}

func (p *printer) literal(l *Literal) {
	switch l.Kind {
	case NullLit:
		p.WriteString("NULL")
	case BoolLit:
		if l.Bool {
			p.WriteString("TRUE")
		} else {
			p.WriteString("FALSE")
		}
	case StringLit:
		p.WriteString(quoteString(l.Text))
	case BytesLit:
		p.WriteString("X'" + strings.ToUpper(hex.EncodeToString(l.Bytes)) + "'")
	default:
		p.WriteString(l.Text)
	}
}

func (p *printer) expr(e Expr) {
	switch e := e.(type) {
	case nil:
		p.WriteString("NULL")
	case *Literal:
		p.literal(e)
	case *ColumnRef:
		if e.Schema != nil {
			p.ident(*e.Schema)
			p.WriteString(".")
		}
		if e.Qualifier != nil {
			p.ident(*e.Qualifier)
			p.WriteString(".")
		}
		p.ident(e.Name)
	case *Deref:
		p.operand(e.Expr)
		p.WriteString("->")
		p.ident(e.Field)
	case *StructStar:
		p.operand(e.Expr)
		p.WriteString("->*")
	case *Subscript:
		p.operand(e.Expr)
		p.WriteString("[")
		p.expr(e.Index)
		p.WriteString("]")
	case *FuncCall:
		p.funcCall(e)
	case *Lambda:
		if len(e.Params) == 1 {
			p.ident(e.Params[0])
		} else {
			p.WriteString("(")
			p.identList(e.Params)
			p.WriteString(")")
		}
		p.WriteString(" => ")
		p.operand(e.Body)
	case *Binary:
		p.operand(e.Left)
		p.WriteString(" " + string(e.Op) + " ")
		p.operand(e.Right)
	case *Unary:
		p.WriteString(string(e.Op))
		u, inner := e.Expr.(*Unary)
		switch {
		case inner && u.Op == OpNot && e.Op != OpNot:
			p.WriteString("(")
			p.expr(e.Expr)
			p.WriteString(")")
		case inner || negative(e.Expr) || e.Op == OpNot:
			// A space, not parentheses: `- -1` (never `--1`, a comment), and long
			// chains do not nest parentheses.
			p.WriteString(" ")
			p.operandOrUnary(e.Expr)
		case atomic(e.Expr):
			p.expr(e.Expr)
		default:
			p.WriteString("(")
			p.expr(e.Expr)
			p.WriteString(")")
		}
	case *Cast:
		p.WriteString("CAST(")
		p.expr(e.Expr)
		p.WriteString(" AS ")
		p.typ(e.Type, e.TypeRef)
		p.WriteString(")")
	case *Case:
		p.WriteString("CASE")
		if e.Operand != nil {
			p.WriteString(" ")
			p.operand(e.Operand)
		}
		for _, w := range e.Whens {
			p.WriteString(" WHEN ")
			p.operand(w.Cond)
			p.WriteString(" THEN ")
			p.operand(w.Result)
		}
		if e.Else != nil {
			p.WriteString(" ELSE ")
			p.operand(e.Else)
		}
		p.WriteString(" END")
	case *In:
		p.operand(e.Expr)
		p.WriteString(not(e.Not) + " IN (")
		if e.Query != nil {
			p.query(e.Query)
		} else {
			p.exprs(e.List)
		}
		p.WriteString(")")
	case *Between:
		p.operand(e.Expr)
		p.WriteString(not(e.Not) + " BETWEEN ")
		p.operand(e.Lo)
		p.WriteString(" AND ")
		p.operand(e.Hi)
	case *Like:
		p.operand(e.Expr)
		if e.ILike {
			p.WriteString(not(e.Not) + " ILIKE ")
		} else {
			p.WriteString(not(e.Not) + " LIKE ")
		}
		p.operand(e.Pattern)
		if e.Escape != nil {
			p.WriteString(" ESCAPE ")
			p.operand(e.Escape)
		}
	case *IsNull:
		p.operand(e.Expr)
		p.WriteString(" IS" + not(e.Not) + " NULL")
	case *IsBool:
		p.operand(e.Expr)
		p.WriteString(" IS" + not(e.Not))
		if e.Value {
			p.WriteString(" TRUE")
		} else {
			p.WriteString(" FALSE")
		}
	case *IsDistinctFrom:
		p.operand(e.Left)
		p.WriteString(" IS" + not(e.Not) + " DISTINCT FROM ")
		p.operand(e.Right)
	case *Param:
		p.WriteString("$" + strconv.Itoa(e.N))
	case *Star:
		if e.Qualifier != nil {
			p.WriteString(e.Qualifier.String() + ".")
		}
		p.WriteString("*")
	case *ArrayLit:
		p.WriteString("ARRAY[")
		p.exprs(e.Elems)
		p.WriteString("]")
	case *MapLit:
		p.WriteString("MAP(")
		for i, en := range e.Entries {
			if i > 0 {
				p.WriteString(", ")
			}
			p.operand(en.Key)
			p.WriteString(" := ")
			p.operand(en.Value)
		}
		p.WriteString(")")
	case *StructLit:
		p.WriteString("STRUCT(")
		for i, f := range e.Fields {
			if i > 0 {
				p.WriteString(", ")
			}
			p.ident(f.Name)
			p.WriteString(" := ")
			p.operand(f.Value)
		}
		p.WriteString(")")
	case *IntervalLit:
		p.WriteString("INTERVAL " + quoteString(e.Value))
		if e.Unit != "" {
			p.WriteString(" " + e.Unit)
		}
	case *Subquery:
		if e.Array {
			p.WriteString("ARRAY")
		}
		p.WriteString("(")
		p.query(e.Query)
		p.WriteString(")")
	case *Exists:
		if e.Not {
			p.WriteString("NOT ")
		}
		p.WriteString("EXISTS (")
		p.query(e.Query)
		p.WriteString(")")
	case *Quantified:
		p.operand(e.Left)
		p.WriteString(" " + string(e.Op) + " ")
		if e.All {
			p.WriteString("ALL(")
		} else {
			p.WriteString("ANY(")
		}
		if sq, ok := e.Right.(*Subquery); ok && !sq.Array {
			p.query(sq.Query)
		} else {
			p.expr(e.Right)
		}
		p.WriteString(")")
	case *Collate:
		p.operand(e.Expr)
		p.WriteString(" COLLATE " + e.Collation)
	case *Row:
		p.WriteString("ROW(")
		p.exprs(e.Exprs)
		p.WriteString(")")
	default:
		fmt.Fprintf(p, "/* %T */", e)
	}
}

// operandOrUnary writes e like operand, but a unary chain without parentheses.
func (p *printer) operandOrUnary(e Expr) {
	if _, ok := e.(*Unary); ok {
		p.expr(e)
		return
	}
	p.operand(e)
}

// negative reports whether e prints with a leading minus (-(-1) must not become --1).
func negative(e Expr) bool {
	l, ok := e.(*Literal)
	return ok && strings.HasPrefix(l.Text, "-")
}

func not(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}

func (p *printer) funcCall(f *FuncCall) {
	if f.Schema != nil {
		p.ident(*f.Schema)
		p.WriteString(".")
	}
	p.ident(f.Name)
	p.WriteString("(")
	if f.Distinct {
		p.WriteString("DISTINCT ")
	}
	if f.Star {
		p.WriteString("*")
	}
	p.exprs(f.Args)
	p.WriteString(")")
	if f.Over != nil {
		p.WriteString(" OVER (")
		sep := ""
		if len(f.Over.PartitionBy) > 0 {
			p.WriteString("PARTITION BY ")
			p.exprs(f.Over.PartitionBy)
			sep = " "
		}
		if len(f.Over.OrderBy) > 0 {
			p.WriteString(sep)
			p.orderBy(f.Over.OrderBy)
		}
		p.WriteString(")")
	}
}

func (p *printer) orderBy(items []OrderItem) {
	p.WriteString("ORDER BY ")
	for i, o := range items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(o.Expr)
		if o.Desc {
			p.WriteString(" DESC")
		}
		if o.NullsFirst != o.Desc {
			if o.NullsFirst {
				p.WriteString(" NULLS FIRST")
			} else {
				p.WriteString(" NULLS LAST")
			}
		}
	}
}

// duration writes d in the largest unit that divides it exactly.
func duration(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "DAYS"}, {time.Hour, "HOURS"}, {time.Minute, "MINUTES"},
		{time.Second, "SECONDS"}, {time.Millisecond, "MILLISECONDS"}}
	for _, u := range units {
		if d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return "1 " + strings.TrimSuffix(u.name, "S")
			}
			return strconv.FormatInt(n, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + " MILLISECONDS"
}

func (p *printer) with(w *With) {
	if w == nil {
		return
	}
	p.WriteString("WITH ")
	if w.Recursive {
		p.WriteString("RECURSIVE ")
	}
	for i, c := range w.CTEs {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(c.Name)
		if len(c.Columns) > 0 {
			p.WriteString(" (")
			p.identList(c.Columns)
			p.WriteString(")")
		}
		p.WriteString(" AS (")
		p.query(c.Query)
		p.WriteString(")")
	}
	p.WriteString(" ")
}

func (p *printer) query(q Query) {
	switch q := q.(type) {
	case *Select:
		p.selectStmt(q)
	case *SetOp:
		p.with(q.With)
		p.setOperand(q.Left)
		p.WriteString(" " + string(q.Op))
		if q.All {
			p.WriteString(" ALL")
		}
		p.WriteString(" ")
		p.setOperand(q.Right)
		p.tail(q.OrderBy, q.Limit, q.Offset, 0, 0)
	}
}

// setOperand parenthesizes an operand that has clauses of its own, so they stay with it.
func (p *printer) setOperand(q Query) {
	if s, ok := q.(*Select); ok && s.With == nil && len(s.OrderBy) == 0 && s.Limit == nil &&
		s.Offset == nil && s.LimitParam == 0 && s.OffsetParam == 0 {
		p.query(s)
		return
	}
	if s, ok := q.(*SetOp); ok && s.With == nil && len(s.OrderBy) == 0 && s.Limit == nil && s.Offset == nil {
		p.query(s)
		return
	}
	p.WriteString("(")
	p.query(q)
	p.WriteString(")")
}

func (p *printer) tail(order []OrderItem, limit, offset *int64, limitParam, offsetParam int) {
	if len(order) > 0 {
		p.WriteString(" ")
		p.orderBy(order)
	}
	if limit != nil {
		p.WriteString(" LIMIT " + strconv.FormatInt(*limit, 10))
	} else if limitParam > 0 {
		p.WriteString(" LIMIT $" + strconv.Itoa(limitParam))
	}
	if offset != nil {
		p.WriteString(" OFFSET " + strconv.FormatInt(*offset, 10))
	} else if offsetParam > 0 {
		p.WriteString(" OFFSET $" + strconv.Itoa(offsetParam))
	}
}

func (p *printer) selectStmt(s *Select) {
	p.with(s.With)
	p.WriteString("SELECT ")
	if s.Distinct {
		p.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(it.Expr)
		if it.Alias != nil {
			p.WriteString(" AS ")
			p.ident(*it.Alias)
		}
	}
	if s.From != nil {
		p.WriteString(" FROM ")
		p.table(s.From)
	}
	if w := s.Window; w != nil {
		p.WriteString(" WINDOW " + string(w.Kind) + " (")
		switch w.Kind {
		case Session:
			p.WriteString(duration(w.Gap))
		case Hopping:
			p.WriteString("SIZE " + duration(w.Size) + ", ADVANCE BY " + duration(w.AdvanceBy))
		default:
			p.WriteString("SIZE " + duration(w.Size))
		}
		if w.Retention != nil {
			p.WriteString(", RETENTION " + duration(*w.Retention))
		}
		if w.Grace != nil {
			p.WriteString(", GRACE PERIOD " + duration(*w.Grace))
		}
		p.WriteString(")")
	}
	if s.Where != nil {
		p.WriteString(" WHERE ")
		p.expr(s.Where)
	}
	if len(s.GroupBy) > 0 {
		p.WriteString(" GROUP BY ")
		p.exprs(s.GroupBy)
	}
	if s.Having != nil {
		p.WriteString(" HAVING ")
		p.expr(s.Having)
	}
	if len(s.PartitionBy) > 0 {
		p.WriteString(" PARTITION BY ")
		p.exprs(s.PartitionBy)
	}
	if s.Emit != EmitNone {
		p.WriteString(" EMIT " + s.Emit.String())
	}
	p.tail(s.OrderBy, s.Limit, s.Offset, s.LimitParam, s.OffsetParam)
}

func (p *printer) aliasCols(alias *Ident, cols []Ident) {
	if alias != nil {
		p.WriteString(" AS ")
		p.ident(*alias)
	}
	if len(cols) > 0 {
		p.WriteString(" (")
		p.identList(cols)
		p.WriteString(")")
	}
}

func (p *printer) table(t TableExpr) {
	switch t := t.(type) {
	case *Table:
		p.WriteString(t.Name.String())
		p.aliasCols(t.Alias, nil)
	case *DerivedTable:
		p.WriteString("(")
		p.query(t.Query)
		p.WriteString(")")
		p.aliasCols(t.Alias, t.Columns)
	case *TableFunc:
		p.funcCall(t.Call)
		p.aliasCols(t.Alias, t.Columns)
	case *Join:
		p.table(t.Left)
		switch t.Kind {
		case CrossJoin:
			p.WriteString(" CROSS JOIN ")
		case InnerJoin:
			p.WriteString(" JOIN ")
		case FullJoin:
			p.WriteString(" FULL OUTER JOIN ")
		default:
			p.WriteString(" " + string(t.Kind) + " JOIN ")
		}
		if _, ok := t.Right.(*Join); ok {
			p.WriteString("(")
			p.table(t.Right)
			p.WriteString(")")
		} else {
			p.table(t.Right)
		}
		if w := t.Within; w != nil {
			if w.Before == w.After {
				p.WriteString(" WITHIN " + duration(w.Before))
			} else {
				p.WriteString(" WITHIN (" + duration(w.Before) + ", " + duration(w.After) + ")")
			}
			if w.Grace != nil {
				p.WriteString(" GRACE PERIOD " + duration(*w.Grace))
			}
		}
		if t.On != nil {
			p.WriteString(" ON ")
			p.expr(t.On)
		} else if len(t.Using) > 0 {
			p.WriteString(" USING (")
			p.identList(t.Using)
			p.WriteString(")")
		}
	}
}

func (p *printer) props(w Properties) {
	if len(w) == 0 {
		return
	}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p.WriteString(" WITH (")
	for i, k := range keys {
		if i > 0 {
			p.WriteString(", ")
		}
		p.WriteString(strings.ToUpper(k) + "=")
		p.literal(w[k])
	}
	p.WriteString(")")
}

func (p *printer) columns(cols []ColumnDef) {
	for i, c := range cols {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(c.Name)
		p.WriteString(" ")
		p.typ(c.Type, c.TypeRef)
		switch {
		case c.PrimaryKey:
			p.WriteString(" PRIMARY KEY")
		case c.Key:
			p.WriteString(" KEY")
		case c.Headers && c.HeaderKey != "":
			p.WriteString(" HEADER(" + quoteString(c.HeaderKey) + ")")
		case c.Headers:
			p.WriteString(" HEADERS")
		}
	}
}

func orReplace(b bool) string {
	if b {
		return " OR REPLACE"
	}
	return ""
}

func ifExists(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

func extended(b bool) string { return ifExists(b, " EXTENDED") }

func optInt(prefix string, v *int64) string {
	if v == nil {
		return ""
	}
	return prefix + strconv.FormatInt(*v, 10)
}
