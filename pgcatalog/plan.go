package pgcatalog

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// queryPlan is a compiled query: its columns and how to produce its rows in a context.
type queryPlan struct {
	cols []outCol
	run  func(c *ctx) ([][]Value, error)
	qc   *qcomp
}

// eval runs the plan; an uncorrelated plan runs once per statement.
func (p *queryPlan) eval(c *ctx) ([][]Value, error) {
	if p.qc != nil && !p.qc.correlated {
		if rows, ok := c.q.memo[p]; ok {
			return rows, nil
		}
		rows, err := p.run(c)
		if err != nil {
			return nil, err
		}
		c.q.memo[p] = rows
		return rows, nil
	}
	return p.run(c)
}

func newQC(parent *scope) *qcomp {
	qc := &qcomp{ctes: map[string]*cteDef{}}
	if parent != nil {
		qc.parent = parent.qc
	}
	return qc
}

func childScope(parent *scope, qc *qcomp, st *state) *scope {
	return &scope{outer: parent, qc: qc, st: st}
}

// compileQuery compiles a full query whose outer scope is parent (nil at top level).
func compileQuery(q *Query, parent *scope) (*queryPlan, error) {
	st := parent.st
	qc := newQC(parent)
	base := childScope(parent, qc, st)
	for _, cte := range q.With {
		plan, err := compileQuery(cte.Q, base)
		if err != nil {
			return nil, err
		}
		if len(cte.Cols) > len(plan.cols) {
			return nil, types.Errorf(types.CodeInvalidColumnRef, "WITH query \"%s\" has %d columns available but %d columns specified", cte.Name, len(plan.cols), len(cte.Cols))
		}
		qc.ctes[cte.Name] = &cteDef{plan: plan, cols: cte.Cols}
	}
	var plan *queryPlan
	var err error
	if sel, ok := q.Body.(*Select); ok {
		plan, err = compileSelect(sel, base, qc, q.OrderBy)
	} else {
		plan, err = compileBody(q.Body, base, qc)
		if err == nil && len(q.OrderBy) > 0 {
			plan, err = orderByOutput(plan, q.OrderBy, base, qc)
		}
	}
	if err != nil {
		return nil, err
	}
	var limitFn, offsetFn evalFn
	if q.Limit != nil {
		if limitFn, _, err = compileExpr(q.Limit, base); err != nil {
			return nil, err
		}
	}
	if q.Offset != nil {
		if offsetFn, _, err = compileExpr(q.Offset, base); err != nil {
			return nil, err
		}
	}
	inner := plan.run
	// The plan's parts run in the context of base: a level with no columns of its own
	// between the caller's row and this query's rows.
	return &queryPlan{cols: plan.cols, qc: qc, run: func(c *ctx) ([][]Value, error) {
		bc := &ctx{outer: c, q: c.q}
		rows, err := inner(bc)
		if err != nil {
			return nil, err
		}
		if offsetFn != nil {
			v, err := offsetFn(bc)
			if err != nil {
				return nil, err
			}
			if n, ok := asInt(v); ok && v != nil {
				if n < 0 {
					return nil, errorf("2201X", "OFFSET must not be negative")
				}
				rows = rows[min(int(n), len(rows)):]
			}
		}
		if limitFn != nil {
			v, err := limitFn(bc)
			if err != nil {
				return nil, err
			}
			if n, ok := asInt(v); ok && v != nil {
				if n < 0 {
					return nil, errorf("2201W", "LIMIT must not be negative")
				}
				rows = rows[:min(int(n), len(rows))]
			}
		}
		return rows, nil
	}}, nil
}

