package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/types"
)

type parser struct {
	sql  string
	toks []token
	i    int
}

type bailout struct{ err *types.Error }

// Parse parses one SELECT-family statement (SELECT, WITH, VALUES, TABLE; a trailing
// semicolon allowed).
func Parse(sql string) (q *Query, err error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	p := &parser{sql: sql, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	q = p.query()
	for p.acceptOp(";") {
	}
	if p.peek().kind != tEOF {
		p.fail(p.peek(), "")
	}
	return q, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) && p.i+n >= 0 {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(t token, format string, args ...any) {
	if format == "" {
		near := t.val
		switch t.kind {
		case tEOF:
			panic(bailout{syntaxErr(p.sql, t.pos, "syntax error at end of input")})
		case tString:
			near = "'" + t.val + "'"
		case tParam:
			near = "$" + t.val
		}
		panic(bailout{syntaxErr(p.sql, t.pos, "syntax error at or near \"%s\"", near)})
	}
	panic(bailout{syntaxErr(p.sql, t.pos, format, args...)})
}

func (p *parser) unsupported(t token, what string) {
	panic(bailout{types.ErrorAt(types.CodeFeatureNotSupported, position(p.sql, t.pos), "%s is not supported in catalog queries", what)})
}

func (p *parser) isKw(kws ...string) bool {
	for k, kw := range kws {
		if !p.peekAt(k).is(kw) {
			return false
		}
	}
	return true
}

func (p *parser) acceptKw(kws ...string) bool {
	if p.isKw(kws...) {
		p.i += len(kws)
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) {
	if !p.acceptKw(kw) {
		p.fail(p.peek(), "")
	}
}

func (p *parser) acceptOp(op string) bool {
	if p.peek().isOp(op) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectOp(op string) token {
	t := p.peek()
	if !t.isOp(op) {
		p.fail(t, "")
	}
	p.i++
	return t
}

// ident reads an identifier (any keyword allowed when anyKw).
func (p *parser) ident(anyKw bool) string {
	t := p.peek()
	switch {
	case t.kind == tQIdent:
		p.i++
		return t.val
	case t.kind == tIdent && (anyKw || !reserved[t.val]):
		p.i++
		return t.val
	}
	p.fail(t, "")
	return ""
}

func (p *parser) isIdent() bool {
	t := p.peek()
	return t.kind == tQIdent || t.kind == tIdent && !reserved[t.val]
}

// reserved words cannot be bare column labels or table aliases.
var reserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check collate
		column constraint create current_catalog current_date current_role current_time current_timestamp
		current_user default deferrable desc distinct do else end except false fetch for foreign from grant group
		having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or
		order placing primary references returning select session_user some symmetric table then to trailing true
		union unique user using variadic when where window with
		authorization binary collation concurrently cross freeze full ilike inner is isnull join left like
		natural notnull outer overlaps right similar tablesample verbose escape over filter nulls at between`) {
		reserved[w] = true
	}
}

// query reads [WITH ...] body [ORDER BY] [LIMIT] [OFFSET].
func (p *parser) query() *Query {
	q := &Query{Pos: p.peek().pos}
	if p.acceptKw("with") {
		p.acceptKw("recursive")
		for {
			cte := CTE{Name: p.ident(false)}
			if p.acceptOp("(") {
				cte.Cols = p.identList()
				p.expectOp(")")
			}
			p.expectKw("as")
			p.acceptKw("not")
			p.acceptKw("materialized")
			p.expectOp("(")
			cte.Q = p.query()
			p.expectOp(")")
			q.With = append(q.With, cte)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	q.Body = p.setExpr()
	p.tail(q)
	return q
}

// tail reads ORDER BY, LIMIT, OFFSET, FETCH and FOR UPDATE clauses.
func (p *parser) tail(q *Query) {
	if p.acceptKw("order", "by") {
		q.OrderBy = p.orderItems()
	}
	for {
		switch {
		case p.acceptKw("limit"):
			if p.acceptKw("all") {
				continue
			}
			q.Limit = p.expr()
		case p.acceptKw("offset"):
			q.Offset = p.expr()
			_ = p.acceptKw("rows") || p.acceptKw("row")
		case p.acceptKw("fetch"):
			_ = p.acceptKw("first") || p.acceptKw("next")
			if p.isKw("rows") || p.isKw("row") {
				q.Limit = &Const{V: int64(1), T: oidInt4}
			} else {
				q.Limit = p.primary()
			}
			_ = p.acceptKw("rows") || p.acceptKw("row")
			p.expectKw("only")
		case p.acceptKw("for"):
			for p.peek().kind == tIdent && !p.peek().is("limit") && !p.peek().is("offset") {
				p.next()
			}
		default:
			return
		}
	}
}

func (p *parser) identList() []string {
	var out []string
	for {
		out = append(out, p.ident(true))
		if !p.acceptOp(",") {
			return out
		}
	}
}

func (p *parser) orderItems() []OrderItem {
	var out []OrderItem
	for {
		it := OrderItem{X: p.expr()}
		if p.acceptKw("desc") {
			it.Desc = true
		} else {
			p.acceptKw("asc")
		}
		if p.acceptKw("using") {
			p.next()
		}
		if p.acceptKw("nulls") {
			first := p.acceptKw("first")
			if !first {
				p.expectKw("last")
			}
			it.NullsFirst = &first
		}
		out = append(out, it)
		if !p.acceptOp(",") {
			return out
		}
	}
}

func (p *parser) setExpr() QueryBody {
	l := p.setTerm()
	for p.isKw("union") || p.isKw("except") {
		op := p.next().val
		all := p.acceptKw("all")
		if !all {
			p.acceptKw("distinct")
		}
		r := p.setTerm()
		l = &SetOp{Op: op, All: all, L: l, R: r}
	}
	return l
}

func (p *parser) setTerm() QueryBody {
	l := p.simpleQuery()
	for p.isKw("intersect") {
		p.next()
		all := p.acceptKw("all")
		if !all {
			p.acceptKw("distinct")
		}
		r := p.simpleQuery()
		l = &SetOp{Op: "intersect", All: all, L: l, R: r}
	}
	return l
}

func (p *parser) simpleQuery() QueryBody {
	t := p.peek()
	switch {
	case t.isOp("("):
		p.next()
		q := p.query()
		p.expectOp(")")
		return q
	case t.is("select"):
		return p.selectBody()
	case t.is("values"):
		p.next()
		v := &Values{}
		for {
			p.expectOp("(")
			v.Rows = append(v.Rows, p.exprList())
			p.expectOp(")")
			if !p.acceptOp(",") {
				return v
			}
		}
	case t.is("table"):
		p.next()
		ref := p.tableName()
		return &Select{Items: []SelectItem{{X: &Star{Pos: t.pos}}}, From: []FromItem{ref}, Pos: t.pos}
	}
	p.fail(t, "")
	return nil
}

func (p *parser) selectBody() *Select {
	s := &Select{Pos: p.next().pos}
	if p.acceptKw("distinct") {
		s.Distinct = true
		if p.acceptKw("on") {
			p.expectOp("(")
			s.DistinctOn = p.exprList()
			p.expectOp(")")
		}
	} else {
		p.acceptKw("all")
	}
	if !p.selectListEnd() {
		for {
			s.Items = append(s.Items, p.selectItem())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("into") {
		p.unsupported(p.peekAt(-1), "SELECT INTO")
	}
	if p.acceptKw("from") {
		for {
			s.From = append(s.From, p.fromItem())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("where") {
		s.Where = p.expr()
	}
	if p.acceptKw("group", "by") {
		p.acceptKw("all")
		s.GroupBy = p.exprList()
	}
	if p.acceptKw("having") {
		s.Having = p.expr()
	}
	if p.isKw("window") {
		p.unsupported(p.peek(), "WINDOW clause")
	}
	return s
}

// selectListEnd reports whether the select list is empty (SELECT FROM t, or SELECT;).
func (p *parser) selectListEnd() bool {
	t := p.peek()
	return t.kind == tEOF || t.isOp(";") || t.isOp(")") || t.is("from") || t.is("where") || t.is("union") ||
		t.is("except") || t.is("intersect") || t.is("order") || t.is("limit") || t.is("group")
}

func (p *parser) selectItem() SelectItem {
	t := p.peek()
	if t.isOp("*") {
		p.next()
		return SelectItem{X: &Star{Pos: t.pos}}
	}
	x := p.expr()
	it := SelectItem{X: x}
	if p.acceptKw("as") {
		it.Alias = p.ident(true)
	} else if p.isIdent() {
		it.Alias = p.ident(false)
	}
	return it
}

func (p *parser) tableName() *TableRef {
	t := p.peek()
	parts := []string{p.ident(true)}
	for p.acceptOp(".") {
		parts = append(parts, p.ident(true))
	}
	ref := &TableRef{Name: parts[len(parts)-1], Pos: t.pos}
	if len(parts) >= 2 {
		ref.Schema = parts[len(parts)-2]
	}
	return ref
}

// alias reads [AS] alias [(cols)].
func (p *parser) alias() (string, []string) {
	var name string
	if p.acceptKw("as") {
		name = p.ident(true)
	} else if p.isIdent() {
		name = p.ident(false)
	} else {
		return "", nil
	}
	var cols []string
	if p.acceptOp("(") {
		cols = p.identList()
		p.expectOp(")")
	}
	return name, cols
}

func (p *parser) fromItem() FromItem {
	l := p.fromPrimary()
	for {
		natural := p.acceptKw("natural")
		kind := ""
		switch {
		case p.acceptKw("cross", "join"):
			kind = "cross"
		case p.acceptKw("join"), p.acceptKw("inner", "join"):
			kind = "inner"
		case p.acceptKw("left", "join"), p.acceptKw("left", "outer", "join"):
			kind = "left"
		case p.acceptKw("right", "join"), p.acceptKw("right", "outer", "join"):
			kind = "right"
		case p.acceptKw("full", "join"), p.acceptKw("full", "outer", "join"):
			kind = "full"
		default:
			if natural {
				p.fail(p.peek(), "")
			}
			return l
		}
		j := &JoinRef{L: l, R: p.fromPrimary(), Kind: kind, Natural: natural}
		if kind != "cross" && !natural {
			switch {
			case p.acceptKw("on"):
				j.On = p.expr()
			case p.acceptKw("using"):
				p.expectOp("(")
				j.Using = p.identList()
				p.expectOp(")")
			default:
				p.fail(p.peek(), "")
			}
		}
		l = j
	}
}

func (p *parser) fromPrimary() FromItem {
	p.acceptKw("lateral")
	p.acceptKw("only")
	t := p.peek()
	if t.isOp("(") {
		in := p.peekAt(1)
		if in.is("select") || in.is("with") || in.is("values") || in.isOp("(") && p.parenQuery() {
			p.next()
			q := p.query()
			p.expectOp(")")
			ref := &SubqueryRef{Q: q}
			ref.Alias, ref.Cols = p.alias()
			return ref
		}
		p.next()
		item := p.fromItem()
		p.expectOp(")")
		if name, _ := p.alias(); name != "" {
			p.unsupported(t, "an alias on a parenthesized join")
		}
		return item
	}
	// name [. name]* [( args )]
	start := p.i
	parts := []string{p.ident(false)}
	for p.acceptOp(".") {
		parts = append(parts, p.ident(true))
	}
	if p.peek().isOp("(") {
		p.i = start
		f := p.funcCallExpr()
		ref := &FuncRef{F: f}
		if p.acceptKw("with", "ordinality") {
			ref.Ord = true
		}
		ref.Alias, ref.Cols = p.alias()
		return ref
	}
	ref := &TableRef{Name: parts[len(parts)-1], Pos: t.pos}
	if len(parts) >= 2 {
		ref.Schema = parts[len(parts)-2]
	}
	ref.Alias, ref.Cols = p.alias()
	return ref
}

// parenQuery reports whether the parentheses at the cursor hold a query: the first token
// after the run of opening parentheses is SELECT, WITH or VALUES.
func (p *parser) parenQuery() bool {
	k := 0
	for p.peekAt(k).isOp("(") {
		k++
	}
	t := p.peekAt(k)
	return t.is("select") || t.is("with") || t.is("values")
}

func (p *parser) exprList() []Expr {
	var out []Expr
	for {
		out = append(out, p.expr())
		if !p.acceptOp(",") {
			return out
		}
	}
}

func (p *parser) expr() Expr { return p.orExpr() }

func (p *parser) orExpr() Expr {
	l := p.andExpr()
	for p.peek().is("or") {
		t := p.next()
		l = &BinaryExpr{Op: "or", L: l, R: p.andExpr(), Pos: t.pos}
	}
	return l
}

func (p *parser) andExpr() Expr {
	l := p.notExpr()
	for p.peek().is("and") {
		t := p.next()
		l = &BinaryExpr{Op: "and", L: l, R: p.notExpr(), Pos: t.pos}
	}
	return l
}

func (p *parser) notExpr() Expr {
	if t := p.peek(); t.is("not") {
		p.next()
		return &UnaryExpr{Op: "not", X: p.notExpr(), Pos: t.pos}
	}
	return p.isExpr()
}

func (p *parser) isExpr() Expr {
	x := p.cmpExpr()
	for {
		t := p.peek()
		switch {
		case t.is("isnull"):
			p.next()
			x = &IsExpr{X: x, What: "null", Pos: t.pos}
		case t.is("notnull"):
			p.next()
			x = &IsExpr{X: x, What: "null", Not: true, Pos: t.pos}
		case t.is("is"):
			p.next()
			not := p.acceptKw("not")
			switch {
			case p.acceptKw("null"):
				x = &IsExpr{X: x, What: "null", Not: not, Pos: t.pos}
			case p.acceptKw("true"):
				x = &IsExpr{X: x, What: "true", Not: not, Pos: t.pos}
			case p.acceptKw("false"):
				x = &IsExpr{X: x, What: "false", Not: not, Pos: t.pos}
			case p.acceptKw("unknown"):
				x = &IsExpr{X: x, What: "unknown", Not: not, Pos: t.pos}
			case p.acceptKw("distinct", "from"):
				x = &IsExpr{X: x, What: "distinct", Not: not, From: p.cmpExpr(), Pos: t.pos}
			default:
				p.fail(p.peek(), "")
			}
		default:
			return x
		}
	}
}

var cmpOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

func (p *parser) cmpExpr() Expr {
	l := p.likeExpr()
	for {
		t := p.peek()
		if t.kind != tOp || !cmpOps[t.val] {
			return l
		}
		p.next()
		op := t.val
		if op == "!=" {
			op = "<>"
		}
		if q := p.quantified(op, l, t.pos); q != nil {
			l = q
			continue
		}
		l = &BinaryExpr{Op: op, L: l, R: p.likeExpr(), Pos: t.pos}
	}
}

// quantified reads ANY|SOME|ALL (array | subquery) after a comparison operator, if present.
func (p *parser) quantified(op string, l Expr, pos int) Expr {
	if !(p.isKw("any") || p.isKw("some") || p.isKw("all")) || !p.peekAt(1).isOp("(") {
		return nil
	}
	all := p.next().is("all")
	p.expectOp("(")
	q := &QuantExpr{Op: op, X: l, All: all, Pos: pos}
	if p.parenQueryAt() {
		q.Sub = p.query()
	} else {
		q.Arr = p.expr()
	}
	p.expectOp(")")
	return q
}

// parenQueryAt reports whether a query starts at the cursor (possibly parenthesized).
func (p *parser) parenQueryAt() bool {
	t := p.peek()
	return t.is("select") || t.is("with") || t.is("values") || t.isOp("(") && p.parenQuery()
}

func (p *parser) likeExpr() Expr {
	l := p.otherExpr()
	for {
		t := p.peek()
		not := false
		if t.is("not") && (p.peekAt(1).is("like") || p.peekAt(1).is("ilike") || p.peekAt(1).is("in") || p.peekAt(1).is("between") || p.peekAt(1).is("similar")) {
			not = true
			p.next()
			t = p.peek()
		}
		switch {
		case t.is("like"), t.is("ilike"):
			p.next()
			e := &LikeExpr{X: l, Pat: p.otherExpr(), Not: not, Fold: t.is("ilike"), Pos: t.pos}
			if p.acceptKw("escape") {
				e.Esc = p.otherExpr()
			}
			l = e
		case t.is("similar"):
			p.next()
			p.expectKw("to")
			e := &LikeExpr{X: l, Pat: p.otherExpr(), Not: not, Similar: true, Pos: t.pos}
			if p.acceptKw("escape") {
				e.Esc = p.otherExpr()
			}
			l = e
		case t.is("in"):
			p.next()
			p.expectOp("(")
			in := &InExpr{X: l, Not: not, Pos: t.pos}
			if p.parenQueryAt() {
				in.Sub = p.query()
			} else {
				in.List = p.exprList()
			}
			p.expectOp(")")
			l = in
		case t.is("between"):
			p.next()
			if !p.acceptKw("symmetric") {
				p.acceptKw("asymmetric")
			}
			lo := p.otherExpr()
			p.expectKw("and")
			l = &BetweenExpr{X: l, Lo: lo, Hi: p.otherExpr(), Not: not, Pos: t.pos}
		default:
			return l
		}
	}
}

var otherOps = map[string]bool{
	"~": true, "!~": true, "~*": true, "!~*": true, "~~": true, "!~~": true, "~~*": true, "!~~*": true,
	"||": true, "->": true, "->>": true, "#>": true, "#>>": true, "@>": true, "<@": true, "&&": true,
	"&": true, "|": true, "#": true, "<<": true, ">>": true,
}

func (p *parser) otherExpr() Expr {
	l := p.addExpr()
	for {
		t := p.peek()
		var op string
		switch {
		case t.kind == tOp && otherOps[t.val]:
			p.next()
			op = t.val
		case t.is("operator") && p.peekAt(1).isOp("("):
			p.next()
			p.next()
			for p.peekAt(1).isOp(".") {
				p.next()
				p.next()
			}
			o := p.next()
			if o.kind != tOp {
				p.fail(o, "")
			}
			p.expectOp(")")
			op = o.val
			if op == "!=" {
				op = "<>"
			}
			if cmpOps[op] {
				if q := p.quantified(op, l, t.pos); q != nil {
					l = q
					continue
				}
			}
		default:
			return l
		}
		l = &BinaryExpr{Op: op, L: l, R: p.addExpr(), Pos: t.pos}
	}
}

func (p *parser) addExpr() Expr {
	l := p.mulExpr()
	for {
		t := p.peek()
		if !t.isOp("+") && !t.isOp("-") {
			return l
		}
		p.next()
		l = &BinaryExpr{Op: t.val, L: l, R: p.mulExpr(), Pos: t.pos}
	}
}

func (p *parser) mulExpr() Expr {
	l := p.expExpr()
	for {
		t := p.peek()
		if !t.isOp("*") && !t.isOp("/") && !t.isOp("%") {
			return l
		}
		p.next()
		l = &BinaryExpr{Op: t.val, L: l, R: p.expExpr(), Pos: t.pos}
	}
}

func (p *parser) expExpr() Expr {
	l := p.unaryExpr()
	for p.peek().isOp("^") {
		t := p.next()
		l = &BinaryExpr{Op: "^", L: l, R: p.unaryExpr(), Pos: t.pos}
	}
	return l
}

func (p *parser) unaryExpr() Expr {
	t := p.peek()
	if t.isOp("-") || t.isOp("+") || t.isOp("~") {
		p.next()
		x := p.unaryExpr()
		if c, ok := x.(*Const); ok && t.val == "-" {
			switch v := c.V.(type) {
			case int64:
				return &Const{V: -v, T: c.T, Pos: t.pos}
			case float64:
				return &Const{V: -v, T: c.T, Pos: t.pos}
			}
		}
		return &UnaryExpr{Op: t.val, X: x, Pos: t.pos}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x Expr) Expr {
	for {
		t := p.peek()
		switch {
		case t.isOp("::"):
			p.next()
			x = &CastExpr{X: x, T: p.typeName(), Pos: t.pos}
		case t.isOp("["):
			p.next()
			ix := &IndexExpr{X: x, Pos: t.pos}
			if !p.peek().isOp(":") {
				ix.Idx = p.expr()
			}
			if p.acceptOp(":") {
				ix.Slice = true
				if !p.peek().isOp("]") {
					ix.Hi = p.expr()
				}
			}
			p.expectOp("]")
			x = ix
		case t.isOp(".") && isParenLike(x):
			p.next()
			if p.acceptOp("*") {
				continue // (x).* : the composite itself
			}
			x = &FieldExpr{X: x, Name: p.ident(true), Pos: t.pos}
		case t.is("collate"):
			p.next()
			p.ident(true)
			for p.acceptOp(".") {
				p.ident(true)
			}
		case t.is("at") && p.peekAt(1).is("time") && p.peekAt(2).is("zone"):
			p.i += 3
			zone := p.unaryExpr()
			x = &FuncCall{Name: "timezone", Args: []Expr{zone, x}, Pos: t.pos}
		default:
			return x
		}
	}
}

func isParenLike(x Expr) bool {
	switch x.(type) {
	case *ParenExpr, *FieldExpr, *IndexExpr:
		return true
	}
	return false
}

// noParenFuncs are the SQL functions called without parentheses.
var noParenFuncs = map[string]bool{
	"current_user": true, "session_user": true, "user": true, "current_role": true, "current_catalog": true,
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
}

// typedLiteralTypes may prefix a string literal: TIMESTAMP '...'.
var typedLiteralTypes = map[string]bool{"timestamp": true, "timestamptz": true, "date": true, "time": true, "interval": true, "boolean": true, "bool": true, "int": true, "integer": true, "text": true, "numeric": true, "json": true, "jsonb": true}

func (p *parser) primary() Expr {
	t := p.peek()
	switch t.kind {
	case tNumber:
		p.next()
		return numberConst(t)
	case tString:
		p.next()
		return &Const{V: t.val, T: oidUnknown, Pos: t.pos}
	case tParam:
		p.next()
		n, err := strconv.Atoi(t.val)
		if err != nil || n < 1 {
			p.fail(t, "there is no parameter $%s", t.val)
		}
		return &Param{N: n, Pos: t.pos}
	case tOp:
		if t.isOp("(") {
			p.next()
			if p.parenQueryAt() {
				q := p.query()
				p.expectOp(")")
				return &SubqueryExpr{Sub: q, Pos: t.pos}
			}
			x := p.expr()
			if p.acceptOp(",") {
				row := &RowExpr{Elems: append([]Expr{x}, p.exprList()...), Pos: t.pos}
				p.expectOp(")")
				return row
			}
			p.expectOp(")")
			return &ParenExpr{X: x, Pos: t.pos}
		}
		p.fail(t, "")
	case tQIdent:
		return p.nameExpr()
	case tIdent:
		switch t.val {
		case "null":
			p.next()
			return &Const{V: nil, T: oidUnknown, Pos: t.pos}
		case "true", "false":
			p.next()
			return &Const{V: t.val == "true", T: oidBool, Pos: t.pos}
		case "case":
			return p.caseExpr()
		case "cast":
			p.next()
			p.expectOp("(")
			x := p.expr()
			p.expectKw("as")
			tn := p.typeName()
			p.expectOp(")")
			return &CastExpr{X: x, T: tn, Pos: t.pos}
		case "exists":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				q := p.query()
				p.expectOp(")")
				return &ExistsExpr{Sub: q, Pos: t.pos}
			}
		case "array":
			if p.peekAt(1).isOp("[") {
				p.next()
				return p.arrayLit(t.pos)
			}
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				q := p.query()
				p.expectOp(")")
				return &ArraySubquery{Sub: q, Pos: t.pos}
			}
		case "row":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				var elems []Expr
				if !p.peek().isOp(")") {
					elems = p.exprList()
				}
				p.expectOp(")")
				return &RowExpr{Elems: elems, Pos: t.pos}
			}
		case "extract":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				field := p.next()
				p.expectKw("from")
				x := p.expr()
				p.expectOp(")")
				return &FuncCall{Name: "date_part", Args: []Expr{&Const{V: strings.ToLower(field.val), T: oidText}, x}, Pos: t.pos}
			}
		case "position":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				sub := p.otherExpr()
				p.expectKw("in")
				s := p.expr()
				p.expectOp(")")
				return &FuncCall{Name: "strpos", Args: []Expr{s, sub}, Pos: t.pos}
			}
		case "substring":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				s := p.expr()
				args := []Expr{s}
				if p.acceptOp(",") {
					args = append(args, p.exprList()...)
				} else {
					from, forN := Expr(&Const{V: int64(1), T: oidInt4}), Expr(nil)
					if p.acceptKw("from") {
						from = p.expr()
					}
					if p.acceptKw("for") {
						forN = p.expr()
					}
					args = append(args, from)
					if forN != nil {
						args = append(args, forN)
					}
				}
				p.expectOp(")")
				return &FuncCall{Name: "substr", Args: args, Pos: t.pos}
			}
		case "trim":
			if p.peekAt(1).isOp("(") {
				p.next()
				p.expectOp("(")
				name := "btrim"
				switch {
				case p.acceptKw("both"):
				case p.acceptKw("leading"):
					name = "ltrim"
				case p.acceptKw("trailing"):
					name = "rtrim"
				}
				var chars, s Expr
				if p.acceptKw("from") {
					s = p.expr()
				} else {
					first := p.expr()
					if p.acceptKw("from") {
						chars, s = first, p.expr()
					} else if p.acceptOp(",") {
						s, chars = first, p.expr()
					} else {
						s = first
					}
				}
				p.expectOp(")")
				args := []Expr{s}
				if chars != nil {
					args = append(args, chars)
				}
				return &FuncCall{Name: name, Args: args, Pos: t.pos}
			}
		}
		if typedLiteralTypes[t.val] && p.peekAt(1).kind == tString {
			p.next()
			tn := resolveTypeName(t.val)
			s := p.next()
			return &CastExpr{X: &Const{V: s.val, T: oidUnknown, Pos: s.pos}, T: tn, Pos: t.pos}
		}
		if (t.val == "timestamp" || t.val == "time") && p.peekAt(1).is("with") || p.peekAt(1).is("without") && (t.val == "timestamp" || t.val == "time") {
			tn := p.typeName()
			s := p.next()
			if s.kind != tString {
				p.fail(s, "")
			}
			return &CastExpr{X: &Const{V: s.val, T: oidUnknown, Pos: s.pos}, T: tn, Pos: t.pos}
		}
		if t.val == "double" && p.peekAt(1).is("precision") && p.peekAt(2).kind == tString {
			tn := p.typeName()
			s := p.next()
			return &CastExpr{X: &Const{V: s.val, T: oidUnknown, Pos: s.pos}, T: tn, Pos: t.pos}
		}
		if noParenFuncs[t.val] && !p.peekAt(1).isOp("(") {
			p.next()
			return &FuncCall{Name: t.val, Pos: t.pos}
		}
		if reserved[t.val] && !p.peekAt(1).isOp("(") && !noParenFuncs[t.val] {
			p.fail(t, "")
		}
		return p.nameExpr()
	}
	p.fail(t, "")
	return nil
}

func numberConst(t token) *Const {
	if !strings.ContainsAny(t.val, ".eE") {
		if n, err := strconv.ParseInt(t.val, 10, 64); err == nil {
			if n >= -1<<31 && n < 1<<31 {
				return &Const{V: n, T: oidInt4, Pos: t.pos}
			}
			return &Const{V: n, T: oidInt8, Pos: t.pos}
		}
	}
	f, _ := strconv.ParseFloat(t.val, 64)
	return &Const{V: f, T: oidNumeric, Pos: t.pos}
}

func (p *parser) arrayLit(pos int) Expr {
	p.expectOp("[")
	a := &ArrayExpr{Pos: pos}
	if !p.peek().isOp("]") {
		for {
			if p.peek().isOp("[") {
				a.Elems = append(a.Elems, p.arrayLit(p.peek().pos))
			} else {
				a.Elems = append(a.Elems, p.expr())
			}
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectOp("]")
	return a
}

func (p *parser) caseExpr() Expr {
	t := p.next()
	c := &CaseExpr{Pos: t.pos}
	if !p.isKw("when") {
		c.Operand = p.expr()
	}
	for p.acceptKw("when") {
		w := WhenClause{Cond: p.expr()}
		p.expectKw("then")
		w.Then = p.expr()
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.fail(p.peek(), "")
	}
	if p.acceptKw("else") {
		c.Else = p.expr()
	}
	p.expectKw("end")
	return c
}

// nameExpr reads a column reference, rel.*, or a function call.
func (p *parser) nameExpr() Expr {
	t := p.peek()
	start := p.i
	parts := []string{p.ident(true)}
	for p.peek().isOp(".") {
		if p.peekAt(1).isOp("*") {
			p.i += 2
			return &Star{Qual: parts[len(parts)-1], Pos: t.pos}
		}
		p.next()
		parts = append(parts, p.ident(true))
	}
	if p.peek().isOp("(") {
		p.i = start
		return p.funcCallExpr()
	}
	return &ColRef{Parts: parts, Pos: t.pos}
}

func (p *parser) funcCallExpr() *FuncCall {
	t := p.peek()
	parts := []string{p.ident(true)}
	for p.acceptOp(".") {
		parts = append(parts, p.ident(true))
	}
	f := &FuncCall{Name: parts[len(parts)-1], Pos: t.pos}
	if f.Name == "_pg_expandarray" {
		f.Name = "_pg_expandarray"
	}
	p.expectOp("(")
	switch {
	case p.acceptOp("*"):
		f.Star = true
	case p.peek().isOp(")"):
	default:
		if p.acceptKw("distinct") {
			f.Distinct = true
		} else {
			p.acceptKw("all")
		}
		for {
			p.acceptKw("variadic")
			// named argument: name => value
			if p.peek().kind == tIdent && p.peekAt(1).isOp("=") && p.peekAt(2).isOp(">") {
				p.i += 3
			}
			f.Args = append(f.Args, p.expr())
			if !p.acceptOp(",") {
				break
			}
		}
		if p.acceptKw("order", "by") {
			f.OrderBy = p.orderItems()
		}
	}
	p.expectOp(")")
	if p.acceptKw("within", "group") {
		p.expectOp("(")
		p.expectKw("order")
		p.expectKw("by")
		f.OrderBy = p.orderItems()
		p.expectOp(")")
	}
	if p.acceptKw("filter") {
		p.unsupported(p.peekAt(-1), "FILTER (WHERE ...)")
	}
	if p.acceptKw("over") {
		w := &WindowSpec{}
		if !p.peek().isOp("(") {
			p.unsupported(p.peek(), "a named window")
		}
		p.expectOp("(")
		if p.acceptKw("partition", "by") {
			w.PartitionBy = p.exprList()
		}
		if p.acceptKw("order", "by") {
			w.OrderBy = p.orderItems()
		}
		if p.isKw("rows") || p.isKw("range") || p.isKw("groups") {
			for !p.peek().isOp(")") && p.peek().kind != tEOF {
				p.next()
			}
		}
		p.expectOp(")")
		f.Over = w
	}
	return f
}

// typeName reads a type: [schema.]name with the SQL multi-word forms, modifiers and [].
func (p *parser) typeName() TypeName {
	t := p.peek()
	var name string
	switch {
	case t.kind == tQIdent:
		p.next()
		name = t.val
	case t.kind == tIdent:
		p.next()
		name = t.val
		if p.peek().isOp(".") {
			p.next()
			name = p.ident(true)
		}
		switch name {
		case "double":
			p.expectKw("precision")
			name = "double precision"
		case "character", "char", "national":
			if name == "national" {
				p.acceptKw("character")
			}
			if p.acceptKw("varying") {
				name = "character varying"
			} else {
				name = "character"
			}
		case "bit":
			if p.acceptKw("varying") {
				name = "bit varying"
			}
		case "timestamp", "time":
			p.typmods()
			if p.acceptKw("with", "time", "zone") {
				name += " with time zone"
			} else if p.acceptKw("without", "time", "zone") {
				name += " without time zone"
			}
		case "interval":
			for p.isKw("year") || p.isKw("month") || p.isKw("day") || p.isKw("hour") || p.isKw("minute") || p.isKw("second") || p.isKw("to") {
				p.next()
			}
		}
	default:
		p.fail(t, "")
	}
	p.typmods()
	tn := resolveTypeName(name)
	if tn.OID == 0 {
		panic(bailout{types.ErrorAt(types.CodeUndefinedObject, position(p.sql, t.pos), "type \"%s\" does not exist", name)})
	}
	for p.peek().isOp("[") {
		p.next()
		if p.peek().kind == tNumber {
			p.next()
		}
		p.expectOp("]")
		if !tn.Array {
			arr := typeByOID(tn.OID).array
			if arr == 0 {
				panic(bailout{types.ErrorAt(types.CodeUndefinedObject, position(p.sql, t.pos), "type \"%s[]\" does not exist", name)})
			}
			tn = TypeName{Name: tn.Name + "[]", OID: arr, Array: true}
		}
	}
	if p.acceptKw("array") {
		if !tn.Array {
			tn = TypeName{Name: tn.Name + "[]", OID: typeByOID(tn.OID).array, Array: true}
		}
	}
	return tn
}

func (p *parser) typmods() {
	if p.peek().isOp("(") {
		p.next()
		for !p.peek().isOp(")") && p.peek().kind != tEOF {
			p.next()
		}
		p.expectOp(")")
	}
}
