package pgcatalog

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// aggregates are the aggregate functions the evaluator knows.
var aggregates = map[string]bool{
	"count": true, "sum": true, "min": true, "max": true, "avg": true, "string_agg": true, "array_agg": true,
	"bool_and": true, "bool_or": true, "every": true, "json_agg": true, "jsonb_agg": true,
}

// windowFuncs are the window functions the evaluator knows.
var windowFuncs = map[string]bool{"row_number": true, "rank": true, "dense_rank": true}

// hasAggregate reports whether e calls an aggregate outside subqueries.
func hasAggregate(e Expr) bool {
	found := false
	walkExpr(e, func(x Expr) bool {
		if f, ok := x.(*FuncCall); ok && aggregates[f.Name] && f.Over == nil {
			found = true
		}
		return !found
	})
	return found
}

// walkExpr visits e and its sub-expressions (not subqueries) while visit returns true.
func walkExpr(e Expr, visit func(Expr) bool) {
	if e == nil || !visit(e) {
		return
	}
	w := func(xs ...Expr) {
		for _, x := range xs {
			walkExpr(x, visit)
		}
	}
	switch x := e.(type) {
	case *UnaryExpr:
		w(x.X)
	case *BinaryExpr:
		w(x.L, x.R)
	case *FuncCall:
		w(x.Args...)
	case *CastExpr:
		w(x.X)
	case *CaseExpr:
		w(x.Operand, x.Else)
		for _, wc := range x.Whens {
			w(wc.Cond, wc.Then)
		}
	case *InExpr:
		w(x.X)
		w(x.List...)
	case *ArrayExpr:
		w(x.Elems...)
	case *QuantExpr:
		w(x.X, x.Arr)
	case *BetweenExpr:
		w(x.X, x.Lo, x.Hi)
	case *IsExpr:
		w(x.X, x.From)
	case *LikeExpr:
		w(x.X, x.Pat, x.Esc)
	case *IndexExpr:
		w(x.X, x.Idx, x.Hi)
	case *FieldExpr:
		w(x.X)
	case *RowExpr:
		w(x.Elems...)
	case *ParenExpr:
		w(x.X)
	}
}

// columnName is the name Postgres gives an unaliased select-list expression.
func columnName(e Expr) string {
	switch x := e.(type) {
	case *ColRef:
		return x.Parts[len(x.Parts)-1]
	case *FuncCall:
		switch x.Name {
		case "btrim", "ltrim", "rtrim":
			return x.Name
		}
		return x.Name
	case *CastExpr:
		if n := columnName(x.X); n != "?column?" {
			return n
		}
		name := typeByOID(x.T.OID).name
		if x.T.Array {
			name = typeByOID(elemType(x.T.OID)).name
		}
		return name
	case *CaseExpr:
		return "case"
	case *FieldExpr:
		return x.Name
	case *IndexExpr:
		return columnName(x.X)
	case *ArraySubquery, *ArrayExpr:
		return "array"
	case *ExistsExpr:
		return "exists"
	case *SubqueryExpr:
		if sel, ok := x.Sub.Body.(*Select); ok && len(sel.Items) == 1 {
			if sel.Items[0].Alias != "" {
				return sel.Items[0].Alias
			}
			return columnName(sel.Items[0].X)
		}
	case *ParenExpr:
		return columnName(x.X)
	case *RowExpr:
		return "row"
	case *Const:
		if _, ok := x.V.(bool); ok {
			return "bool"
		}
	}
	return "?column?"
}

type selItem struct {
	fn     evalFn
	col    outCol
	outIdx int // for ORDER BY keys naming an output column; -1 otherwise
}

