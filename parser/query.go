package parser

import (
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
