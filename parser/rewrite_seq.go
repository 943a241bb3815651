package parser

import (
	"strconv"
	"strings"
)

// syntaxWords stay bare in the text TiDB reads: they are the SQL of queries. Every other word
// is rendered in backticks, so that whatever TiDB reserves (KEY, SCHEMA, SPLIT, DEC...) reads
// as the plain name it is in Postgres and ksqlDB.
var syntaxWords = wordSet(`SELECT FROM WHERE GROUP BY HAVING ORDER LIMIT OFFSET ASC DESC AS ON
	JOIN INNER LEFT RIGHT OUTER CROSS NATURAL USING UNION ALL DISTINCT EXCEPT INTERSECT WITH
	RECURSIVE AND OR NOT XOR IN IS NULL TRUE FALSE UNKNOWN LIKE ILIKE ESCAPE BETWEEN CASE WHEN
	THEN ELSE END EXISTS ANY SOME OVER PARTITION FOR BOTH LEADING TRAILING REGEXP RLIKE DIV MOD
	VALUES ROW`)

// specialFuncs keep their TiDB grammar when called: aggregates (DISTINCT, *), window functions
// (OVER) and the functions with keyword arguments. Other calls are generic calls of a
// backticked name.
var specialFuncs = wordSet(`COUNT SUM AVG MIN MAX GROUP_CONCAT BIT_AND BIT_OR BIT_XOR STD STDDEV
	STDDEV_POP STDDEV_SAMP VAR_POP VAR_SAMP VARIANCE APPROX_COUNT_DISTINCT ROW_NUMBER RANK
	DENSE_RANK PERCENT_RANK CUME_DIST NTILE LEAD LAG FIRST_VALUE LAST_VALUE NTH_VALUE TRIM
	SUBSTRING SUBSTR POSITION`)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var intervalUnits = map[string]bool{
	"MICROSECOND": true, "SECOND": true, "MINUTE": true, "HOUR": true, "DAY": true, "WEEK": true,
	"MONTH": true, "QUARTER": true, "YEAR": true, "SECONDS": true, "MINUTES": true, "HOURS": true,
	"DAYS": true, "WEEKS": true, "MONTHS": true, "YEARS": true, "MILLISECOND": true,
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// seq rewrites a balanced token range.
func (r *rewriter) seq(toks []token) []rtok {
	out := make([]rtok, 0, len(toks)+8)
	frames := []frame{{}}
	at := func(j int) *token {
		if j < len(toks) {
			return &toks[j]
		}
		return &r.p.eof
	}
	for i := 0; i < len(toks); {
		t := &toks[i]
		f := &frames[len(frames)-1]
		nx := at(i + 1)
		var prev *rtok
		if len(out) > 0 {
			prev = &out[len(out)-1]
		}
		if t.kind == tParam || t.isOp("?") {
			n := r.paramNumber(t)
			if prev != nil && (prev.isWord("LIMIT") || prev.isWord("OFFSET")) {
				// TiDB takes only a marker here, not an expression.
				out = append(out, rtok{text: "?", kind: tParam, src: t, param: n})
			} else {
				out = append(out, call("param", t, intArg(n, t))...)
			}
			i++
			continue
		}
		switch t.kind {
		case tString, tQIdent, tNumber, tBytes:
			// MySQL reads `x 'alias'` and `'a' 'b'`; Postgres and ksqlDB do not.
			if t.kind == tString && prev != nil && (endsOperand(prev) || prev.isWord("AS")) {
				r.fail(t, "")
			}
			out = append(out, emitSrc(t))
			i++
			continue
		case tOp:
			i = r.op(toks, i, &out, &frames)
			continue
		}
		// A word. After a dot it is always a name (t.key, pg_catalog.replace).
		w := t.upper()
		if prev != nil && prev.isOp(".") {
			if strings.HasPrefix(strings.ToLower(t.text), pseudo) {
				r.failf(t, "names starting with %s are reserved", pseudo)
			}
			out = append(out, backtick(t))
			i++
			continue
		}
		switch {
		case w == "CAST" && nx.isOp("("):
			i = r.cast(toks, i, &out)
			continue
		case w == "ARRAY" && nx.isOp("["):
			end := matchClose(toks, i+1)
			if end < 0 {
				r.failf(nx, "unbalanced \"[\"")
			}
			out = append(out, call("array", t, r.seq(toks[i+2:end]))...)
			i = end + 1
			continue
		case w == "ARRAY" && nx.isOp("("):
			end := r.p.matchIn(toks, i+1)
			inner := append([]rtok{synth("(", tOp, nx)}, r.seq(toks[i+2:end])...)
			out = append(out, call("arraysub", t, append(inner, synth(")", tOp, nx)))...)
			i = end + 1
			continue
		case (w == "STRUCT" || w == "MAP") && nx.isOp("("):
			i = r.constructor(toks, i, &out)
			continue
		case w == "EXTRACT" && nx.isOp("("):
			end := r.p.matchIn(toks, i+1)
			inner := toks[i+2 : end]
			var args [][]rtok
			if len(inner) > 2 && (inner[0].kind == tWord || inner[0].kind == tString) && inner[1].is("FROM") {
				field := inner[0].val
				if inner[0].kind == tWord {
					field = strings.ToUpper(inner[0].text)
				}
				args = [][]rtok{strArg(field, &inner[0]), r.seq(inner[2:])}
			} else {
				for _, a := range splitArgs(inner) {
					args = append(args, r.seq(a))
				}
			}
			out = append(out, call("extract", t, args...)...)
			i = end + 1
			continue
		case (w == "DATE" || w == "TIME" || w == "TIMESTAMP" || w == "TIMESTAMPTZ") && (nx.kind == tString ||
			nx.is("WITH") || nx.is("WITHOUT")):
			// A typed literal, TIMESTAMP '2024-05-01 10:00', is a cast of the string.
			k, n := r.parseType(toks, i)
			if s := at(i + n); s.kind == tString {
				out = append(out, call("cast", t, []rtok{emitSrc(s)}, intArg(k, t))...)
				i += n + 1
				continue
			}
			r.types = r.types[:len(r.types)-1]
		case w == "INTERVAL" && (nx.kind == tString || nx.kind == tNumber):
			unit := ""
			n := 2
			if u := at(i + 2); intervalUnits[u.upper()] {
				unit, n = u.upper(), 3
			}
			val := nx.text
			if nx.kind == tString {
				val = nx.val
			}
			out = append(out, call("interval", t, strArg(val, nx), strArg(unit, t))...)
			i += n
			continue
		case w == "COLLATE" && prev != nil:
			start := r.operandStart(out, t)
			j := i + 1
			var name strings.Builder
			for {
				c := at(j)
				if c.kind != tWord && c.kind != tQIdent && c.kind != tString {
					r.fail(c, "a collation name")
				}
				name.WriteString(c.text)
				j++
				if !at(j).isOp(".") {
					break
				}
				name.WriteString(".")
				j++
			}
			wrap(&out, start, "collate", strArg(name.String(), t))
			i = j
			continue
		case w == "IS" && (nx.is("DISTINCT") || nx.is("NOT") && at(i+2).is("DISTINCT")):
			j := i + 2
			if nx.is("NOT") {
				j++
			}
			if !at(j).is("FROM") {
				r.fail(at(j), "FROM")
			}
			out = append(out, synth("<=>", tOp, t))
			if nx.is("NOT") {
				i = j + 1
				continue
			}
			end := r.operandEnd(toks, j+1)
			if end == j+1 {
				r.fail(at(j+1), "an operand")
			}
			out = append(out, call("distinct", t, r.seq(toks[j+1:end]))...)
			i = end
			continue
		case w == "FULL" && (nx.is("JOIN") || nx.is("OUTER") && at(i+2).is("JOIN")):
			out = append(out, synth("LEFT", tWord, t))
			f.pendFull = true
			i++
			continue
		case w == "JOIN":
			r.requireOn(f)
			cross := prev != nil && (prev.isWord("CROSS") || prev.isWord("NATURAL"))
			out = append(out, emitSrc(t))
			f.join = &joinInfo{full: f.pendFull, tok: t}
			if f.join.full {
				r.metas = append(r.metas, f.join)
			}
			if cross {
				f.join = nil // CROSS JOIN takes no condition
			}
			f.pendFull, f.inFrom = false, f.query
			i++
			continue
		case w == "WITHIN" && f.join != nil:
			sp := r.p.sub(toks, i)
			if f.join.within != nil {
				r.failf(t, "WITHIN given twice")
			}
			f.join.within = sp.within()
			if !f.join.full {
				r.metas = append(r.metas, f.join)
			}
			i += sp.i
			continue
		case w == "ON" && f.join != nil:
			info := f.join
			f.join = nil
			out = append(out, emitSrc(t))
			i++
			if !info.full && info.within == nil {
				continue
			}
			end := clauseEnd(toks, i, true)
			info.done = true
			r.joins = append(r.joins, *info)
			out = append(out, call("join", t, intArg(len(r.joins)-1, t), r.seq(toks[i:end]))...)
			i = end
			continue
		case w == "USING" && f.join != nil:
			if f.join.full || f.join.within != nil {
				r.failf(t, "FULL JOIN and WITHIN need an ON condition")
			}
			f.join = nil
		case w == "SELECT":
			f.query, f.inFrom = true, false
		case w == "FROM":
			f.inFrom = f.query
			out = append(out, emitSrc(t))
			i++
			continue
		case w == "WHERE" || w == "GROUP" || w == "HAVING" || w == "LIMIT" || w == "UNION" ||
			w == "EXCEPT" || w == "INTERSECT" || w == "WINDOW" || w == "OFFSET":
			r.requireOn(f)
			f.inFrom, f.orderMode = false, false
		case w == "ORDER" && nx.is("BY"):
			r.requireOn(f)
			f.inFrom = false
			out = append(out, emitSrc(t), emitSrc(nx))
			f.orderMode, f.orderStart = true, len(out)
			i += 2
			continue
		case w == "NULLS" && f.orderMode && (nx.is("FIRST") || nx.is("LAST")):
			item := append([]rtok(nil), out[f.orderStart:]...)
			var dir []rtok
			if n := len(item); n > 0 && (item[n-1].isWord("ASC") || item[n-1].isWord("DESC")) {
				dir, item = item[n-1:], item[:n-1]
			}
			first := 0
			if nx.is("FIRST") {
				first = 1
			}
			out = append(append(out[:f.orderStart], call("nulls", t, item, intArg(first, nx))...), dir...)
			i += 2
			continue
		case w == "AS" && (nx.kind == tWord):
			out = append(out, emitSrc(t), backtick(nx))
			i += 2
			continue
		case (w == "ANY" || w == "SOME" || w == "ALL") && nx.isOp("(") && prev != nil && prev.kind == tOp && comparisonOps[prev.text]:
			if s := at(i + 2); s.is("SELECT") || s.is("WITH") || s.isOp("(") {
				break // a subquery: TiDB knows `= ANY (SELECT ...)`
			}
			end := r.p.matchIn(toks, i+1)
			name := "any"
			if w == "ALL" {
				name = "all"
			}
			out = append(out, call(name, t, r.seq(toks[i+2:end]))...)
			i = end + 1
			continue
		}
		if f.inFrom && prev != nil && (prev.isWord("FROM") || prev.isWord("JOIN") || prev.isOp(",") || prev.isOp("(")) {
			if j := i + 1; nx.isOp("(") || nx.isOp(".") && at(i+3).isOp("(") {
				if !nx.isOp("(") {
					j = i + 3
				}
				i = r.tableFunc(toks, i, j, &out)
				continue
			}
		}
		if strings.HasPrefix(strings.ToLower(t.text), pseudo) {
			r.failf(t, "names starting with %s are reserved", pseudo)
		}
		afterDot := prev != nil && prev.isOp(".")
		// COUNT() is ksqlDB's, and TiDB rejects it: call it as a generic function.
		call := nx.isOp("(") && !(w == "COUNT" && at(i+2).isOp(")"))
		if !afterDot && (syntaxWords[w] || call && specialFuncs[w]) {
			out = append(out, emitSrc(t))
		} else {
			out = append(out, backtick(t))
		}
		i++
	}
	for k := range frames {
		r.requireOn(&frames[k])
	}
	return out
}

// paramNumber returns the number of a $n or ? parameter (? are numbered in order).
func (r *rewriter) paramNumber(t *token) int {
	if t.isOp("?") {
		r.qmarks++
		return r.qmarks
	}
	n, err := strconv.Atoi(t.text[1:])
	if err != nil || n < 1 || n > 65535 {
		r.failf(t, "invalid parameter %s", t.text)
	}
	return n
}

// matchIn returns the index closing the bracket at toks[open], failing when there is none.
func (p *parser) matchIn(toks []token, open int) int {
	j := matchClose(toks, open)
	if j < 0 {
		p.failf(&toks[open], "unbalanced %q", toks[open].text)
	}
	return j
}
