package parser

import (
	"strings"

	"github.com/streamsql/streamsql/parser/ast"
)

// The query pipeline: peel the ksqlDB clauses, rewrite, parse with TiDB, convert, restore.

// peeled holds the ksqlDB clauses taken off a query's top level.
type peeled struct {
	window      *ast.Window
	emit        ast.Emit
	emitTok     *token
	partition   []token
	partitionAt *token
}

// peel removes WINDOW <kind> (...), EMIT CHANGES|FINAL and PARTITION BY exprs from the top
// level of a query (not from subqueries, and not from OVER (PARTITION BY ...)).
func (p *parser) peel(toks []token) ([]token, peeled) {
	var pl peeled
	out := make([]token, 0, len(toks))
	depth := 0
	at := func(j int) *token {
		if j < len(toks) {
			return &toks[j]
		}
		return &p.eof
	}
	for i := 0; i < len(toks); {
		t := &toks[i]
		switch {
		case t.isOp("(") || t.isOp("["):
			depth++
		case t.isOp(")") || t.isOp("]"):
			depth--
		case depth != 0 || t.kind != tWord:
		case t.is("EMIT") && (at(i+1).is("CHANGES") || at(i+1).is("FINAL")):
			if pl.emitTok != nil {
				p.failf(t, "EMIT given twice")
			}
			pl.emitTok, pl.emit = t, ast.EmitChanges
			if at(i + 1).is("FINAL") {
				pl.emit = ast.EmitFinal
			}
			i += 2
			continue
		case t.is("WINDOW") && (isWindowKind(at(i+1)) || at(i+1).kind != tOp && isWindowKind(at(i+2))):
			if pl.window != nil {
				p.failf(t, "WINDOW given twice")
			}
			sp := p.sub(toks, i)
			pl.window = sp.window()
			i += sp.i
			continue
		case t.is("PARTITION") && at(i+1).is("BY"):
			if pl.partitionAt != nil {
				p.failf(t, "PARTITION BY given twice")
			}
			end := clauseEnd(toks, i+2, false)
			if end == i+2 || (end == i+4 && at(i+2).isOp("(") && at(i+3).isOp(")")) {
				p.failf(at(end-1), "syntax error at or near %s: PARTITION BY requires at least one expression", describe(at(end-1)))
			}
			pl.partitionAt, pl.partition = t, toks[i+2:end]
			i = end
			continue
		}
		out = append(out, *t)
		i++
	}
	return out, pl
}

func isWindowKind(t *token) bool { return t.is("TUMBLING") || t.is("HOPPING") || t.is("SESSION") }

// unwrapOperators replaces Postgres' OPERATOR(schema.op) by the operator itself.
func unwrapOperators(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		if toks[i].is("OPERATOR") && i+1 < len(toks) && toks[i+1].isOp("(") {
			j := i + 2
			for j+1 < len(toks) && (toks[j].kind == tWord || toks[j].kind == tQIdent) && toks[j+1].isOp(".") {
				j += 2
			}
			if j+1 < len(toks) && toks[j].kind == tOp && toks[j+1].isOp(")") {
				if out == nil {
					out = append([]token(nil), toks[:i]...)
				}
				op := toks[j]
				op.pos, op.off = toks[i].pos, toks[i].off
				out = append(out, op)
				i = j + 1
				continue
			}
		}
		if out != nil {
			out = append(out, toks[i])
		}
	}
	if out == nil {
		return toks
	}
	return out
}

// queryRest parses the rest of the statement as a query.
func (p *parser) queryRest() ast.Query {
	toks := p.toks[p.i:]
	p.i = len(p.toks)
	return p.queryTokens(toks)
}

