package planner

import (
	"strings"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// PullPlan is a pull query (a SELECT without EMIT) over a materialized table: the rows an
// aggregation keeps in its state stores, filtered, projected, sorted and limited.
type PullPlan struct {
	Table *catalog.Source
	// QueryID is the aggregation that materializes the table; Partitions its task count.
	QueryID    string
	Partitions int
	// Rows read from the stores hold the table's columns, then WINDOWSTART and WINDOWEND
	// for a windowed table.
	Windowed bool
	Filter   exec.Evaluator
	Columns  []OutputColumn
	Project  []exec.Evaluator
	OrderBy  []exec.Evaluator
	Desc     []bool
	Limit    int64
	// Materialized says the table is kept by a table query (not an aggregation): its rows
	// are read from that query's row stores.
	Materialized bool
	// KeyEquals, when set, is the key a WHERE of the form key = literal pins: only that
	// group's rows need reading. Values in the order of the table's key columns.
	KeyEquals types.Row
}

// PlanPull plans a pull query over table src, materialized by the persistent query q.
func PlanPull(c *Context, sel *ast.Select, src *catalog.Source, q *catalog.Query) (*PullPlan, error) {
	if q == nil && src.ReadOnly {
		// A source table: its internal materializer keeps the rows.
		b, err := PlanMaterialize(src).Encode()
		if err != nil {
			return nil, err
		}
		q = &catalog.Query{ID: MaterializerID(src.Name), Plan: b}
	}
	if q == nil {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "The `%s` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_%s AS SELECT * FROM %s'. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query.", src.Name, src.Name, src.Name)
	}
	plan, err := DecodePlan(q.Plan)
	if err != nil {
		return nil, err
	}
	if plan.Aggregate == nil && !plan.MaterializeOnly && (plan.Sink == nil || plan.Sink.Window != nil) {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "The `%s` table isn't queryable: its query keeps no rows. Add EMIT CHANGES to see the table's changes.", src.Name)
	}
	if len(sel.GroupBy) > 0 || sel.Having != nil || sel.Window != nil || len(sel.PartitionBy) > 0 {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Pull queries don't support GROUP BY, HAVING, WINDOW or PARTITION BY clauses.")
	}
	pp := &PullPlan{Table: src, QueryID: q.ID, Partitions: int(plan.Source.Partitions), Windowed: src.Window != nil, Materialized: plan.Aggregate == nil}
	if pp.Partitions <= 0 {
		pp.Partitions = 1
	}
	if n, ok := c.Topic(plan.Source.Topic); ok && n > 0 {
		pp.Partitions = int(n)
	}
	scope := &Scope{Qualifiers: []string{src.Name}}
	if tbl, ok := sel.From.(*ast.Table); ok {
		if tbl.Alias != nil {
			scope.Qualifiers = append(scope.Qualifiers, tbl.Alias.Name)
		}
		if tbl.Name.Schema != nil {
			scope.FoldLowerCase = true
			scope.Qualifiers = append(scope.Qualifiers, strings.ToLower(src.Name), tbl.Name.Name.Name)
		}
	}
	for i, col := range src.Columns {
		scope.Columns = append(scope.Columns, ScopeColumn{Name: col.Name, Type: col.Type, Index: i})
	}
	scope.Width = len(src.Columns)
	if pp.Windowed {
		scope.Columns = append(scope.Columns,
			ScopeColumn{Name: "WINDOWSTART", Type: types.BigintType, Index: scope.Width},
			ScopeColumn{Name: "WINDOWEND", Type: types.BigintType, Index: scope.Width + 1})
		scope.Width += 2
	}
	if sel.Where != nil {
		f, err := BindClause(scope, sel.Where, ClauseWhere)
		if err != nil {
			return nil, err
		}
		pp.Filter = f
		if !pp.Materialized {
			pp.KeyEquals = keyEquality(sel.Where, src)
		}
	}
	used := map[string]bool{}
	n := 0
	for _, it := range sel.Items {
		if _, ok := it.Expr.(*ast.Star); ok {
			for _, sc := range scope.Columns {
				x, _ := Bind(scope, &ast.ColumnRef{Name: ast.Ident{Name: sc.Name}})
				pp.Columns = append(pp.Columns, OutputColumn{Name: sc.Name, Type: sc.Type})
				pp.Project = append(pp.Project, x)
				used[sc.Name] = true
			}
			continue
		}
		x, err := BindClause(scope, it.Expr, ClauseSelect)
		if err != nil {
			return nil, err
		}
		name := ""
		switch {
		case it.Alias != nil:
			name = it.Alias.Name
		default:
			if ref, ok := it.Expr.(*ast.ColumnRef); ok {
				name = ref.Name.Name
			}
		}
		for name == "" || used[name] && it.Alias == nil && !isRef(it.Expr) {
			name = "KSQL_COL_" + itoa(n)
			n++
		}
		used[name] = true
		pp.Columns = append(pp.Columns, OutputColumn{Name: name, Type: x.Type()})
		pp.Project = append(pp.Project, x)
	}
	for _, o := range sel.OrderBy {
		x, err := Bind(scope, o.Expr)
		if err != nil {
			return nil, err
		}
		pp.OrderBy = append(pp.OrderBy, x)
		pp.Desc = append(pp.Desc, o.Desc)
	}
	if sel.Limit != nil {
		pp.Limit = *sel.Limit
	}
	return pp, nil
}

