package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/exec/agg"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// Aggregations (GROUP BY, WINDOW) are planned by rewriting: each GROUP BY expression and each
// aggregate call of the select list and HAVING becomes a synthetic column of the aggregate row
// (KSQL_GRP_i, KSQL_AGG_i, then WINDOWSTART/WINDOWEND), and what is left of each expression is
// bound against that row. Whatever still names an input column after the rewrite was neither
// grouped nor aggregated, which is ksqlDB's "Non-aggregate SELECT expression(s)" error.

func groupColumnName(i int) string { return fmt.Sprintf("KSQL_GRP_%d", i) }
func aggColumnName(i int) string   { return fmt.Sprintf("KSQL_AGG_%d", i) }

// defaultGrace is ksqlDB's grace period for windows that declare none (EMIT CHANGES).
const defaultGrace = 24 * time.Hour

// isAggregation reports whether a select needs the aggregate planner.
func isAggregation(sel *ast.Select) bool {
	if len(sel.GroupBy) > 0 || sel.Having != nil || sel.Window != nil {
		return true
	}
	for _, it := range sel.Items {
		if containsAggregate(it.Expr) {
			return true
		}
	}
	return false
}

// containsAggregate reports whether an aggregate call appears anywhere in e.
func containsAggregate(e ast.Expr) bool {
	found := false
	mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if f, ok := x.(*ast.FuncCall); ok && agg.IsAggregate(f.Name.Name) {
			found = true
			return x, true
		}
		return nil, false
	})
	return found
}

// firstAggregate returns the name of the first aggregate call in e ("" when none).
func firstAggregate(e ast.Expr) string {
	name := ""
	mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if f, ok := x.(*ast.FuncCall); ok && name == "" && agg.IsAggregate(f.Name.Name) {
			name = strings.ToUpper(f.Name.Name)
			return x, true
		}
		return nil, false
	})
	return name
}

// windowBoundIn returns WINDOWSTART or WINDOWEND when e references one ("" otherwise).
func windowBoundIn(e ast.Expr) string {
	name := ""
	mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if c, ok := x.(*ast.ColumnRef); ok && windowBound[c.Name.Name] && name == "" {
			name = c.Name.Name
		}
		return nil, false
	})
	return name
}

// aggRewriter replaces grouped expressions and aggregate calls by synthetic columns.
type aggRewriter struct {
	src      *catalog.Source
	groupBy  []string // unqualified text of each GROUP BY expression
	calls    []*ast.FuncCall
	callText []string
	windowed bool
	err      error
}

func (r *aggRewriter) rewrite(e ast.Expr) ast.Expr {
	return mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if r.err != nil {
			return x, true
		}
		text := unqualified(x)
		for i, g := range r.groupBy {
			if g == text {
				return &ast.ColumnRef{ExprBase: ast.ExprBase{At: x.Pos()}, Name: ast.Ident{Name: groupColumnName(i), Pos: x.Pos()}}, true
			}
		}
		f, ok := x.(*ast.FuncCall)
		if ok && !agg.IsAggregate(f.Name.Name) {
			name := strings.ToUpper(f.Name.Name)
			if _, known := expr.Lookup(name); !known && !expr.IsTableFunction(name) {
				r.err = types.ErrorAt(types.CodeUndefinedFunction, f.Name.Pos, "Can't find any functions with the name '%s'", name)
				return x, true
			}
		}
		if !ok || !agg.IsAggregate(f.Name.Name) {
			return nil, false
		}
		for _, a := range f.Args {
			if inner := firstAggregate(a); inner != "" {
				r.err = types.ErrorAt(types.CodeGroupingError, f.Pos(), "Aggregate functions can not be nested: %s(%s())", strings.ToUpper(f.Name.Name), inner)
				return x, true
			}
			if wb := windowBoundIn(a); wb != "" {
				r.err = types.ErrorAt(types.CodeInvalidColumnRef, f.Pos(), "Window bounds column %s can only be used in the SELECT clause of windowed aggregations", wb)
				return x, true
			}
		}
		for i, t := range r.callText {
			if t == text {
				return aggRef(i, x), true
			}
		}
		r.calls = append(r.calls, f)
		r.callText = append(r.callText, text)
		return aggRef(len(r.calls)-1, x), true
	})
}