// compileSelect compiles a SELECT with the ORDER BY of its query.
func compileSelect(sel *Select, parent *scope, qc *qcomp, orderBy []OrderItem) (*queryPlan, error) {
	st := parent.st
	sc := childScope(parent, qc, st)
	var sources []*source
	var offsets, widths []int
	for _, item := range sel.From {
		src, err := compileFrom(item, parent, qc)
		if err != nil {
			return nil, err
		}
		offsets = append(offsets, len(sc.cols))
		widths = append(widths, len(src.cols))
		sc.cols = append(sc.cols, src.cols...)
		sources = append(sources, src)
	}
	if len(sources) > 64 {
		return nil, types.Errorf(types.CodeProgramLimitExceeded, "too many FROM items")
	}
	var conjs []*conjunct
	if sel.Where != nil {
		if hasAggregate(sel.Where) {
			return nil, types.Errorf(types.CodeGroupingError, "aggregate functions are not allowed in WHERE")
		}
		var err error
		if conjs, err = compileConjuncts(sel.Where, sc, append(offsets, len(sc.cols))); err != nil {
			return nil, err
		}
	}

	sx := &selCtx{grouped: len(sel.GroupBy) > 0 || sel.Having != nil}
	for _, it := range sel.Items {
		sx.grouped = sx.grouped || hasAggregate(it.X)
	}
	for _, o := range orderBy {
		sx.grouped = sx.grouped || hasAggregate(o.X)
	}
	sc.sel = sx

	// Select list, with * expanded.
	var items []selItem
	for _, it := range sel.Items {
		if star, ok := it.X.(*Star); ok {
			n := 0
			for i, c := range sc.cols {
				if c.hidden || c.system || star.Qual != "" && c.qual != star.Qual {
					continue
				}
				items = append(items, selItem{fn: colFn(0, i), col: outCol{name: c.name, typ: c.typ, typmod: c.typmod}, outIdx: -1})
				n++
			}
			if n == 0 && star.Qual != "" {
				return nil, types.Errorf(types.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", star.Qual)
			}
			if star.Qual == "" && len(sources) == 0 {
				return nil, types.Errorf(types.CodeSyntaxError, "SELECT * with no tables specified is not valid")
			}
			continue
		}
		fn, t, typmod, err := compileExprMod(it.X, sc)
		if err != nil {
			return nil, err
		}
		name := it.Alias
		if name == "" {
			name = columnName(it.X)
		}
		items = append(items, selItem{fn: fn, col: outCol{name: name, typ: resolveUnknown(t), typmod: typmod}, outIdx: -1})
	}
	width := len(items)

	// GROUP BY: ordinals and output names refer to the select list.
	var groupFns []evalFn
	for _, g := range sel.GroupBy {
		if c, ok := g.(*Const); ok {
			if n, isInt := c.V.(int64); isInt {
				if n < 1 || int(n) > width {
					return nil, types.Errorf(types.CodeInvalidColumnRef, "GROUP BY position %d is not in select list", n)
				}
				groupFns = append(groupFns, items[n-1].fn)
				continue
			}
		}
		if cr, ok := g.(*ColRef); ok && len(cr.Parts) == 1 {
			if _, _, _, err := sc.resolveQuiet(cr.Parts); err != nil {
				found := false
				for _, it := range items {
					if it.col.name == cr.Parts[0] {
						groupFns, found = append(groupFns, it.fn), true
						break
					}
				}
				if found {
					continue
				}
			}
		}
		fn, _, err := compileExpr(g, sc)
		if err != nil {
			return nil, err
		}
		groupFns = append(groupFns, fn)
	}
	var having evalFn
	if sel.Having != nil {
		var err error
		if having, _, err = compileExpr(sel.Having, sc); err != nil {
			return nil, err
		}
	}

	// ORDER BY: ordinals and output names refer to the select list, anything else to the input.
	var keys []sortKey
	var keyOut []int
	for _, o := range orderBy {
		idx := -1
		if c, ok := o.X.(*Const); ok {
			if n, isInt := c.V.(int64); isInt {
				if n < 1 || int(n) > width {
					return nil, types.Errorf(types.CodeInvalidColumnRef, "ORDER BY position %d is not in select list", n)
				}
				idx = int(n - 1)
			}
		}
		if cr, ok := o.X.(*ColRef); ok && len(cr.Parts) == 1 && idx < 0 {
			for i, it := range items {
				if it.col.name == cr.Parts[0] {
					idx = i
					break
				}
			}
		}
		key := sortKey{desc: o.Desc, nullsFirst: nullsFirst(o)}
		if idx < 0 {
			fn, _, err := compileExpr(o.X, sc)
			if err != nil {
				return nil, err
			}
			key.fn = fn
		}
		keys = append(keys, key)
		keyOut = append(keyOut, idx)
	}
	if sel.Distinct && len(sel.DistinctOn) > 0 {
		return nil, types.Errorf(types.CodeFeatureNotSupported, "DISTINCT ON is not supported in catalog queries")
	}

	cols := make([]outCol, width)
	for i, it := range items {
		cols[i] = it.col
	}
	nscope := len(sc.cols)
	run := func(c *ctx) ([][]Value, error) {
		// FROM and WHERE.
		var rows [][]Value
		if len(sources) == 0 {
			rows = [][]Value{{}}
			ec := &ctx{row: rows[0], outer: c, q: c.q}
			for _, cj := range conjs {
				v, err := cj.fn(ec)
				if err != nil {
					return nil, err
				}
				if b, ok := truth(v); !ok || !b {
					rows = nil
					break
				}
			}
		} else {
			all := make([][][]Value, len(sources))
			for i, s := range sources {
				r, err := s.rows(c)
				if err != nil {
					return nil, err
				}
				all[i] = r
			}
			var err error
			if rows, err = joinItems(c, all, widths, conjs); err != nil {
				return nil, err
			}
		}
		out := make([][]Value, 0, len(rows))
		emit := func(ec *ctx) error {
			row := make([]Value, width+len(keys))
			for i, it := range items {
				v, err := it.fn(ec)
				if err != nil {
					return err
				}
				row[i] = v
			}
			for k, key := range keys {
				if keyOut[k] >= 0 {
					row[width+k] = row[keyOut[k]]
					continue
				}
				v, err := key.fn(ec)
				if err != nil {
					return err
				}
				row[width+k] = v
			}
			out = append(out, row)
			return nil
		}
		if sx.grouped {
			type group struct{ rows [][]Value }
			var order []string
			groups := map[string]*group{}
			for _, r := range rows {
				ec := &ctx{row: r, outer: c, q: c.q}
				vals := make([]Value, len(groupFns))
				for i, fn := range groupFns {
					v, err := fn(ec)
					if err != nil {
						return nil, err
					}
					vals[i] = v
				}
				k := rowKey(vals)
				g := groups[k]
				if g == nil {
					g = &group{}
					groups[k] = g
					order = append(order, k)
				}
				g.rows = append(g.rows, r)
			}
			if len(groupFns) == 0 && len(order) == 0 {
				groups[""] = &group{}
				order = append(order, "")
			}
			for _, k := range order {
				g := groups[k]
				rep := make([]Value, nscope)
				if len(g.rows) > 0 {
					rep = g.rows[0]
				}
				ec := &ctx{row: rep, outer: c, q: c.q, group: g.rows}
				if having != nil {
					v, err := having(ec)
					if err != nil {
						return nil, err
					}
					if b, ok := truth(v); !ok || !b {
						continue
					}
				}
				if err := emit(ec); err != nil {
					return nil, err
				}
			}
		} else {
			wins, err := computeWindows(c, sx.wins, rows)
			if err != nil {
				return nil, err
			}
			for i, r := range rows {
				ec := &ctx{row: r, outer: c, q: c.q}
				if wins != nil {
					ec.win = wins[i]
				}
				if len(sx.srfs) == 0 {
					if err := emit(ec); err != nil {
						return nil, err
					}
					continue
				}
				lists := make([][]Value, len(sx.srfs))
				n := 0
				for k, s := range sx.srfs {
					args := make([]Value, len(s.args))
					for j, a := range s.args {
						v, err := a(ec)
						if err != nil {
							return nil, err
						}
						args[j] = v
					}
					l, err := s.impl(ec, args)
					if err != nil {
						return nil, err
					}
					lists[k] = l
					n = max(n, len(l))
				}
				if err := c.q.account(n); err != nil {
					return nil, err
				}
				for j := 0; j < n; j++ {
					ec.srf = make([]Value, len(lists))
					for k, l := range lists {
						if j < len(l) {
							ec.srf[k] = l[j]
						}
					}
					if err := emit(ec); err != nil {
						return nil, err
					}
				}
			}
		}
		if err := c.q.account(len(out)); err != nil {
			return nil, err
		}
		if sel.Distinct {
			out = distinctRows(out, width)
		}
		if len(keys) > 0 {
			sortRows(out, keys, width)
		}
		for i := range out {
			out[i] = out[i][:width]
		}
		return out, nil
	}
	return &queryPlan{cols: cols, run: run}, nil
}

// computeWindows evaluates the select list's window functions for every row.
func computeWindows(c *ctx, wins []*winDef, rows [][]Value) ([][]Value, error) {
	if len(wins) == 0 {
		return nil, nil
	}
	out := make([][]Value, len(rows))
	for i := range out {
		out[i] = make([]Value, len(wins))
	}
	for w, def := range wins {
		type entry struct {
			idx  int
			keys []Value
		}
		parts := map[string][]entry{}
		var order []string
		for i, r := range rows {
			ec := &ctx{row: r, outer: c, q: c.q}
			pvals := make([]Value, len(def.partition))
			for j, fn := range def.partition {
				v, err := fn(ec)
				if err != nil {
					return nil, err
				}
				pvals[j] = v
			}
			okeys := make([]Value, len(def.order))
			for j, k := range def.order {
				v, err := k.fn(ec)
				if err != nil {
					return nil, err
				}
				okeys[j] = v
			}
			pk := rowKey(pvals)
			if _, seen := parts[pk]; !seen {
				order = append(order, pk)
			}
			parts[pk] = append(parts[pk], entry{i, okeys})
		}
		for _, pk := range order {
			es := parts[pk]
			tmp := make([][]Value, len(es))
			for i, e := range es {
				tmp[i] = append([]Value{int64(e.idx)}, e.keys...)
			}
			sortRows(tmp, def.order, 1)
			rank, dense := int64(0), int64(0)
			var prev []Value
			for n, t := range tmp {
				same := prev != nil && rowKey(prev) == rowKey(t[1:])
				if !same {
					rank = int64(n + 1)
					dense++
				}
				prev = t[1:]
				var v int64
				switch def.fn {
				case "row_number":
					v = int64(n + 1)
				case "rank":
					v = rank
				default:
					v = dense
				}
				out[t[0].(int64)][w] = v
			}
		}
	}
	return out, nil
}

// Result is a catalog query's answer.
type Result struct {
	Columns []Column
	Rows    [][]Value
}

// Column describes a result column.
type Column struct {
	Name   string
	OID    uint32
	Typmod int32
	Size   int16
}

func columnsOf(cols []outCol) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		t := resolveUnknown(c.typ)
		tm := int32(-1)
		if c.typmod >= 0 {
			tm = int32(c.typmod)
		}
		out[i] = Column{Name: c.name, OID: t, Typmod: tm, Size: typeByOID(t).len}
	}
	return out
}

// lowerNames lower-cases; a helper for column name checks in tests.
func lowerNames(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.ToLower(c.Name)
	}
	return out
}