// queryTokens parses toks as one query: SELECT, WITH ... SELECT, or a set operation.
func (p *parser) queryTokens(toks []token) ast.Query {
	if len(toks) == 0 {
		p.fail(&p.eof, "a query")
	}
	rest, pl := p.peel(unwrapOperators(toks))
	if len(rest) == 0 {
		p.fail(&toks[0], "a query")
	}
	r := &rewriter{p: p}
	r.out = r.seq(rest)
	r.checkJoins()
	stmt := r.tidbParse(&rest[0])
	c := &converter{r: r}
	q := c.query(stmt)
	sel, isSelect := q.(*ast.Select)
	if !isSelect && (pl.window != nil || pl.emitTok != nil || pl.partitionAt != nil) {
		at := pl.emitTok
		if at == nil {
			at = pl.partitionAt
		}
		if at == nil {
			at = &toks[0]
		}
		p.failf(at, "WINDOW, PARTITION BY and EMIT apply to a single SELECT, not to a set operation")
	}
	if isSelect {
		sel.Window, sel.Emit = pl.window, pl.emit
		if pl.partitionAt != nil {
			sel.PartitionBy = p.exprList(pl.partition, pl.partitionAt)
		}
	}
	setSource(q, toks[0].pos, p.src[toks[0].off:toks[len(toks)-1].end])
	return q
}

// exprList parses toks as a comma-separated list of expressions (INSERT ... VALUES, PARTITION
// BY) by running `SELECT <toks>` through the query pipeline. at is where the list starts.
func (p *parser) exprList(toks []token, at *token) []ast.Expr {
	if len(toks) == 0 {
		return []ast.Expr{}
	}
	if literalFastPath {
		if exprs, ok := literalList(toks); ok {
			return exprs
		}
	}
	sel := token{kind: tWord, text: "SELECT", off: at.off, end: at.off, pos: at.pos}
	r := &rewriter{p: p}
	r.out = append([]rtok{{text: "SELECT", kind: tWord, src: &sel, synth: true}}, r.seq(toks)...)
	r.checkJoins()
	stmt := r.tidbParse(&toks[0])
	c := &converter{r: r}
	q, ok := c.query(stmt).(*ast.Select)
	if !ok || q.From != nil || q.Where != nil || len(q.GroupBy) > 0 || q.Having != nil ||
		len(q.OrderBy) > 0 || q.Limit != nil || q.Distinct {
		p.failf(&toks[0], "syntax error: expected a list of expressions")
	}
	exprs := make([]ast.Expr, len(q.Items))
	for i, it := range q.Items {
		if it.Alias != nil {
			p.failf(&toks[0], "syntax error at or near %q: expected \",\"", it.Alias.Name)
		}
		if _, star := it.Expr.(*ast.Star); star {
			p.failf(&toks[0], "syntax error: * is not a value")
		}
		exprs[i] = it.Expr
	}
	return exprs
}

// literalFastPath lets exprList convert a list of plain literals itself (tests turn it off to
// compare with TiDB's path).
var literalFastPath = true

// literalList converts a comma-separated list whose items are each one literal (a string,
// bytes, a number, optionally negated, TRUE, FALSE or NULL) without TiDB's parser: the VALUES of
// an INSERT nearly always look like that, and TiDB's parse was a quarter of an INSERT's CPU.
// The literals are made by tokenLiteral, as the converter makes them from the same tokens;
// anything else (ok false) goes the general way.
func literalList(toks []token) ([]ast.Expr, bool) {
	exprs := make([]ast.Expr, 0, len(toks)/2+1)
	for i := 0; i < len(toks); {
		t := &toks[i]
		var e ast.Expr
		switch {
		case t.isOp("-") && i+1 < len(toks) && toks[i+1].kind == tNumber && plainNumber(toks[i+1].text):
			// As the converter folds TiDB's unary minus over a number: one literal at the '-'.
			i++
			e = numberLiteral("-"+toks[i].text, t.pos)
		case t.kind == tNumber && !plainNumber(t.text):
			return nil, false
		default:
			lit, ok := tokenLiteral(t)
			if !ok {
				return nil, false
			}
			e = lit
		}
		exprs = append(exprs, e)
		i++
		if i == len(toks) {
			return exprs, true
		}
		if !toks[i].isOp(",") || i+1 == len(toks) {
			return nil, false
		}
		i++
	}
	return nil, false
}

// plainNumber reports whether s is digits with at most one '.', and an optional exponent of
// digits: the numbers whose reading TiDB and numberLiteral agree on.
func plainNumber(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		exp = strings.TrimLeft(exp, "+-")
		if exp == "" || strings.Trim(exp, "0123456789") != "" {
			return false
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	return intPart+frac != "" && strings.Trim(intPart, "0123456789") == "" && strings.Trim(frac, "0123456789") == ""
}