func aggRef(i int, at ast.Expr) ast.Expr {
	return &ast.ColumnRef{ExprBase: ast.ExprBase{At: at.Pos()}, Name: ast.Ident{Name: aggColumnName(i), Pos: at.Pos()}}
}

// inputColumns lists the input columns a rewritten expression still reads.
func inputColumns(e ast.Expr) []string {
	var out []string
	mapExpr(e, func(x ast.Expr) (ast.Expr, bool) {
		if c, ok := x.(*ast.ColumnRef); ok {
			n := c.Name.Name
			if !strings.HasPrefix(n, "KSQL_GRP_") && !strings.HasPrefix(n, "KSQL_AGG_") && !windowBound[n] {
				out = append(out, n)
			}
		}
		return nil, false
	})
	return out
}

// planAggregate plans a GROUP BY / windowed query over src. scope is the input row's scope.
func planAggregate(c *Context, sel *ast.Select, target *Target, src *catalog.Source, scope *Scope, p *Plan) error {
	hasAggregates := false
	for _, it := range sel.Items {
		hasAggregates = hasAggregates || containsAggregate(it.Expr)
	}
	if sel.Window != nil && len(sel.GroupBy) == 0 && !hasAggregates {
		return types.ErrorAt(types.CodeGroupingError, sel.Pos(), "WINDOW clause requires a GROUP BY clause.")
	}
	if sel.Emit == ast.EmitFinal && sel.Window == nil {
		return types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "EMIT FINAL is only supported for windowed aggregations.")
	}
	if len(p.TableFunctions) > 0 {
		return types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Table functions cannot be used with aggregations.")
	}
	if sel.Where != nil {
		if wb := windowBoundIn(sel.Where); wb != "" {
			return types.ErrorAt(types.CodeUndefinedColumn, sel.Where.Pos(), "Error in WHERE expression: Unknown column %s.", wb)
		}
	}
	ap := &AggregatePlan{EmitFinal: sel.Emit == ast.EmitFinal}
	for k, v := range c.Properties {
		if strings.HasPrefix(k, "ksql.functions.") {
			if ap.FunctionProperties == nil {
				ap.FunctionProperties = map[string]string{}
			}
			ap.FunctionProperties[k] = v
		}
	}
	rw := &aggRewriter{src: src, windowed: sel.Window != nil}
	groupTypes := make([]types.Type, len(sel.GroupBy))
	for _, it := range sel.Items {
		if ref, ok := it.Expr.(*ast.ColumnRef); ok && reserved[ref.Name.Name] && it.Alias == nil && (target != nil || !windowBound[ref.Name.Name]) {
			return types.ErrorAt(types.CodeInvalidParameter, ref.Pos(), "Reserved column name in select: `%s`. Please remove or alias the column.", ref.Name.Name)
		}
	}
	for i, g := range sel.GroupBy {
		if b, ok := g.(*ast.Binary); ok && (b.Op == ast.OpAnd || b.Op == ast.OpOr) {
			return types.ErrorAt(types.CodeSyntaxError, b.Pos(), "Syntax Error: GROUP BY takes expressions separated by commas, not a condition: %s", ast.Format(g))
		}
		if r, ok := g.(*ast.Row); ok {
			return types.ErrorAt(types.CodeSyntaxError, r.Pos(), "Syntax Error\nmissing ')' at ','")
		}
		if name := firstAggregate(g); name != "" {
			return types.ErrorAt(types.CodeGroupingError, g.Pos(), "GROUP BY does not support aggregate functions: %s is an aggregate function.", name)
		}
		if wb := windowBoundIn(g); wb != "" {
			return types.ErrorAt(types.CodeInvalidColumnRef, g.Pos(), "Window bounds column %s can only be used in the SELECT clause of windowed aggregations", wb)
		}
		text := unqualified(g)
		for _, prev := range rw.groupBy {
			if prev == text {
				return types.ErrorAt(types.CodeGroupingError, g.Pos(), "Duplicate GROUP BY expression: %s", qualified(g, src.Name))
			}
		}
		x, err := Bind(scope, g)
		if err != nil {
			return err
		}
		groupTypes[i] = x.Type()
		rw.groupBy = append(rw.groupBy, text)
		ap.GroupBy = append(ap.GroupBy, text)
	}

	// Expand * into the input's columns: each must then be grouped.
	var items []ast.SelectItem
	for _, it := range sel.Items {
		if _, ok := it.Expr.(*ast.Star); ok {
			for _, sc := range src.Columns {
				items = append(items, ast.SelectItem{Expr: &ast.ColumnRef{ExprBase: ast.ExprBase{At: it.Expr.Pos()}, Name: ast.Ident{Name: sc.Name, Pos: it.Expr.Pos()}}})
			}
			continue
		}
		items = append(items, it)
	}
	rewritten := make([]ast.Expr, len(items))
	var ungrouped []string
	for i, it := range items {
		if ref, ok := it.Expr.(*ast.ColumnRef); ok && reserved[ref.Name.Name] && it.Alias == nil && (target != nil || !windowBound[ref.Name.Name]) {
			return types.ErrorAt(types.CodeInvalidParameter, ref.Pos(), "Reserved column name in select: `%s`. Please remove or alias the column.", ref.Name.Name)
		}
		if it.Alias != nil && reserved[it.Alias.Name] {
			return types.ErrorAt(types.CodeInvalidParameter, it.Alias.Pos, "`%s` is a reserved column name. You cannot use it as an alias for a column.", it.Alias.Name)
		}
		rewritten[i] = rw.rewrite(it.Expr)
		if rw.err != nil {
			return rw.err
		}
		if cols := inputColumns(rewritten[i]); len(cols) > 0 {
			text := ast.Format(it.Expr)
			if _, isBinary := it.Expr.(*ast.Binary); isBinary {
				text = "(" + text + ")" // ksqlDB prints binary expressions parenthesized
			}
			ungrouped = append(ungrouped, text)
		}
	}
	var having ast.Expr
	if sel.Having != nil {
		having = rw.rewrite(sel.Having)
		if rw.err != nil {
			return rw.err
		}
	}
	if len(sel.GroupBy) > 0 && len(rw.calls) == 0 {
		return types.ErrorAt(types.CodeGroupingError, sel.Pos(), "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.")
	}
	if len(ungrouped) > 0 {
		return types.ErrorAt(types.CodeGroupingError, sel.Pos(), "Non-aggregate SELECT expression(s) not part of GROUP BY: %s\nEither add the column(s) to the GROUP BY or remove them from the SELECT.", strings.Join(ungrouped, ", "))
	}
	if having != nil {
		if cols := inputColumns(having); len(cols) > 0 {
			return types.ErrorAt(types.CodeGroupingError, sel.Having.Pos(), "Non-aggregate HAVING expression not part of GROUP BY: %s", cols[0])
		}
	}
	if len(sel.GroupBy) == 0 {
		return types.ErrorAt(types.CodeGroupingError, sel.Pos(), "Aggregations without GROUP BY are not supported: add a GROUP BY clause.")
	}

	// Resolve the aggregate calls against the input row.
	ascope := &Scope{Qualifiers: scope.Qualifiers, AnyQualifier: true}
	for i, t := range groupTypes {
		ascope.Columns = append(ascope.Columns, ScopeColumn{Name: groupColumnName(i), Type: t, Index: i, Display: ast.Format(sel.GroupBy[i])})
	}
	var notUndoable []string
	for i, call := range rw.calls {
		ag, err := resolveAggregate(scope, call, ap.FunctionProperties)
		if err != nil {
			return err
		}
		if src.Kind == catalog.Table && !ag.CanUndo() {
			notUndoable = append(notUndoable, ag.Name())
		}
		ascope.Columns = append(ascope.Columns, ScopeColumn{Name: aggColumnName(i), Type: ag.ResultType(), Index: len(groupTypes) + i, Display: ast.Format(call)})
		ap.Calls = append(ap.Calls, rw.callText[i])
	}
	if len(notUndoable) > 0 {
		return types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "The aggregation functions %s cannot be applied to a table source, only to a stream source.", joinAnd(notUndoable))
	}
	if strings.EqualFold(src.ValueFormat.Name, "DELIMITED") {
		for _, call := range rw.calls {
			if complexIntermediate[strings.ToUpper(call.Name.Name)] {
				return types.ErrorAt(types.CodeFeatureNotSupported, call.Pos(), "One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.")
			}
		}
	}
	ascope.Width = len(groupTypes) + len(rw.calls)
	if sel.Window != nil {
		w, err := windowPlan(sel.Window, ap.EmitFinal)
		if err != nil {
			return err
		}
		ap.Window = w
		ascope.Columns = append(ascope.Columns,
			ScopeColumn{Name: "WINDOWSTART", Type: types.BigintType, Index: ascope.Width},
			ScopeColumn{Name: "WINDOWEND", Type: types.BigintType, Index: ascope.Width + 1})
		ascope.Width += 2
	}
	if having != nil {
		if _, err := BindClause(ascope, having, ClauseHaving); err != nil {
			return err
		}
		ap.Having = ast.Format(having)
	}

	// The output columns: the grouping expressions become the key columns.
	cols := make([]OutputColumn, 0, len(items))
	used := map[string]bool{}
	keyOf := make([]int, len(sel.GroupBy)) // output column per GROUP BY expression (-1: none)
	for i := range keyOf {
		keyOf[i] = -1
	}
	for i, it := range items {
		x, err := BindClause(ascope, rewritten[i], ClauseSelect)
		if err != nil {
			return err
		}
		name := ""
		if it.Alias != nil {
			name = it.Alias.Name
		} else {
			switch e := it.Expr.(type) {
			case *ast.ColumnRef:
				name = e.Name.Name
			case *ast.Deref:
				name = uniqueName(used, e.Field.Name)
			}
		}
		role := catalog.RoleValue
		if ref, ok := rewritten[i].(*ast.ColumnRef); ok && strings.HasPrefix(ref.Name.Name, "KSQL_GRP_") {
			var g int
			fmt.Sscanf(ref.Name.Name, "KSQL_GRP_%d", &g)
			if keyOf[g] >= 0 && target != nil {
				return types.ErrorAt(types.CodeDuplicateColumn, it.Expr.Pos(), "The projection contains a key column more than once: `%s` and `%s`.", cols[keyOf[g]].Name, nameOr(name, it.Expr))
			}
			if keyOf[g] < 0 {
				keyOf[g] = len(cols)
				role = catalog.RoleKey
			}
		}
		if name != "" && used[name] {
			return types.ErrorAt(types.CodeDuplicateColumn, it.Expr.Pos(), "Duplicate value columns found in schema: `%s` %s", name, x.Type())
		}
		if name != "" {
			used[name] = true
		}
		cols = append(cols, OutputColumn{Name: name, Expr: ast.Format(rewritten[i]), Type: x.Type(), Role: role})
	}
	n := 0
	for i := range cols {
		for cols[i].Name == "" {
			cand := fmt.Sprintf("KSQL_COL_%d", n)
			n++
			if !used[cand] {
				cols[i].Name = cand
				used[cand] = true
			}
		}
		if cols[i].Type.Kind == types.Unknown {
			return types.Errorf(types.CodeDatatypeMismatch, "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).")
		}
	}
	if target != nil {
		for g, oc := range keyOf {
			if oc < 0 {
				text := ast.Format(sel.GroupBy[g])
				return types.ErrorAt(types.CodeInvalidColumnRef, sel.GroupBy[g].Pos(), "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must include the grouping expression %s in its projection (eg, SELECT %s...).", target.Name, text, text)
			}
		}
		// Key columns first, in GROUP BY order, as ksqlDB's schema lists them.
		ordered := make([]OutputColumn, 0, len(cols))
		for _, oc := range keyOf {
			ordered = append(ordered, cols[oc])
		}
		for _, oc := range cols {
			if oc.Role != catalog.RoleKey {
				ordered = append(ordered, oc)
			}
		}
		cols = ordered
	}
	p.Columns = cols
	p.Aggregate = ap
	ap.EmitEveryUpdate = c.prop("ksql.streams.cache.max.bytes.buffering") == "0"
	if len(sel.GroupBy) > 0 && needsRepartition(src, ap.GroupBy) {
		ap.Repartition = true
	}
	return nil
}