func isRef(e ast.Expr) bool { _, ok := e.(*ast.ColumnRef); return ok }

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// keyEquality returns the key values a WHERE pins with `key = literal` conjuncts covering
// every key column, or nil.
func keyEquality(where ast.Expr, src *catalog.Source) types.Row {
	keys := src.KeyColumns()
	vals := make(types.Row, len(keys))
	found := make([]bool, len(keys))
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		b, ok := e.(*ast.Binary)
		if !ok {
			return
		}
		if b.Op == ast.OpAnd {
			walk(b.Left)
			walk(b.Right)
			return
		}
		if b.Op != ast.OpEq {
			return
		}
		ref, lit := b.Left, b.Right
		if _, ok := ref.(*ast.ColumnRef); !ok {
			ref, lit = lit, ref
		}
		r, ok := ref.(*ast.ColumnRef)
		if !ok {
			return
		}
		v, ok := literalValue(lit)
		if !ok {
			return
		}
		for i, k := range keys {
			if strings.EqualFold(k.Name, r.Name.Name) {
				cv, err := coerceKey(v, k.Type)
				if err != nil {
					return
				}
				vals[i], found[i] = cv, true
			}
		}
	}
	walk(where)
	for _, f := range found {
		if !f {
			return nil
		}
	}
	return vals
}

// coerceKey converts a literal to a key column's type when the conversion is exact.
func coerceKey(v types.Value, t types.Type) (types.Value, error) {
	switch t.Kind {
	case types.Int:
		if x, ok := v.(int64); ok && int64(int32(x)) == x {
			return int32(x), nil
		}
	case types.Bigint:
		if x, ok := v.(int32); ok {
			return int64(x), nil
		}
	case types.Double:
		switch x := v.(type) {
		case int32:
			return float64(x), nil
		case int64:
			return float64(x), nil
		}
	}
	var k types.Kind
	switch v.(type) {
	case string:
		k = types.String
	case bool:
		k = types.Boolean
	case int32:
		k = types.Int
	case int64:
		k = types.Bigint
	case float64:
		k = types.Double
	}
	if k == t.Kind {
		return v, nil
	}
	return nil, types.Errorf(types.CodeDatatypeMismatch, "no exact conversion")
}

// LookupSource finds the source a FROM names. A Postgres client names it schema-qualified and
// quoted as it was shown in the catalog ("public"."readings", lower case), while ksqlDB stores
// unquoted names upper-cased: a schema-qualified lower-case name that names no source finds
// the upper-case one. (An unqualified quoted name keeps ksqlDB's exact-match rule.)
func LookupSource(cat *catalog.Catalog, name ast.QualifiedName) (*catalog.Source, bool) {
	src, ok := cat.Source(name.Name.Name)
	if !ok && name.Schema != nil && name.Name.Name == strings.ToLower(name.Name.Name) {
		src, ok = cat.Source(strings.ToUpper(name.Name.Name))
	}
	return src, ok
}

// MaterializerID names the internal query that keeps a source table's rows for pull queries
// (ksqlDB's CREATE SOURCE TABLE is queryable).
func MaterializerID(table string) string { return "CST_" + table }

// PlanMaterialize plans the internal query that keeps the latest row per key of a source
// table (CREATE SOURCE TABLE) in a state store, from the topic's beginning.
func PlanMaterialize(src *catalog.Source) *Plan {
	p := &Plan{Version: PlanVersion, QueryID: MaterializerID(src.Name), Source: *src, FromBeginning: true, MaterializeOnly: true}
	for _, c := range src.Columns {
		p.Columns = append(p.Columns, OutputColumn{Name: c.Name, Expr: types.QuoteIdentIfNeeded(c.Name), Type: c.Type, Role: c.Role, HeaderKey: c.HeaderKey})
	}
	return p
}