// compileBody compiles a set operation, VALUES or a parenthesized query.
func compileBody(b QueryBody, base *scope, qc *qcomp) (*queryPlan, error) {
	switch x := b.(type) {
	case *Select:
		return compileSelect(x, base, qc, nil)
	case *Query:
		return compileQuery(x, base)
	case *Values:
		return compileValues(x, base)
	case *SetOp:
		l, err := compileBody(x.L, base, qc)
		if err != nil {
			return nil, err
		}
		r, err := compileBody(x.R, base, qc)
		if err != nil {
			return nil, err
		}
		if len(l.cols) != len(r.cols) {
			return nil, types.Errorf(types.CodeSyntaxError, "each %s query must have the same number of columns", strings.ToUpper(x.Op))
		}
		cols := make([]outCol, len(l.cols))
		for i := range cols {
			cols[i] = l.cols[i]
			if cols[i].typ == oidUnknown {
				cols[i].typ = r.cols[i].typ
			}
		}
		return &queryPlan{cols: cols, run: func(c *ctx) ([][]Value, error) {
			lr, err := l.eval(c)
			if err != nil {
				return nil, err
			}
			rr, err := r.eval(c)
			if err != nil {
				return nil, err
			}
			switch x.Op {
			case "union":
				out := append(append([][]Value{}, lr...), rr...)
				if !x.All {
					out = distinctRows(out, len(cols))
				}
				return out, nil
			case "intersect", "except":
				in := map[string]int{}
				for _, row := range rr {
					in[rowKey(row)]++
				}
				var out [][]Value
				for _, row := range lr {
					k := rowKey(row)
					has := in[k] > 0
					if x.Op == "intersect" && has || x.Op == "except" && !has {
						out = append(out, row)
						if x.All && x.Op == "intersect" {
							in[k]--
						}
					}
				}
				if !x.All {
					out = distinctRows(out, len(cols))
				}
				return out, nil
			}
			return nil, types.Errorf(types.CodeSyntaxError, "unknown set operation %s", x.Op)
		}}, nil
	}
	return nil, types.Errorf(types.CodeFeatureNotSupported, "query form %T is not supported", b)
}

func compileValues(v *Values, base *scope) (*queryPlan, error) {
	if len(v.Rows) == 0 {
		return nil, types.Errorf(types.CodeSyntaxError, "VALUES needs at least one row")
	}
	width := len(v.Rows[0])
	fns := make([][]evalFn, len(v.Rows))
	cols := make([]outCol, width)
	for i := range cols {
		cols[i] = outCol{name: "column" + itoa(i+1), typ: oidUnknown, typmod: -1}
	}
	for i, row := range v.Rows {
		if len(row) != width {
			return nil, types.Errorf(types.CodeSyntaxError, "VALUES lists must all be the same length")
		}
		fns[i] = make([]evalFn, width)
		for j, e := range row {
			fn, t, err := compileExpr(e, base)
			if err != nil {
				return nil, err
			}
			fns[i][j] = fn
			if cols[j].typ == oidUnknown {
				cols[j].typ = t
			}
		}
	}
	return &queryPlan{cols: cols, run: func(c *ctx) ([][]Value, error) {
		out := make([][]Value, len(fns))
		ec := c
		for i, row := range fns {
			out[i] = make([]Value, width)
			for j, fn := range row {
				v, err := fn(ec)
				if err != nil {
					return nil, err
				}
				out[i][j] = v
			}
		}
		return out, nil
	}}, nil
}

// orderByOutput sorts a set operation's rows by output columns (names or ordinals).
func orderByOutput(plan *queryPlan, items []OrderItem, base *scope, qc *qcomp) (*queryPlan, error) {
	sc := childScope(base, qc, base.st)
	for _, c := range plan.cols {
		sc.cols = append(sc.cols, scopeCol{name: c.name, typ: c.typ})
	}
	keys := make([]sortKey, len(items))
	for i, it := range items {
		var fn evalFn
		if c, ok := it.X.(*Const); ok {
			if n, isInt := c.V.(int64); isInt {
				if n < 1 || int(n) > len(plan.cols) {
					return nil, types.Errorf(types.CodeInvalidColumnRef, "ORDER BY position %d is not in select list", n)
				}
				fn = colFn(0, int(n-1))
			}
		}
		if fn == nil {
			var err error
			if fn, _, err = compileExpr(it.X, sc); err != nil {
				return nil, err
			}
		}
		keys[i] = sortKey{fn: fn, desc: it.Desc, nullsFirst: nullsFirst(it)}
	}
	inner := plan.run
	width := len(plan.cols)
	return &queryPlan{cols: plan.cols, run: func(c *ctx) ([][]Value, error) {
		rows, err := inner(c)
		if err != nil {
			return nil, err
		}
		ext := make([][]Value, len(rows))
		for i, r := range rows {
			ext[i] = append(append(make([]Value, 0, width+len(keys)), r...), make([]Value, len(keys))...)
			ec := &ctx{row: r, outer: c, q: c.q}
			for k, key := range keys {
				v, err := key.fn(ec)
				if err != nil {
					return nil, err
				}
				ext[i][width+k] = v
			}
		}
		sortRows(ext, keys, width)
		for i := range ext {
			ext[i] = ext[i][:width]
		}
		return ext, nil
	}}, nil
}

