package pgcatalog

import (
	"context"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/types"
)

// evalFn evaluates an expression in a row context.
type evalFn func(c *ctx) (Value, error)

// ctx is the evaluation context of one row: the row of the current FROM scope, the context of
// the enclosing query (correlated subqueries), and the query-wide state.
type ctx struct {
	row   []Value
	outer *ctx
	q     *qstate
	group [][]Value // rows of the group being aggregated, when grouped
	win   []Value   // window-function values of the row
	srf   []Value   // current values of the select list's set-returning functions
}

// qstate is one execution of a statement.
type qstate struct {
	ctx  context.Context
	st   *state
	memo map[*queryPlan][][]Value // uncorrelated subqueries and CTEs, run once
	rows int                      // rows materialized, for the work bound
}

// maxWork bounds the rows one catalog query may materialize (joins included).
const maxWork = 5_000_000

func (q *qstate) account(n int) error {
	q.rows += n
	if q.rows > maxWork {
		return errorf(types.CodeProgramLimitExceeded, "catalog query too expensive: more than %d intermediate rows", maxWork)
	}
	if q.ctx != nil && q.ctx.Err() != nil {
		return q.ctx.Err()
	}
	return nil
}

type outCol struct {
	name   string
	typ    uint32
	typmod int64
}

// compiler state shared by one query level (a SELECT and its expressions).
type qcomp struct {
	parent     *qcomp
	correlated bool
	ctes       map[string]*cteDef
}

type cteDef struct {
	plan *queryPlan
	cols []string
}

// scope resolves column references.
type scope struct {
	cols  []scopeCol
	outer *scope
	qc    *qcomp
	track map[int]bool // column indexes referenced while set
	sel   *selCtx      // the select list being compiled (aggregates, windows, SRFs), or nil
	st    *state
}

type scopeCol struct {
	qual   string
	name   string
	typ    uint32
	typmod int64
	hidden bool // a USING column of the right side: only qualified references see it
	system bool // a system column (tableoid): not part of *
}

// selCtx collects what a select list needs beyond plain expressions.
type selCtx struct {
	grouped bool
	wins    []*winDef
	srfs    []*srfDef
	inAgg   bool
}

type winDef struct {
	fn        string
	partition []evalFn
	order     []sortKey
}

type sortKey struct {
	fn         evalFn
	desc       bool
	nullsFirst bool
}

type srfDef struct {
	args []evalFn
	impl func(c *ctx, args []Value) ([]Value, error)
}

func (sc *scope) lookupQC(name string) *cteDef {
	for qc := sc.qc; qc != nil; qc = qc.parent {
		if d := qc.ctes[name]; d != nil {
			return d
		}
	}
	return nil
}

func (sc *scope) err(e Expr, code types.Code, format string, args ...any) *types.Error {
	return types.Errorf(code, format, args...)
}

