package parser

import (
	"fmt"
	"sort"
	"strings"

	tast "github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// converter turns TiDB's AST for one rewritten query into ours. Positions come from the
// offsets TiDB records on expressions (mapped back through the rewrite); names from the
// identifier marker the rewrite put on quoted identifiers.
type converter struct {
	r *rewriter
	// cursor is where the search for table names and aliases (which TiDB gives no offsets)
	// resumes: FROM items are converted in source order.
	cursor int
	// posCursor is where the search for ORDER BY / GROUP BY ordinals resumes.
	posCursor int
}

// idx returns the index in r.out of the token at rendered offset off, or -1.
func (r *rewriter) idx(off int) int {
	i := sort.Search(len(r.offs), func(i int) bool { return r.offs[i] > off }) - 1
	return i
}

// ident turns a TiDB name back into an Ident: a leading '"' marks a quoted identifier.
func ident(o string, at types.Position) ast.Ident {
	if strings.HasPrefix(o, `"`) {
		return ast.Ident{Name: o[1:], Quoted: true, Pos: at}
	}
	return ast.Ident{Name: strings.ToUpper(o), Pos: at}
}

// nameKey is how TiDB will report the name a rewritten token renders.
func nameKey(t *rtok) string {
	switch {
	case t.kind == tQIdent && !t.synth:
		return `"` + t.src.val
	case t.kind == tWord && !t.synth:
		return t.src.text
	}
	return ""
}

// findName looks for the next token rendering name o from the cursor on and returns its
// position (the zero Position when not found).
func (c *converter) findName(o string) types.Position {
	for i := c.cursor; i < len(c.r.out); i++ {
		if nameKey(&c.r.out[i]) == o {
			c.cursor = i + 1
			return c.r.out[i].src.pos
		}
	}
	return types.Position{}
}

// nameAt returns an Ident for TiDB name o, positioned at the token at rendered offset off if
// that token renders o.
func (c *converter) nameAt(o string, off int) ast.Ident {
	if i := c.r.idx(off); i >= 0 && nameKey(&c.r.out[i]) == o {
		return ident(o, c.r.out[i].src.pos)
	}
	return ident(o, types.Position{})
}

func (c *converter) query(n tast.Node) ast.Query {
	switch n := n.(type) {
	case *tast.SelectStmt:
		return c.selectStmt(n)
	case *tast.SetOprStmt:
		q := c.setList(n.SelectList)
		c.finishSet(q, n.With, n.OrderBy, n.Limit)
		return q
	case *tast.SubqueryExpr:
		return c.query(n.Query)
	}
	c.r.unsupported(0, fmt.Sprintf("statement %s", strings.TrimPrefix(fmt.Sprintf("%T", n), "*ast.")))
	return nil
}

var setOps = map[tast.SetOprType]struct {
	op  ast.SetOpKind
	all bool
}{
	tast.Union: {ast.Union, false}, tast.UnionAll: {ast.Union, true},
	tast.Except: {ast.Except, false}, tast.ExceptAll: {ast.Except, true},
	tast.Intersect: {ast.Intersect, false}, tast.IntersectAll: {ast.Intersect, true},
}

// setList folds a list of set operands into a left-deep tree.
func (c *converter) setList(l *tast.SetOprSelectList) ast.Query {
	var q ast.Query
	for i, n := range l.Selects {
		var right ast.Query
		var after *tast.SetOprType
		switch n := n.(type) {
		case *tast.SelectStmt:
			right, after = c.selectStmt(n), n.AfterSetOperator
		case *tast.SetOprSelectList:
			right, after = c.setList(n), n.AfterSetOperator
			c.finishSet(right, n.With, n.OrderBy, n.Limit)
		default:
			c.r.unsupported(0, fmt.Sprintf("set operand %T", n))
		}
		if i == 0 {
			q = right
			continue
		}
		op := setOps[tast.Union]
		if after != nil {
			op = setOps[*after]
		}
		q = &ast.SetOp{StmtBase: ast.StmtBase{Start: q.Pos()}, Op: op.op, All: op.all, Left: q, Right: right}
	}
	return q
}

// finishSet attaches a set operation's own WITH, ORDER BY and LIMIT.
func (c *converter) finishSet(q ast.Query, with *tast.WithClause, order *tast.OrderByClause, limit *tast.Limit) {
	s, ok := q.(*ast.SetOp)
	if !ok {
		if with != nil || order != nil || limit != nil {
			c.r.unsupported(0, "ORDER BY or LIMIT around a single parenthesized query")
		}
		return
	}
	s.With = c.with(with)
	s.OrderBy = c.orderBy(order)
	var lp, op int
	s.Limit, s.Offset, lp, op = c.limit(limit)
	if lp != 0 || op != 0 {
		c.r.unsupported(0, "a parameter as the LIMIT of a set operation")
	}
}

func (c *converter) with(w *tast.WithClause) *ast.With {
	if w == nil {
		return nil
	}
	out := &ast.With{Recursive: w.IsRecursive}
	for _, cte := range w.CTEs {
		x := ast.CTE{Name: ident(cte.Name.O, c.findName(cte.Name.O))}
		for _, col := range cte.ColNameList {
			x.Columns = append(x.Columns, ident(col.O, c.findName(col.O)))
		}
		x.Query = c.query(cte.Query.Query)
		out.CTEs = append(out.CTEs, x)
	}
	return out
}

func (c *converter) selectStmt(s *tast.SelectStmt) *ast.Select {
	off := s.OriginTextPosition()
	if s.Kind != tast.SelectStmtKindSelect {
		c.r.unsupported(off, "VALUES or TABLE as a query")
	}
	if s.LockInfo != nil && s.LockInfo.LockType != 0 {
		c.r.unsupported(off, "FOR UPDATE")
	}
	if s.SelectIntoOpt != nil || len(s.WindowSpecs) > 0 || len(s.TableHints) > 0 {
		c.r.unsupported(off, "SELECT INTO, named windows and hints")
	}
	sel := &ast.Select{With: c.with(s.With), Distinct: s.Distinct}
	if s.Fields != nil {
		for _, f := range s.Fields.Fields {
			sel.Items = append(sel.Items, c.field(f))
		}
	}
	if len(sel.Items) > 0 {
		sel.Start = sel.Items[0].Expr.Pos()
		// Start at the SELECT keyword, a token or two before the first field.
		for k := c.r.idx(s.Fields.Fields[0].Offset) - 1; k >= 0 && k >= c.r.idx(s.Fields.Fields[0].Offset)-3; k-- {
			if c.r.out[k].isWord("SELECT") || c.r.out[k].synth && c.r.out[k].text == "SELECT" {
				sel.Start = c.r.out[k].src.pos
				break
			}
		}
		// FROM follows the last field: resume the name search there, not at an equal name
		// inside the select list.
		last := s.Fields.Fields[len(s.Fields.Fields)-1]
		if i := c.r.idx(last.Offset + len(last.Text())); i > c.cursor {
			c.cursor = i
		}
	}
	if s.From != nil {
		sel.From = c.tableExpr(s.From.TableRefs)
	}
	sel.Where = c.optExpr(s.Where)
	if s.GroupBy != nil {
		if s.GroupBy.Rollup {
			c.r.unsupported(off, "WITH ROLLUP")
		}
		for _, it := range s.GroupBy.Items {
			if !it.NullOrder {
				c.r.unsupported(it.Expr.OriginTextPosition(), "ASC/DESC in GROUP BY")
			}
			sel.GroupBy = append(sel.GroupBy, c.expr(it.Expr))
		}
		// GROUP BY (a, b) is one grouping set: the same as GROUP BY a, b.
		if len(sel.GroupBy) == 1 {
			if row, ok := sel.GroupBy[0].(*ast.Row); ok {
				sel.GroupBy = row.Exprs
			}
		}
	}
	if s.Having != nil {
		sel.Having = c.expr(s.Having.Expr)
	}
	sel.OrderBy = c.orderBy(s.OrderBy)
	sel.Limit, sel.Offset, sel.LimitParam, sel.OffsetParam = c.limit(s.Limit)
	return sel
}

func (c *converter) field(f *tast.SelectField) ast.SelectItem {
	if f.WildCard != nil {
		st := &ast.Star{ExprBase: ast.ExprBase{At: c.r.posAt(f.Offset)}}
		if f.WildCard.Table.O != "" {
			q := &ast.QualifiedName{Name: ident(f.WildCard.Table.O, st.At)}
			if f.WildCard.Schema.O != "" {
				s := ident(f.WildCard.Schema.O, st.At)
				q.Schema = &s
			}
			st.Qualifier = q
		}
		return ast.SelectItem{Expr: st}
	}
	it := ast.SelectItem{Expr: c.expr(f.Expr)}
	if f.AsName.O != "" {
		// The alias is the last token of the field's text. (The rewrite refused string
		// aliases, which MySQL takes and Postgres does not.)
		end := f.Offset + len(f.Text()) - 1
		a := c.nameAt(f.AsName.O, end)
		it.Alias = &a
	}
	return it
}

func (c *converter) orderBy(o *tast.OrderByClause) []ast.OrderItem {
	if o == nil {
		return nil
	}
	var items []ast.OrderItem
	for _, it := range o.Items {
		e := it.Expr
		nullsFirst := it.Desc // Postgres' default
		if fc, ok := e.(*tast.FuncCallExpr); ok && fc.FnName.L == pseudo+"nulls" && len(fc.Args) == 2 {
			e = fc.Args[0]
			nullsFirst = c.constInt(fc.Args[1]) == 1
		}
		items = append(items, ast.OrderItem{Expr: c.expr(e), Desc: it.Desc, NullsFirst: nullsFirst})
	}
	return items
}

// limit converts LIMIT/OFFSET: literal counts, or parameters ($n) by number.
func (c *converter) limit(l *tast.Limit) (limit, offset *int64, limitParam, offsetParam int) {
	if l == nil {
		return
	}
	one := func(e tast.ExprNode) (*int64, int) {
		if e == nil {
			return nil, 0
		}
		switch x := c.expr(e).(type) {
		case *ast.Literal:
			if x.Kind == ast.IntegerLit && x.Int >= 0 {
				v := x.Int
				return &v, 0
			}
		case *ast.Param:
			return nil, x.N
		}
		c.r.nodeErr(e.OriginTextPosition(), "LIMIT and OFFSET take a non-negative integer")
		return nil, 0
	}
	limit, limitParam = one(l.Count)
	offset, offsetParam = one(l.Offset)
	return
}

// tableExpr converts a FROM item.
func (c *converter) tableExpr(n tast.ResultSetNode) ast.TableExpr {
	switch n := n.(type) {
	case *tast.Join:
		if n.Right == nil {
			return c.tableExpr(n.Left)
		}
		if n.NaturalJoin || n.StraightJoin {
			c.r.unsupported(0, "NATURAL and STRAIGHT_JOIN joins")
		}
		j := &ast.Join{Left: c.tableExpr(n.Left)}
		j.Right = c.tableExpr(n.Right)
		j.At = j.Right.Pos()
		switch n.Tp {
		case tast.LeftJoin:
			j.Kind = ast.LeftJoin
		case tast.RightJoin:
			j.Kind = ast.RightJoin
		default:
			j.Kind = ast.CrossJoin
			if n.On != nil || len(n.Using) > 0 {
				j.Kind = ast.InnerJoin
			}
		}
		if n.On != nil {
			cond := n.On.Expr
			if fc, ok := cond.(*tast.FuncCallExpr); ok && fc.FnName.L == pseudo+"join" && len(fc.Args) == 2 {
				k := c.constInt(fc.Args[0])
				if k < 0 || k >= len(c.r.joins) {
					c.r.nodeErr(fc.OriginTextPosition(), "syntax error in join")
				}
				info := c.r.joins[k]
				if info.full {
					if j.Kind != ast.LeftJoin {
						c.r.nodeErr(fc.OriginTextPosition(), "syntax error in FULL JOIN")
					}
					j.Kind = ast.FullJoin
				}
				j.Within = info.within
				cond = fc.Args[1]
			}
			j.On = c.expr(cond)
		}
		for _, u := range n.Using {
			j.Using = append(j.Using, ident(u.Name.O, c.findName(u.Name.O)))
		}
		if j.Kind == ast.CrossJoin {
			return leftDeep(j)
		}
		return j
	case *tast.TableSource:
		return c.tableSource(n)
	}
	c.r.unsupported(0, fmt.Sprintf("FROM item %T", n))
	return nil
}

// leftDeep rebuilds a tree of cross joins (commas, CROSS JOIN, JOIN without ON) as a left-deep
// chain. Cross joins associate, and TiDB shapes them differently depending on parentheses and
// neighbours, so one canonical shape keeps Format → Parse stable.
func leftDeep(j *ast.Join) ast.TableExpr {
	var items []ast.TableExpr
	var flatten func(t ast.TableExpr)
	flatten = func(t ast.TableExpr) {
		if x, ok := t.(*ast.Join); ok && x.Kind == ast.CrossJoin {
			flatten(x.Left)
			flatten(x.Right)
			return
		}
		items = append(items, t)
	}
	flatten(j)
	out := items[0]
	for _, it := range items[1:] {
		out = &ast.Join{Kind: ast.CrossJoin, Left: out, Right: it, At: it.Pos()}
	}
	return out
}

func (c *converter) tableSource(n *tast.TableSource) ast.TableExpr {
	if n.Lateral {
		c.r.unsupported(0, "LATERAL")
	}
	var alias *ast.Ident
	aliasOf := func() {
		if o := n.AsName.O; o != "" && o != pseudo+"noalias" {
			a := ident(o, c.findName(o))
			alias = &a
		}
	}
	switch src := n.Source.(type) {
	case *tast.TableName:
		if len(src.IndexHints) > 0 || len(src.PartitionNames) > 0 || src.TableSample != nil || src.AsOf != nil {
			c.r.unsupported(0, "index hints, PARTITION, TABLESAMPLE and AS OF")
		}
		t := &ast.Table{}
		if src.Schema.O != "" {
			s := ident(src.Schema.O, c.findName(src.Schema.O))
			t.Name.Schema = &s
		}
		t.Name.Name = ident(src.Name.O, c.findName(src.Name.O))
		aliasOf()
		t.Alias = alias
		return t
	case *tast.SelectStmt:
		if tf := c.tableFunc(src); tf != nil {
			aliasOf()
			tf.Alias = alias
			return tf
		}
		d := &ast.DerivedTable{Query: c.query(src)}
		d.At = d.Query.Pos()
		aliasOf()
		d.Alias = alias
		d.Columns = c.derivedColumns(n)
		return d
	case *tast.SetOprStmt:
		d := &ast.DerivedTable{Query: c.query(src)}
		d.At = d.Query.Pos()
		aliasOf()
		d.Alias = alias
		d.Columns = c.derivedColumns(n)
		return d
	case *tast.Join:
		return c.tableExpr(src)
	}
	c.r.unsupported(0, fmt.Sprintf("FROM item %T", n.Source))
	return nil
}

// derivedColumns returns the column aliases the rewrite took off the derived table n.
func (c *converter) derivedColumns(n *tast.TableSource) []ast.Ident {
	var cols []ast.Ident
	for _, col := range n.ColumnNames {
		cols = append(cols, ident(col.O, c.findName(col.O)))
	}
	for k := range c.r.derived {
		d := &c.r.derived[k]
		if !d.used && d.alias == n.AsName.O {
			d.used = true
			for _, t := range d.cols {
				cols = append(cols, identFrom(t))
			}
			break
		}
	}
	return cols
}

// tableFunc recognizes the derived table the rewrite made of a set-returning call.
func (c *converter) tableFunc(s *tast.SelectStmt) *ast.TableFunc {
	if s.From != nil || s.Fields == nil || len(s.Fields.Fields) != 1 {
		return nil
	}
	fc, ok := s.Fields.Fields[0].Expr.(*tast.FuncCallExpr)
	if !ok || fc.FnName.L != pseudo+"tablefunc" || len(fc.Args) == 0 {
		return nil
	}
	call, ok := c.expr(fc.Args[0]).(*ast.FuncCall)
	if !ok {
		c.r.nodeErr(fc.OriginTextPosition(), "syntax error: expected a function call in FROM")
	}
	tf := &ast.TableFunc{Call: call}
	for _, a := range fc.Args[1:] {
		tf.Columns = append(tf.Columns, c.nameArg(a))
	}
	return tf
}