func nullsFirst(it OrderItem) bool {
	if it.NullsFirst != nil {
		return *it.NullsFirst
	}
	return it.Desc
}

func distinctRows(rows [][]Value, width int) [][]Value {
	seen := map[string]bool{}
	out := rows[:0:0]
	for _, r := range rows {
		k := rowKey(r[:width])
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// source is a compiled FROM item.
type source struct {
	cols []scopeCol
	rows func(c *ctx) ([][]Value, error)
}

func compileFrom(item FromItem, parent *scope, qc *qcomp) (*source, error) {
	st := parent.st
	switch x := item.(type) {
	case *TableRef:
		qual := x.Name
		if x.Alias != "" {
			qual = x.Alias
		}
		var src *source
		if cte := parent.lookupQC(x.Name); cte != nil && x.Schema == "" {
			src = &source{rows: cte.plan.eval}
			for _, c := range cte.plan.cols {
				src.cols = append(src.cols, scopeCol{qual: qual, name: c.name, typ: c.typ, typmod: c.typmod})
			}
			for i, n := range cte.cols {
				src.cols[i].name = n
			}
		} else {
			var rel *sysRelation
			switch x.Schema {
			case "":
				rel = sysByShortName[x.Name]
			case "pg_catalog", "information_schema":
				rel = sysByName[x.Schema+"."+x.Name]
			}
			if rel == nil {
				if _, ok := st.relOID[x.Name]; ok && (x.Schema == "" || x.Schema == "public") {
					return nil, types.Errorf(types.CodeFeatureNotSupported, "streams and tables cannot be queried together with catalog relations (%s)", x.Name)
				}
				name := x.Name
				if x.Schema != "" {
					name = x.Schema + "." + name
				}
				return nil, &types.Error{Code: types.CodeUndefinedTable, Message: "relation \"" + name + "\" does not exist"}
			}
			src = &source{rows: func(c *ctx) ([][]Value, error) {
				rows := c.q.st.rowsOf(rel)
				out := make([][]Value, len(rows))
				for i, r := range rows {
					out[i] = append(r[:len(r):len(r)], rel.oid) // the tableoid system column
				}
				return out, c.q.account(len(out))
			}}
			for _, c := range rel.cols {
				src.cols = append(src.cols, scopeCol{qual: qual, name: c.name, typ: c.typ, typmod: -1})
			}
			src.cols = append(src.cols, scopeCol{qual: qual, name: "tableoid", typ: oidOID, typmod: -1, system: true})
		}
		for i, n := range x.Cols {
			if i < len(src.cols) && !src.cols[i].system {
				src.cols[i].name = n
			}
		}
		return src, nil
	case *SubqueryRef:
		plan, err := compileQuery(x.Q, parent)
		if err != nil {
			return nil, err
		}
		src := &source{rows: plan.eval}
		for i, c := range plan.cols {
			name := c.name
			if i < len(x.Cols) {
				name = x.Cols[i]
			}
			src.cols = append(src.cols, scopeCol{qual: x.Alias, name: name, typ: resolveUnknown(c.typ), typmod: c.typmod})
		}
		return src, nil
	case *FuncRef:
		return compileFuncSource(x, parent)
	case *JoinRef:
		return compileJoin(x, parent, qc)
	}
	return nil, types.Errorf(types.CodeFeatureNotSupported, "FROM item %T is not supported", item)
}

// conjunct is one AND-ed condition of a WHERE or ON clause.
type conjunct struct {
	fn   evalFn
	deps uint64 // FROM items referenced (bit i: item i)
	// an equality between an expression over earlier items and one over a single item
	eqA, eqB         evalFn
	eqADeps, eqBDeps uint64
	applied          bool
}

func splitAnd(e Expr, out []Expr) []Expr {
	if e == nil {
		return out
	}
	if b, ok := e.(*BinaryExpr); ok && b.Op == "and" {
		return splitAnd(b.R, splitAnd(b.L, out))
	}
	if p, ok := e.(*ParenExpr); ok {
		return splitAnd(p.X, out)
	}
	return append(out, e)
}

// compileConjuncts compiles a condition in sc, recording which items (by column offsets)
// each part depends on.
func compileConjuncts(cond Expr, sc *scope, offsets []int) ([]*conjunct, error) {
	itemOf := func(idx int) int {
		for i := len(offsets) - 1; i >= 0; i-- {
			if idx >= offsets[i] {
				return i
			}
		}
		return 0
	}
	depsOf := func(e Expr) (evalFn, uint64, error) {
		sc.track = map[int]bool{}
		fn, _, err := compileExpr(e, sc)
		var deps uint64
		for idx := range sc.track {
			deps |= 1 << uint(itemOf(idx))
		}
		sc.track = nil
		return fn, deps, err
	}
	var out []*conjunct
	for _, e := range splitAnd(cond, nil) {
		fn, deps, err := depsOf(e)
		if err != nil {
			return nil, err
		}
		cj := &conjunct{fn: fn, deps: deps}
		if b, ok := e.(*BinaryExpr); ok && b.Op == "=" {
			lt, rt := staticType(b.L, sc), staticType(b.R, sc)
			a, ad, err1 := depsOf(coerceConst(b.L, rt, sc))
			bb, bd, err2 := depsOf(coerceConst(b.R, lt, sc))
			if err1 == nil && err2 == nil && ad != 0 && bd != 0 && ad&bd == 0 {
				cj.eqA, cj.eqB, cj.eqADeps, cj.eqBDeps = a, bb, ad, bd
			}
		}
		out = append(out, cj)
	}
	return out, nil
}

func compileJoin(j *JoinRef, parent *scope, qc *qcomp) (*source, error) {
	l, err := compileFrom(j.L, parent, qc)
	if err != nil {
		return nil, err
	}
	r, err := compileFrom(j.R, parent, qc)
	if err != nil {
		return nil, err
	}
	nl := len(l.cols)
	cols := append(append([]scopeCol{}, l.cols...), r.cols...)
	sc := childScope(parent, qc, parent.st)
	sc.qc = qc
	sc.cols = cols
	cond := j.On
	using := j.Using
	if j.Natural {
		for _, lc := range l.cols {
			for _, rc := range r.cols {
				if lc.name == rc.name {
					using = append(using, lc.name)
				}
			}
		}
	}
	for _, name := range using {
		li, ri := -1, -1
		for i, c := range l.cols {
			if c.name == name && !c.hidden {
				li = i
			}
		}
		for i, c := range r.cols {
			if c.name == name && !c.hidden {
				ri = i
			}
		}
		if li < 0 || ri < 0 {
			return nil, types.Errorf(types.CodeUndefinedColumn, "column \"%s\" specified in USING clause does not exist", name)
		}
		sc.cols[nl+ri].hidden = true
		eq := &BinaryExpr{Op: "=", L: &colIndex{li}, R: &colIndex{nl + ri}}
		if cond == nil {
			cond = eq
		} else {
			cond = &BinaryExpr{Op: "and", L: cond, R: eq}
		}
	}
	conjs, err := compileConjuncts(cond, sc, []int{0, nl})
	if err != nil {
		return nil, err
	}
	kind := j.Kind
	return &source{cols: sc.cols, rows: func(c *ctx) ([][]Value, error) {
		lr, err := l.rows(c)
		if err != nil {
			return nil, err
		}
		rr, err := r.rows(c)
		if err != nil {
			return nil, err
		}
		return joinTwo(c, lr, rr, nl, len(r.cols), conjs, kind)
	}}, nil
}

// colIndex is a resolved column reference (for USING).
type colIndex struct{ idx int }

func (*colIndex) pos() int { return 0 }

// joinTwo joins two row sets; conditions see the concatenated row.
func joinTwo(c *ctx, lr, rr [][]Value, nl, nr int, conjs []*conjunct, kind string) ([][]Value, error) {
	if kind == "right" {
		// Swap sides through the same machinery: build rows as left+right, match from the right.
		out, err := joinMatch(c, rr, lr, nl, nr, conjs, true)
		if err != nil {
			return nil, err
		}
		res := make([][]Value, len(out))
		for i, m := range out {
			res[i] = m.row
		}
		return res, nil
	}
	out, err := joinMatch(c, lr, rr, nl, nr, conjs, false)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "left", "full":
		// Matches in left order, each unmatched left row NULL-extended in its place.
		var res [][]Value
		byLeft := map[int][][]Value{}
		var rightSeen map[int]bool
		if kind == "full" {
			rightSeen = map[int]bool{}
		}
		for _, m := range out {
			byLeft[m.outer] = append(byLeft[m.outer], m.row)
			if rightSeen != nil {
				rightSeen[m.inner] = true
			}
		}
		for i, l := range lr {
			if rows := byLeft[i]; len(rows) > 0 {
				res = append(res, rows...)
				continue
			}
			row := make([]Value, nl+nr)
			copy(row, l)
			res = append(res, row)
		}
		if rightSeen != nil {
			for i, r := range rr {
				if !rightSeen[i] {
					row := make([]Value, nl+nr)
					copy(row[nl:], r)
					res = append(res, row)
				}
			}
		}
		return res, c.q.account(len(res))
	}
	res := make([][]Value, len(out))
	for i, m := range out {
		res[i] = m.row
	}
	return res, nil
}

type match struct {
	outer, inner int
	row          []Value
}

// joinMatch finds every pair satisfying conjs. With flip, outer rows are right-side rows
// (RIGHT JOIN); unmatched right rows are NULL-extended.
func joinMatch(c *ctx, outer, inner [][]Value, nl, nr int, conjs []*conjunct, flip bool) ([]match, error) {
	combine := func(o, in []Value) []Value {
		row := make([]Value, nl+nr)
		if flip {
			copy(row, in)
			copy(row[nl:], o)
		} else {
			copy(row, o)
			copy(row[nl:], in)
		}
		return row
	}
	outerBit, innerBit := uint64(1), uint64(2)
	if flip {
		outerBit, innerBit = 2, 1
	}
	// Equalities between an outer-side expression and an inner-side one use a hash index.
	var outerKey, innerKey []evalFn
	var rest []*conjunct
	for _, cj := range conjs {
		switch {
		case cj.eqA != nil && cj.eqADeps == outerBit && cj.eqBDeps == innerBit:
			outerKey, innerKey = append(outerKey, cj.eqA), append(innerKey, cj.eqB)
		case cj.eqA != nil && cj.eqADeps == innerBit && cj.eqBDeps == outerBit:
			outerKey, innerKey = append(outerKey, cj.eqB), append(innerKey, cj.eqA)
		default:
			rest = append(rest, cj)
		}
	}
	keyOf := func(fns []evalFn, row []Value) (string, bool, error) {
		ec := &ctx{row: row, outer: c, q: c.q}
		vals := make([]Value, len(fns))
		for i, fn := range fns {
			v, err := fn(ec)
			if err != nil {
				return "", false, err
			}
			if v == nil {
				return "", false, nil
			}
			vals[i] = v
		}
		return rowKey(vals), true, nil
	}
	var index map[string][]int
	if len(innerKey) > 0 {
		index = map[string][]int{}
		for i, in := range inner {
			k, ok, err := keyOf(innerKey, combine(nil, in))
			if err != nil {
				return nil, err
			}
			if ok {
				index[k] = append(index[k], i)
			}
		}
	}
	var out []match
	work := 0
	for oi, o := range outer {
		candidates := []int(nil)
		if index != nil {
			k, ok, err := keyOf(outerKey, combine(o, make([]Value, nr)))
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			candidates = index[k]
		}
		try := func(ii int) error {
			row := combine(o, inner[ii])
			ec := &ctx{row: row, outer: c, q: c.q}
			for _, cj := range rest {
				v, err := cj.fn(ec)
				if err != nil {
					return err
				}
				if b, ok := truth(v); !ok || !b {
					return nil
				}
			}
			out = append(out, match{outer: oi, inner: ii, row: row})
			return nil
		}
		if index != nil {
			for _, ii := range candidates {
				if err := try(ii); err != nil {
					return nil, err
				}
			}
			work = len(candidates)
		} else {
			for ii := range inner {
				if err := try(ii); err != nil {
					return nil, err
				}
			}
			work = len(inner)
		}
		if err := c.q.account(work); err != nil {
			return nil, err
		}
	}
	if err := c.q.account(len(out)); err != nil {
		return nil, err
	}
	if flip {
		// RIGHT JOIN: unmatched outer (right-side) rows, NULL-extended on the left.
		seen := map[int]bool{}
		for _, m := range out {
			seen[m.outer] = true
		}
		for oi, o := range outer {
			if !seen[oi] {
				out = append(out, match{outer: oi, inner: -1, row: combine(o, make([]Value, nl))})
			}
		}
	}
	return out, nil
}

// joinItems joins the comma-separated FROM items, applying each WHERE conjunct as soon as the
// items it needs are joined, with hash joins for equalities.
func joinItems(c *ctx, items [][][]Value, widths []int, conjs []*conjunct) ([][]Value, error) {
	for _, cj := range conjs {
		cj.applied = false
	}
	for _, rows := range items {
		if len(rows) == 0 {
			return nil, nil
		}
	}
	cur := [][]Value{{}}
	// Conditions on no item at all (constants, outer references) first.
	filter := func(rows [][]Value, avail uint64) ([][]Value, error) {
		var pending []*conjunct
		for _, cj := range conjs {
			if !cj.applied && cj.deps&^avail == 0 {
				pending = append(pending, cj)
				cj.applied = true
			}
		}
		if len(pending) == 0 {
			return rows, nil
		}
		out := rows[:0:0]
		for _, r := range rows {
			ec := &ctx{row: r, outer: c, q: c.q}
			keep := true
			for _, cj := range pending {
				v, err := cj.fn(ec)
				if err != nil {
					return nil, err
				}
				if b, ok := truth(v); !ok || !b {
					keep = false
					break
				}
			}
			if keep {
				out = append(out, r)
			}
		}
		return out, nil
	}
	var err error
	if cur, err = filter(cur, 0); err != nil {
		return nil, err
	}
	width := 0
	for k, rows := range items {
		if len(cur) == 0 {
			return nil, nil
		}
		prev := uint64(1)<<uint(k) - 1
		bit := uint64(1) << uint(k)
		var curKey, newKey []*conjunct
		for _, cj := range conjs {
			if cj.applied || cj.eqA == nil {
				continue
			}
			switch {
			case cj.eqADeps&^prev == 0 && cj.eqBDeps == bit:
				curKey, newKey = append(curKey, cj), append(newKey, cj)
			case cj.eqBDeps&^prev == 0 && cj.eqADeps == bit:
				curKey, newKey = append(curKey, cj), append(newKey, cj)
			}
		}
		total := width + widths[k]
		padded := func(r []Value) []Value {
			row := make([]Value, total)
			copy(row[width:], r)
			return row
		}
		keyFn := func(cj *conjunct, side uint64) evalFn {
			if cj.eqBDeps == side {
				return cj.eqB
			}
			return cj.eqA
		}
		next := [][]Value{}
		if len(newKey) > 0 {
			index := map[string][]int{}
			for i, r := range rows {
				ec := &ctx{row: padded(r), outer: c, q: c.q}
				vals := make([]Value, len(newKey))
				null := false
				for j, cj := range newKey {
					v, err := keyFn(cj, bit)(ec)
					if err != nil {
						return nil, err
					}
					if v == nil {
						null = true
						break
					}
					vals[j] = v
				}
				if !null {
					index[rowKey(vals)] = append(index[rowKey(vals)], i)
				}
			}
			for _, cj := range newKey {
				cj.applied = true
			}
			for _, l := range cur {
				if err := c.q.account(1); err != nil {
					return nil, err
				}
				ec := &ctx{row: l, outer: c, q: c.q}
				vals := make([]Value, len(curKey))
				null := false
				for j, cj := range curKey {
					fn := cj.eqA
					if cj.eqADeps == bit {
						fn = cj.eqB
					}
					v, err := fn(ec)
					if err != nil {
						return nil, err
					}
					if v == nil {
						null = true
						break
					}
					vals[j] = v
				}
				if null {
					continue
				}
				if err := c.q.account(len(index[rowKey(vals)])); err != nil {
					return nil, err
				}
				for _, i := range index[rowKey(vals)] {
					row := make([]Value, total)
					copy(row, l)
					copy(row[width:], rows[i])
					next = append(next, row)
				}
			}
		} else {
			if err := c.q.account(len(cur) * len(rows)); err != nil {
				return nil, err
			}
			for _, l := range cur {
				for _, r := range rows {
					row := make([]Value, total)
					copy(row, l)
					copy(row[width:], r)
					next = append(next, row)
				}
			}
		}
		width = total
		if cur, err = filter(next, prev|bit); err != nil {
			return nil, err
		}
		if err := c.q.account(len(cur)); err != nil {
			return nil, err
		}
	}
	return cur, nil
}