// resolve finds a column: the depth of the scope it belongs to and its index there.
func (sc *scope) resolve(parts []string) (depth, idx int, col scopeCol, err error) {
	name := parts[len(parts)-1]
	qual := ""
	if len(parts) >= 2 {
		qual = parts[len(parts)-2]
	}
	d := 0
	for s := sc; s != nil; s, d = s.outer, d+1 {
		found := -1
		for i, c := range s.cols {
			if c.name != name || qual != "" && c.qual != qual || qual == "" && c.hidden {
				continue
			}
			if found >= 0 {
				return 0, 0, scopeCol{}, types.Errorf(types.CodeAmbiguousColumn, "column reference \"%s\" is ambiguous", strings.Join(parts, "."))
			}
			found = i
		}
		if found >= 0 {
			if s.track != nil {
				s.track[found] = true
			}
			// Every query level between here and there is correlated.
			for qc := sc.qc; qc != nil && qc != s.qc; qc = qc.parent {
				qc.correlated = true
			}
			return d, found, s.cols[found], nil
		}
	}
	if qual != "" {
		for s := sc; s != nil; s = s.outer {
			for _, c := range s.cols {
				if c.qual == qual {
					return 0, 0, scopeCol{}, types.Errorf(types.CodeUndefinedColumn, "column %s.%s does not exist", qual, name)
				}
			}
		}
		return 0, 0, scopeCol{}, types.Errorf(types.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", qual)
	}
	return 0, 0, scopeCol{}, types.Errorf(types.CodeUndefinedColumn, "column \"%s\" does not exist", name)
}

func colFn(depth, idx int) evalFn {
	return func(c *ctx) (Value, error) {
		for i := 0; i < depth; i++ {
			c = c.outer
		}
		if idx >= len(c.row) {
			return nil, nil
		}
		return c.row[idx], nil
	}
}

// compileExpr compiles e in scope sc, returning its evaluator and static type.
func compileExpr(e Expr, sc *scope) (evalFn, uint32, error) {
	fn, t, _, err := compileExprMod(e, sc)
	return fn, t, err
}

// compileExprMod also returns the type modifier (-1 when none).
func compileExprMod(e Expr, sc *scope) (evalFn, uint32, int64, error) {
	switch x := e.(type) {
	case *Const:
		v := x.V
		return func(*ctx) (Value, error) { return v, nil }, x.T, -1, nil
	case *ParenExpr:
		return compileExprMod(x.X, sc)
	case *colIndex:
		if sc.track != nil {
			sc.track[x.idx] = true
		}
		return colFn(0, x.idx), sc.cols[x.idx].typ, sc.cols[x.idx].typmod, nil
	case *ColRef:
		depth, idx, col, err := sc.resolve(x.Parts)
		if err != nil {
			if len(x.Parts) == 1 && types.CodeOf(err) == types.CodeUndefinedColumn {
				if _, ok := builtins[x.Parts[0]]; ok && niladic[x.Parts[0]] {
					fn, t, err2 := compileFunc(&FuncCall{Name: x.Parts[0], Pos: x.Pos}, sc)
					return fn, t, -1, err2
				}
			}
			return nil, 0, 0, err
		}
		return colFn(depth, idx), col.typ, col.typmod, nil
	case *Param:
		return nil, 0, 0, types.Errorf("42P02", "there is no parameter $%d", x.N)
	case *Star:
		return nil, 0, 0, types.Errorf(types.CodeSyntaxError, "* is only allowed in a select list or count(*)")
	case *UnaryExpr:
		fn, t, err := compileExpr(x.X, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		switch x.Op {
		case "not":
			return func(c *ctx) (Value, error) {
				v, err := fn(c)
				if err != nil || v == nil {
					return nil, err
				}
				b, ok := truth(v)
				if !ok {
					return nil, nil
				}
				return !b, nil
			}, oidBool, -1, nil
		case "-":
			return func(c *ctx) (Value, error) {
				v, err := fn(c)
				if err != nil || v == nil {
					return nil, err
				}
				switch n := v.(type) {
				case int64:
					return -n, nil
				case float64:
					return -n, nil
				}
				if f, ok := asFloat(v); ok {
					return -f, nil
				}
				return nil, errorf(types.CodeUndefinedFunction, "operator does not exist: - %s", typeByOID(t).display)
			}, t, -1, nil
		case "~":
			return func(c *ctx) (Value, error) {
				v, err := fn(c)
				if err != nil || v == nil {
					return nil, err
				}
				n, _ := asInt(v)
				return ^n, nil
			}, t, -1, nil
		}
		return fn, t, -1, nil
	case *BinaryExpr:
		fn, t, err := compileBinary(x, sc)
		return fn, t, -1, err
	case *FuncCall:
		fn, t, err := compileFunc(x, sc)
		if err == nil && (x.Name == "format_type" || x.Name == "current_schema") {
			return fn, t, -1, nil
		}
		return fn, t, -1, err
	case *CastExpr:
		fn, from, err := compileExpr(x.X, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		to := x.T.OID
		return func(c *ctx) (Value, error) {
			v, err := fn(c)
			if err != nil || v == nil {
				return nil, err
			}
			return castValue(c.q.st, v, from, to)
		}, to, -1, nil
	case *CaseExpr:
		fn, t, err := compileCase(x, sc)
		return fn, t, -1, err
	case *InExpr:
		fn, err := compileIn(x, sc)
		return fn, oidBool, -1, err
	case *ExistsExpr:
		plan, err := compileQuery(x.Sub, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		return func(c *ctx) (Value, error) {
			rows, err := plan.eval(c)
			if err != nil {
				return nil, err
			}
			return len(rows) > 0, nil
		}, oidBool, -1, nil
	case *SubqueryExpr:
		plan, err := compileQuery(x.Sub, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		if len(plan.cols) != 1 {
			return nil, 0, 0, types.Errorf(types.CodeSyntaxError, "subquery must return only one column")
		}
		return func(c *ctx) (Value, error) {
			rows, err := plan.eval(c)
			if err != nil {
				return nil, err
			}
			switch len(rows) {
			case 0:
				return nil, nil
			case 1:
				return rows[0][0], nil
			}
			return nil, errorf("21000", "more than one row returned by a subquery used as an expression")
		}, plan.cols[0].typ, plan.cols[0].typmod, nil
	case *ArraySubquery:
		plan, err := compileQuery(x.Sub, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		if len(plan.cols) != 1 {
			return nil, 0, 0, types.Errorf(types.CodeSyntaxError, "subquery must return only one column")
		}
		return func(c *ctx) (Value, error) {
			rows, err := plan.eval(c)
			if err != nil {
				return nil, err
			}
			out := make([]Value, len(rows))
			for i, r := range rows {
				out[i] = r[0]
			}
			return out, nil
		}, arrayTypeOf(resolveUnknown(plan.cols[0].typ)), -1, nil
	case *ArrayExpr:
		fns := make([]evalFn, len(x.Elems))
		et := oidUnknown
		for i, el := range x.Elems {
			fn, t, err := compileExpr(el, sc)
			if err != nil {
				return nil, 0, 0, err
			}
			fns[i] = fn
			if et == oidUnknown {
				et = t
			}
		}
		at := arrayTypeOf(resolveUnknown(et))
		if isArrayType(et) {
			at = et
		}
		elem := elemType(at)
		return func(c *ctx) (Value, error) {
			out := make([]Value, len(fns))
			for i, fn := range fns {
				v, err := fn(c)
				if err != nil {
					return nil, err
				}
				if s, ok := v.(string); ok && elem != oidText && elem != 0 {
					if v, err = castValue(c.q.st, s, oidUnknown, elem); err != nil {
						return nil, err
					}
				}
				out[i] = v
			}
			return out, nil
		}, at, -1, nil
	case *QuantExpr:
		fn, err := compileQuant(x, sc)
		return fn, oidBool, -1, err
	case *BetweenExpr:
		b := &BinaryExpr{Op: "and", L: &BinaryExpr{Op: ">=", L: x.X, R: x.Lo}, R: &BinaryExpr{Op: "<=", L: x.X, R: x.Hi}}
		fn, _, err := compileBinary(b, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		if x.Not {
			return negate(fn), oidBool, -1, nil
		}
		return fn, oidBool, -1, nil
	case *IsExpr:
		fn, err := compileIs(x, sc)
		return fn, oidBool, -1, err
	case *LikeExpr:
		fn, err := compileLike(x, sc)
		return fn, oidBool, -1, err
	case *IndexExpr:
		fn, err, t := compileIndex(x, sc)
		return fn, t, -1, err
	case *FieldExpr:
		fn, t, err := compileExpr(x.X, sc)
		if err != nil {
			return nil, 0, 0, err
		}
		ft := oidUnknown
		if t == oidRecord {
			ft = fieldType(x.X, x.Name)
		}
		name := x.Name
		return func(c *ctx) (Value, error) {
			v, err := fn(c)
			if err != nil || v == nil {
				return nil, err
			}
			r, ok := v.(Record)
			if !ok {
				return nil, errorf(types.CodeWrongObjectType, "column notation .%s applied to a type that is not a composite type", name)
			}
			for i, n := range r.Names {
				if n == name {
					return r.Vals[i], nil
				}
			}
			return nil, errorf(types.CodeUndefinedColumn, "could not identify column \"%s\" in record data type", name)
		}, ft, -1, nil
	case *RowExpr:
		fns := make([]evalFn, len(x.Elems))
		ts := make([]uint32, len(x.Elems))
		names := make([]string, len(x.Elems))
		for i, el := range x.Elems {
			fn, t, err := compileExpr(el, sc)
			if err != nil {
				return nil, 0, 0, err
			}
			fns[i], ts[i], names[i] = fn, resolveUnknown(t), "f"+itoa(i+1)
		}
		return func(c *ctx) (Value, error) {
			vals := make([]Value, len(fns))
			for i, fn := range fns {
				v, err := fn(c)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			return Record{Names: names, Types: ts, Vals: vals}, nil
		}, oidRecord, -1, nil
	}
	return nil, 0, 0, types.Errorf(types.CodeFeatureNotSupported, "expression %T is not supported in catalog queries", e)
}

// fieldType knows the fields of the records the catalog functions return.
func fieldType(x Expr, name string) uint32 {
	if p, ok := x.(*ParenExpr); ok {
		x = p.X
	}
	if f, ok := x.(*FuncCall); ok && f.Name == "_pg_expandarray" {
		if name == "n" {
			return oidInt4
		}
		return oidInt2
	}
	if name == "n" {
		return oidInt4
	}
	if name == "x" {
		return oidInt2
	}
	return oidText
}

func resolveUnknown(t uint32) uint32 {
	if t == oidUnknown || t == 0 {
		return oidText
	}
	return t
}

func negate(fn evalFn) evalFn {
	return func(c *ctx) (Value, error) {
		v, err := fn(c)
		if err != nil || v == nil {
			return nil, err
		}
		b, _ := truth(v)
		return !b, nil
	}
}

// coerceConst gives an untyped string literal the type of the other operand, as Postgres
// resolves 'x' in c.oid = '16384'.
func coerceConst(e Expr, other uint32, sc *scope) Expr {
	c, ok := e.(*Const)
	if !ok || c.T != oidUnknown || c.V == nil {
		return e
	}
	s, _ := c.V.(string)
	switch {
	case other == oidUnknown || other == 0 || other == oidText || other == oidVarchar || other == oidName || other == oidBpchar || other == oidChar:
		return e
	}
	v, err := castValue(sc.st, s, oidUnknown, other)
	if err != nil {
		return e // left for the evaluator, which reports the error only if the row is reached
	}
	return &Const{V: v, T: other, Pos: c.Pos}
}

func staticType(e Expr, sc *scope) uint32 {
	switch x := e.(type) {
	case *Const:
		return x.T
	case *ColRef:
		if _, _, col, err := sc.resolveQuiet(x.Parts); err == nil {
			return col.typ
		}
	case *CastExpr:
		return x.T.OID
	case *ParenExpr:
		return staticType(x.X, sc)
	}
	return 0
}

// resolveQuiet resolves without marking references.
func (sc *scope) resolveQuiet(parts []string) (int, int, scopeCol, error) {
	name := parts[len(parts)-1]
	qual := ""
	if len(parts) >= 2 {
		qual = parts[len(parts)-2]
	}
	d := 0
	for s := sc; s != nil; s, d = s.outer, d+1 {
		for i, c := range s.cols {
			if c.name == name && (qual == "" && !c.hidden || c.qual == qual) {
				return d, i, c, nil
			}
		}
	}
	return 0, 0, scopeCol{}, types.Errorf(types.CodeUndefinedColumn, "column \"%s\" does not exist", name)
}

var comparisonOps = map[string]func(int) bool{
	"=": func(c int) bool { return c == 0 }, "<>": func(c int) bool { return c != 0 },
	"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
	">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
}

func compileBinary(x *BinaryExpr, sc *scope) (evalFn, uint32, error) {
	switch x.Op {
	case "and", "or":
		l, _, err := compileExpr(x.L, sc)
		if err != nil {
			return nil, 0, err
		}
		r, _, err := compileExpr(x.R, sc)
		if err != nil {
			return nil, 0, err
		}
		and := x.Op == "and"
		return func(c *ctx) (Value, error) {
			lv, err := l(c)
			if err != nil {
				return nil, err
			}
			lb, lok := truth(lv)
			if lok && lb != and {
				return lb, nil // false AND x, true OR x
			}
			rv, err := r(c)
			if err != nil {
				return nil, err
			}
			rb, rok := truth(rv)
			if rok && rb != and {
				return rb, nil
			}
			if !lok || !rok {
				return nil, nil
			}
			return and, nil
		}, oidBool, nil
	}
	if test, ok := comparisonOps[x.Op]; ok {
		lt, rt := staticType(x.L, sc), staticType(x.R, sc)
		le, re := coerceConst(x.L, rt, sc), coerceConst(x.R, lt, sc)
		l, _, err := compileExpr(le, sc)
		if err != nil {
			return nil, 0, err
		}
		r, _, err := compileExpr(re, sc)
		if err != nil {
			return nil, 0, err
		}
		return func(c *ctx) (Value, error) {
			lv, err := l(c)
			if err != nil || lv == nil {
				return nil, err
			}
			rv, err := r(c)
			if err != nil || rv == nil {
				return nil, err
			}
			cmp, ok := compare(lv, rv)
			if !ok {
				return nil, errorf(types.CodeUndefinedFunction, "operator does not exist: %T %s %T", lv, x.Op, rv)
			}
			return test(cmp), nil
		}, oidBool, nil
	}
	l, lt, err := compileExpr(x.L, sc)
	if err != nil {
		return nil, 0, err
	}
	r, rt, err := compileExpr(x.R, sc)
	if err != nil {
		return nil, 0, err
	}
	op := x.Op
	switch op {
	case "~", "!~", "~*", "!~*":
		return regexOp(op, l, r), oidBool, nil
	case "~~", "!~~", "~~*", "!~~*":
		like := &likeMatcher{fold: strings.HasSuffix(op, "*")}
		not := strings.HasPrefix(op, "!")
		return func(c *ctx) (Value, error) { return like.eval(c, l, r, nil, not) }, oidBool, nil
	case "||":
		t := oidText
		if isArrayType(lt) {
			t = lt
		} else if isArrayType(rt) {
			t = rt
		}
		return func(c *ctx) (Value, error) {
			lv, err := l(c)
			if err != nil {
				return nil, err
			}
			rv, err := r(c)
			if err != nil {
				return nil, err
			}
			la, lIsArr := lv.([]Value)
			ra, rIsArr := rv.([]Value)
			if lIsArr || rIsArr || isArrayType(t) {
				switch {
				case lv == nil && rv == nil:
					return nil, nil
				case lv == nil:
					if rIsArr {
						return ra, nil
					}
					return []Value{rv}, nil
				case rv == nil:
					if lIsArr {
						return la, nil
					}
					return []Value{lv}, nil
				case lIsArr && rIsArr:
					return append(append([]Value{}, la...), ra...), nil
				case lIsArr:
					return append(append([]Value{}, la...), rv), nil
				default:
					return append([]Value{lv}, ra...), nil
				}
			}
			if lv == nil || rv == nil {
				return nil, nil
			}
			return textOut(lv, lt) + textOut(rv, rt), nil
		}, t, nil
	case "+", "-", "*", "/", "%", "^":
		return arith(op, l, r, lt, rt), arithType(op, lt, rt), nil
	case "&", "|", "#", "<<", ">>":
		return func(c *ctx) (Value, error) {
			lv, err := l(c)
			if err != nil || lv == nil {
				return nil, err
			}
			rv, err := r(c)
			if err != nil || rv == nil {
				return nil, err
			}
			a, _ := asInt(lv)
			b, _ := asInt(rv)
			switch op {
			case "&":
				return a & b, nil
			case "|":
				return a | b, nil
			case "#":
				return a ^ b, nil
			case "<<":
				return a << uint(b), nil
			}
			return a >> uint(b), nil
		}, resolveInt(lt), nil
	case "@>", "<@", "&&":
		return func(c *ctx) (Value, error) {
			lv, err := l(c)
			if err != nil || lv == nil {
				return nil, err
			}
			rv, err := r(c)
			if err != nil || rv == nil {
				return nil, err
			}
			la, _ := toArray(lv)
			ra, _ := toArray(rv)
			if op == "<@" {
				la, ra = ra, la
			}
			if op == "&&" {
				for _, a := range la {
					if containsValue(ra, a) {
						return true, nil
					}
				}
				return false, nil
			}
			for _, b := range ra {
				if !containsValue(la, b) {
					return false, nil
				}
			}
			return true, nil
		}, oidBool, nil
	case "->", "->>", "#>", "#>>":
		return func(c *ctx) (Value, error) { return nil, nil }, oidText, nil
	}
	return nil, 0, types.Errorf(types.CodeUndefinedFunction, "operator does not exist: %s", op)
}

func resolveInt(t uint32) uint32 {
	switch t {
	case oidInt2, oidInt4, oidInt8:
		return t
	}
	return oidInt4
}

func toArray(v Value) ([]Value, bool) {
	switch x := v.(type) {
	case []Value:
		return x, true
	case string:
		a, err := parseArray(x, oidText)
		if err != nil {
			return nil, false
		}
		return a.([]Value), true
	}
	return nil, false
}

func containsValue(a []Value, v Value) bool {
	for _, e := range a {
		if e == nil || v == nil {
			continue
		}
		if c, ok := compare(e, v); ok && c == 0 {
			return true
		}
	}
	return false
}

func compileCase(x *CaseExpr, sc *scope) (evalFn, uint32, error) {
	var operand evalFn
	var opType uint32
	if x.Operand != nil {
		var err error
		if operand, opType, err = compileExpr(x.Operand, sc); err != nil {
			return nil, 0, err
		}
	}
	type arm struct{ cond, then evalFn }
	arms := make([]arm, len(x.Whens))
	t := oidUnknown
	for i, w := range x.Whens {
		cond := w.Cond
		if operand != nil {
			cond = coerceConst(cond, opType, sc)
		}
		cf, _, err := compileExpr(cond, sc)
		if err != nil {
			return nil, 0, err
		}
		tf, tt, err := compileExpr(w.Then, sc)
		if err != nil {
			return nil, 0, err
		}
		if t == oidUnknown {
			t = tt
		}
		arms[i] = arm{cf, tf}
	}
	var elseFn evalFn
	if x.Else != nil {
		ef, et, err := compileExpr(x.Else, sc)
		if err != nil {
			return nil, 0, err
		}
		if t == oidUnknown {
			t = et
		}
		elseFn = ef
	}
	return func(c *ctx) (Value, error) {
		var ov Value
		if operand != nil {
			var err error
			if ov, err = operand(c); err != nil {
				return nil, err
			}
		}
		for _, a := range arms {
			v, err := a.cond(c)
			if err != nil {
				return nil, err
			}
			match := false
			if operand != nil {
				if ov != nil && v != nil {
					cmp, ok := compare(ov, v)
					match = ok && cmp == 0
				}
			} else {
				match, _ = truth(v)
			}
			if match {
				return a.then(c)
			}
		}
		if elseFn != nil {
			return elseFn(c)
		}
		return nil, nil
	}, t, nil
}

func compileIn(x *InExpr, sc *scope) (evalFn, error) {
	l, lt, err := compileExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	var test func(c *ctx, v Value) (Value, error)
	if x.Sub != nil {
		plan, err := compileQuery(x.Sub, sc)
		if err != nil {
			return nil, err
		}
		test = func(c *ctx, v Value) (Value, error) {
			rows, err := plan.eval(c)
			if err != nil {
				return nil, err
			}
			sawNull := false
			for _, r := range rows {
				if r[0] == nil {
					sawNull = true
					continue
				}
				if cmp, ok := compare(v, r[0]); ok && cmp == 0 {
					return true, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return false, nil
		}
	} else {
		fns := make([]evalFn, len(x.List))
		for i, e := range x.List {
			if fns[i], _, err = compileExpr(coerceConst(e, lt, sc), sc); err != nil {
				return nil, err
			}
		}
		test = func(c *ctx, v Value) (Value, error) {
			sawNull := false
			for _, fn := range fns {
				e, err := fn(c)
				if err != nil {
					return nil, err
				}
				if e == nil {
					sawNull = true
					continue
				}
				if cmp, ok := compare(v, e); ok && cmp == 0 {
					return true, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return false, nil
		}
	}
	not := x.Not
	return func(c *ctx) (Value, error) {
		v, err := l(c)
		if err != nil || v == nil {
			return nil, err
		}
		res, err := test(c, v)
		if err != nil || res == nil {
			return nil, err
		}
		if not {
			return !res.(bool), nil
		}
		return res, nil
	}, nil
}

func compileQuant(x *QuantExpr, sc *scope) (evalFn, error) {
	l, lt, err := compileExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	test := comparisonOps[x.Op]
	var elems func(c *ctx) ([]Value, error)
	if x.Sub != nil {
		plan, err := compileQuery(x.Sub, sc)
		if err != nil {
			return nil, err
		}
		elems = func(c *ctx) ([]Value, error) {
			rows, err := plan.eval(c)
			if err != nil {
				return nil, err
			}
			out := make([]Value, len(rows))
			for i, r := range rows {
				out[i] = r[0]
			}
			return out, nil
		}
	} else {
		arr, at, err := compileExpr(x.Arr, sc)
		if err != nil {
			return nil, err
		}
		elems = func(c *ctx) ([]Value, error) {
			v, err := arr(c)
			if err != nil || v == nil {
				return nil, err
			}
			switch a := v.(type) {
			case []Value:
				return a, nil
			case string:
				et := elemType(at)
				if et == 0 {
					et = resolveUnknown(lt)
				}
				pa, err := parseArray(a, et)
				if err != nil {
					return nil, err
				}
				return pa.([]Value), nil
			}
			return nil, errorf(types.CodeDatatypeMismatch, "op ANY/ALL (array) requires array on right side")
		}
	}
	all := x.All
	return func(c *ctx) (Value, error) {
		v, err := l(c)
		if err != nil || v == nil {
			return nil, err
		}
		es, err := elems(c)
		if err != nil {
			return nil, err
		}
		if es == nil && x.Sub == nil {
			return nil, nil
		}
		sawNull := false
		for _, e := range es {
			if e == nil {
				sawNull = true
				continue
			}
			cmp, ok := compare(v, e)
			if !ok {
				continue
			}
			if r := test(cmp); r != all {
				return r, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return all, nil
	}, nil
}

func compileIs(x *IsExpr, sc *scope) (evalFn, error) {
	fn, _, err := compileExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	not := x.Not
	switch x.What {
	case "null", "unknown":
		return func(c *ctx) (Value, error) {
			v, err := fn(c)
			if err != nil {
				return nil, err
			}
			if r, ok := v.(Record); ok && x.What == "null" {
				allNull := true
				for _, e := range r.Vals {
					allNull = allNull && e == nil
				}
				return allNull != not, nil
			}
			return (v == nil) != not, nil
		}, nil
	case "true", "false":
		want := x.What == "true"
		return func(c *ctx) (Value, error) {
			v, err := fn(c)
			if err != nil {
				return nil, err
			}
			b, ok := truth(v)
			return (ok && b == want) != not, nil
		}, nil
	case "distinct":
		other, _, err := compileExpr(x.From, sc)
		if err != nil {
			return nil, err
		}
		return func(c *ctx) (Value, error) {
			a, err := fn(c)
			if err != nil {
				return nil, err
			}
			b, err := other(c)
			if err != nil {
				return nil, err
			}
			var distinct bool
			switch {
			case a == nil || b == nil:
				distinct = (a == nil) != (b == nil)
			default:
				cmp, _ := compare(a, b)
				distinct = cmp != 0
			}
			return distinct != not, nil
		}, nil
	}
	return nil, types.Errorf(types.CodeSyntaxError, "bad IS expression")
}

func compileLike(x *LikeExpr, sc *scope) (evalFn, error) {
	l, _, err := compileExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	p, _, err := compileExpr(x.Pat, sc)
	if err != nil {
		return nil, err
	}
	var esc evalFn
	if x.Esc != nil {
		if esc, _, err = compileExpr(x.Esc, sc); err != nil {
			return nil, err
		}
	}
	if x.Similar {
		m := regexOp("~", l, func(c *ctx) (Value, error) {
			v, err := p(c)
			if err != nil || v == nil {
				return nil, err
			}
			return similarToRegex(textOut(v, 0)), nil
		})
		if x.Not {
			return negate(m), nil
		}
		return m, nil
	}
	like := &likeMatcher{fold: x.Fold}
	not := x.Not
	return func(c *ctx) (Value, error) { return like.eval(c, l, p, esc, not) }, nil
}

func compileIndex(x *IndexExpr, sc *scope) (evalFn, error, uint32) {
	fn, t, err := compileExpr(x.X, sc)
	if err != nil {
		return nil, err, 0
	}
	var lo, hi evalFn
	if x.Idx != nil {
		if lo, _, err = compileExpr(x.Idx, sc); err != nil {
			return nil, err, 0
		}
	}
	if x.Hi != nil {
		if hi, _, err = compileExpr(x.Hi, sc); err != nil {
			return nil, err, 0
		}
	}
	et := elemType(t)
	switch t {
	case oidInt2Vector:
		et = oidInt2
	case oidOIDVector:
		et = oidOID
	case oidName:
		et = oidChar
	}
	if et == 0 {
		et = oidText
	}
	// int2vector and oidvector subscripts start at 0; arrays at 1.
	base := int64(1)
	if t == oidInt2Vector || t == oidOIDVector {
		base = 0
	}
	resType := et
	if x.Slice {
		resType = t
	}
	return func(c *ctx) (Value, error) {
		v, err := fn(c)
		if err != nil || v == nil {
			return nil, err
		}
		a, ok := v.([]Value)
		if !ok {
			if s, isStr := v.(string); isStr {
				pa, err := parseArray(s, et)
				if err != nil {
					return nil, nil
				}
				a = pa.([]Value)
			} else {
				return nil, nil
			}
		}
		at := func(f evalFn, def int64) (int64, bool, error) {
			if f == nil {
				return def, true, nil
			}
			iv, err := f(c)
			if err != nil || iv == nil {
				return 0, false, err
			}
			n, _ := asInt(iv)
			return n, true, nil
		}
		i, ok, err := at(lo, base)
		if err != nil || !ok {
			return nil, err
		}
		if !x.Slice {
			k := i - base
			if k < 0 || k >= int64(len(a)) {
				return nil, nil
			}
			return a[k], nil
		}
		j, ok, err := at(hi, base+int64(len(a))-1)
		if err != nil || !ok {
			return nil, err
		}
		from, to := max(i-base, 0), min(j-base+1, int64(len(a)))
		if from >= to {
			return []Value{}, nil
		}
		return append([]Value{}, a[from:to]...), nil
	}, nil, resType
}

// sortRows orders rows by keys taken from extra columns starting at off.
func sortRows(rows [][]Value, keys []sortKey, off int) {
	sort.SliceStable(rows, func(i, j int) bool {
		for k, key := range keys {
			a, b := rows[i][off+k], rows[j][off+k]
			var c int
			if a == nil || b == nil {
				switch {
				case a == nil && b == nil:
					c = 0
				case a == nil:
					c = 1
				default:
					c = -1
				}
				if key.nullsFirst {
					c = -c
				}
			} else {
				c = sortCompare(a, b)
				if key.desc {
					c = -c
				}
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
}