// complexIntermediate are the aggregate functions whose intermediate state is a STRUCT or an
// ARRAY, which ksqlDB refuses over DELIMITED data.
var complexIntermediate = map[string]bool{
	"AVG": true, "CORRELATION": true, "STDDEV_SAMP": true, "STDDEV_SAMPLE": true, "STDDEV_POP": true,
	"VARIANCE": true, "TOPK": true, "TOPKDISTINCT": true,
}

func nameOr(name string, e ast.Expr) string {
	if name != "" {
		return name
	}
	return ast.Format(e)
}

// joinAnd renders names as "A, B and C".
func joinAnd(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// needsRepartition reports whether rows must move to another partition to be grouped: the
// source has several partitions and the grouping is not exactly its key columns.
func needsRepartition(src *catalog.Source, groupBy []string) bool {
	return src.Partitions > 1 && !sameKeys(src.KeyColumns(), groupBy)
}

func sameKeys(keys []catalog.Column, groupBy []string) bool {
	if len(keys) != len(groupBy) {
		return false
	}
	for i, k := range keys {
		if !refersTo(groupBy[i], k.Name) {
			return false
		}
	}
	return true
}

// resolveAggregate binds an aggregate call's arguments against the input row.
func resolveAggregate(scope *Scope, call *ast.FuncCall, props map[string]string) (agg.Aggregator, error) {
	name := strings.ToUpper(call.Name.Name)
	var args []agg.Arg
	if !call.Star {
		for _, a := range call.Args {
			x, err := BindClause(scope, a, ClauseSelect)
			if err != nil {
				return nil, err
			}
			arg := agg.Arg{Type: x.Type(), Text: ast.Format(a)}
			if lit, ok := literalValue(a); ok {
				arg.Literal, arg.Value = true, lit
			}
			args = append(args, arg)
		}
	}
	ag, err := agg.ResolveWith(name, args, props)
	if err != nil {
		return nil, at(err, call)
	}
	return ag, nil
}

// literalValue returns the value of a constant argument (a literal, possibly negated).
func literalValue(e ast.Expr) (types.Value, bool) {
	switch n := e.(type) {
	case *ast.Literal:
		x, err := bindLiteral(n)
		if err != nil {
			return nil, false
		}
		v, err := x.Eval(nil)
		return v, err == nil
	case *ast.Unary:
		if n.Op != ast.OpNeg {
			return nil, false
		}
		if l, ok := n.Expr.(*ast.Literal); ok {
			x, err := bindLiteral(l)
			if err != nil {
				return nil, false
			}
			v, err := x.Eval(nil)
			if err != nil {
				return nil, false
			}
			switch t := v.(type) {
			case int32:
				return -t, true
			case int64:
				return -t, true
			case float64:
				return -t, true
			}
		}
	}
	return nil, false
}

// windowPlan converts a WINDOW clause.
func windowPlan(w *ast.Window, emitFinal bool) (*WindowPlan, error) {
	wp := &WindowPlan{Type: catalog.WindowType(w.Kind)}
	switch w.Kind {
	case ast.Tumbling:
		wp.SizeMs, wp.AdvanceMs = w.Size.Milliseconds(), w.Size.Milliseconds()
	case ast.Hopping:
		wp.SizeMs, wp.AdvanceMs = w.Size.Milliseconds(), w.AdvanceBy.Milliseconds()
		if wp.AdvanceMs <= 0 || wp.AdvanceMs > wp.SizeMs {
			return nil, types.ErrorAt(types.CodeInvalidParameter, w.At, "Window advance must be positive and not larger than the window size: ADVANCE BY %s, SIZE %s", w.AdvanceBy, w.Size)
		}
	case ast.Session:
		wp.GapMs = w.Gap.Milliseconds()
	}
	if wp.Type != catalog.WindowSession && wp.SizeMs <= 0 {
		return nil, types.ErrorAt(types.CodeInvalidParameter, w.At, "Window size must be positive")
	}
	grace := defaultGrace
	if emitFinal {
		// ksqlDB closes a final-results window at its end when no grace period is given.
		grace = 0
	}
	if w.Grace != nil {
		grace = *w.Grace
	}
	wp.GraceMs = grace.Milliseconds()
	wp.RetentionMs = wp.SizeMs + wp.GapMs + wp.GraceMs
	if w.Retention != nil {
		r := w.Retention.Milliseconds()
		if r < wp.SizeMs+wp.GraceMs {
			return nil, types.ErrorAt(types.CodeInvalidParameter, w.At, "The retention period (%s) must be at least the window size plus its grace period.", *w.Retention)
		}
		wp.RetentionMs = r
	}
	return wp, nil
}

// RepartitionTopic names the internal topic of an aggregation's repartition stage (the runtime
// prefixes it with the server group's name).
func RepartitionTopic(queryID string) string { return queryID + "-repartition" }

// compileAggregate builds the runtime spec of an aggregation plan.
func compileAggregate(p *Plan, spec *exec.Spec, scope *Scope, used map[string]bool) (*exec.Spec, error) {
	ap := p.Aggregate
	src := &p.Source
	parse := func(text string) (ast.Expr, error) {
		e, err := parser.ParseExpr(text)
		if err != nil {
			return nil, err
		}
		collectColumns(e, used)
		return e, nil
	}
	if p.Filter != "" {
		e, err := parse(p.Filter)
		if err != nil {
			return nil, err
		}
		if spec.Filter, err = Bind(scope, e); err != nil {
			return nil, err
		}
	}
	as := &exec.AggregateSpec{EmitFinal: ap.EmitFinal, Namespace: p.QueryID, Coalesce: !ap.EmitEveryUpdate}
	ascope := &Scope{AnyQualifier: true}
	for i, g := range ap.GroupBy {
		e, err := parse(g)
		if err != nil {
			return nil, err
		}
		x, err := Bind(scope, e)
		if err != nil {
			return nil, err
		}
		as.GroupBy = append(as.GroupBy, x)
		ascope.Columns = append(ascope.Columns, ScopeColumn{Name: groupColumnName(i), Type: x.Type(), Index: i})
	}
	for i, text := range ap.Calls {
		e, err := parse(text)
		if err != nil {
			return nil, err
		}
		call, ok := e.(*ast.FuncCall)
		if !ok {
			return nil, types.Errorf(types.CodeInternal, "stored plan: %s is not an aggregate call", text)
		}
		ag, err := resolveAggregate(scope, call, ap.FunctionProperties)
		if err != nil {
			return nil, err
		}
		c := exec.AggregateCall{Agg: ag}
		if !call.Star {
			for j := 0; j < ag.ColumnArgs() && j < len(call.Args); j++ {
				x, err := Bind(scope, call.Args[j])
				if err != nil {
					return nil, err
				}
				c.Args = append(c.Args, x)
			}
		}
		as.Calls = append(as.Calls, c)
		ascope.Columns = append(ascope.Columns, ScopeColumn{Name: aggColumnName(i), Type: ag.ResultType(), Index: len(ap.GroupBy) + i})
	}
	ascope.Width = len(ap.GroupBy) + len(ap.Calls)
	if w := ap.Window; w != nil {
		as.Window = &exec.WindowSpec{Session: w.Type == catalog.WindowSession, Size: w.SizeMs, Advance: w.AdvanceMs, Gap: w.GapMs, Grace: w.GraceMs, Retention: w.RetentionMs}
		ascope.Columns = append(ascope.Columns,
			ScopeColumn{Name: "WINDOWSTART", Type: types.BigintType, Index: ascope.Width},
			ScopeColumn{Name: "WINDOWEND", Type: types.BigintType, Index: ascope.Width + 1})
		ascope.Width += 2
	}
	if ap.Having != "" {
		e, err := parser.ParseExpr(ap.Having)
		if err != nil {
			return nil, err
		}
		if as.Having, err = Bind(ascope, e); err != nil {
			return nil, err
		}
	}
	spec.Project = make([]exec.Evaluator, len(p.Columns))
	for i, oc := range p.Columns {
		e, err := parser.ParseExpr(oc.Expr)
		if err != nil {
			return nil, err
		}
		x, err := Bind(ascope, e)
		if err != nil {
			return nil, err
		}
		spec.Project[i] = x
	}
	if ap.Repartition {
		as.Repartition = RepartitionTopic(p.QueryID)
	}
	spec.Aggregate = as
	if err := sourceSpec(src, scope, used, &spec.Source); err != nil {
		return nil, err
	}
	spec.Source.TimestampFatal = p.FailOnBadTimestamp
	if p.Sink != nil {
		sink, err := sinkSpec(p.Sink, p.Columns)
		if err != nil {
			return nil, err
		}
		spec.Sink = sink
	}
	return spec, nil
}
