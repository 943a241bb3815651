package planner

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// Target says where a persistent query writes: a new source (CREATE ... AS SELECT) or an
// existing stream (INSERT INTO).
type Target struct {
	Name     string
	Kind     catalog.Kind
	With     ast.Properties
	Existing *catalog.Source
	// Statement is the text of the statement that creates the sink.
	Statement string
}

// SourceScope is the scope of a source's rows: its columns, then the pseudo columns.
func SourceScope(src *catalog.Source, alias string) *Scope {
	s := &Scope{Qualifiers: []string{src.Name}}
	if alias != "" {
		s.Qualifiers = append(s.Qualifiers, alias)
	}
	for i, c := range src.Columns {
		s.Columns = append(s.Columns, ScopeColumn{Name: c.Name, Type: c.Type, Index: i})
	}
	n := len(src.Columns)
	s.Columns = append(s.Columns,
		ScopeColumn{Name: "ROWTIME", Type: types.BigintType, Index: n + exec.PseudoRowtime},
		ScopeColumn{Name: "ROWPARTITION", Type: types.IntType, Index: n + exec.PseudoRowPartition},
		ScopeColumn{Name: "ROWOFFSET", Type: types.BigintType, Index: n + exec.PseudoRowOffset},
	)
	s.Width = n + exec.NumPseudo
	if src.Window != nil {
		s.Columns = append(s.Columns,
			ScopeColumn{Name: "WINDOWSTART", Type: types.BigintType, Index: n + exec.PseudoWindowStart},
			ScopeColumn{Name: "WINDOWEND", Type: types.BigintType, Index: n + exec.PseudoWindowEnd})
	}
	return s
}

// PlanSelect plans a stateless query over one stream or table: a push query when target is
// nil, else a persistent query writing to target.
func PlanSelect(c *Context, sel *ast.Select, target *Target) (*Plan, error) {
	if sel.From == nil {
		return nil, types.ErrorAt(types.CodeSyntaxError, sel.Pos(), "a query needs a FROM clause")
	}
	tableFuncs, err := tableFunctionCalls(sel)
	if err != nil {
		return nil, err
	}
	tbl, ok := sel.From.(*ast.Table)
	if !ok {
		if _, isJoin := sel.From.(*ast.Join); isJoin {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.From.Pos(), "JOIN is not supported yet")
		}
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.From.Pos(), "only a stream or table may follow FROM")
	}
	src, ok := LookupSource(c.Catalog, tbl.Name)
	if !ok {
		return nil, types.ErrorAt(types.CodeUndefinedTable, tbl.Name.Pos(), "%s does not exist.", tbl.Name.Name.Name)
	}
	if target == nil && sel.Emit == ast.EmitNone {
		if src.Kind == catalog.Stream {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Pull queries don't support streams: %s is a stream. Add EMIT CHANGES to the query to make it a push query that runs until you cancel it.", src.Name)
		}
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Pull queries on tables are not supported yet: add EMIT CHANGES to see the table's changes")
	}
	aggregation := isAggregation(sel)
	if sel.Emit == ast.EmitFinal && !aggregation {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "EMIT FINAL is only supported for windowed aggregations.")
	}
	if err := checkTableFunctionSource(sel, src, tableFuncs); err != nil {
		return nil, err
	}
	alias := ""
	if tbl.Alias != nil {
		alias = tbl.Alias.Name
	}
	scope := SourceScope(src, alias)
	if tbl.Name.Schema != nil {
		scope.FoldLowerCase = true
	}
	p := &Plan{Version: PlanVersion, Source: *src}
	if sel.Where != nil && src.Window == nil {
		if wb := windowBoundIn(sel.Where); wb != "" {
			return nil, types.ErrorAt(types.CodeUndefinedColumn, sel.Where.Pos(), "Error in WHERE expression: Unknown column %s.", wb)
		}
	}
	if sel.Where != nil {
		if _, err := BindClause(scope, sel.Where, ClauseWhere); err != nil {
			return nil, err
		}
		p.Filter = ast.Format(sel.Where)
	}
	p.TableFunctions = tableFuncs
	if aggregation {
		return planAggregateSelect(c, sel, target, src, scope, p)
	}
	cols, err := projection(tableFuncScope(scope, tableFuncs), src, sel.Items, target != nil)
	if err != nil {
		return nil, err
	}
	if sel.Limit != nil {
		if target != nil {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "LIMIT is only supported for push queries")
		}
		p.Limit = *sel.Limit
	}
	p.FromBeginning = strings.EqualFold(c.prop("auto.offset.reset"), "earliest")
	p.FailOnBadTimestamp = strings.EqualFold(c.prop("ksql.timestamp.throw.on.invalid"), "true")
	if len(sel.PartitionBy) > 0 {
		sinkName := ""
		if target != nil {
			sinkName = target.Name
		}
		if cols, err = partitionBy(scope, src, sel.Items, cols, sel.PartitionBy, sinkName); err != nil {
			return nil, err
		}
		p.Rekeyed = true
	}
	if target != nil {
		if err := checkSinkTimestamp(target.With, cols); err != nil {
			return nil, at(err, sel)
		}
		if ex := target.Existing; ex != nil {
			if ex.ReadOnly {
				return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Cannot insert into read-only %s: %s", strings.ToLower(string(ex.Kind)), ex.Name)
			}
			for _, c := range ex.Columns {
				if c.Role == catalog.RoleHeader {
					return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "Cannot insert into %s because it has header columns", ex.Name)
				}
			}
		}
	}
	if target != nil && len(sel.PartitionBy) == 0 {
		if err := checkKeysProjected(src, cols, target.Name); err != nil {
			return nil, at(err, sel)
		}
	}
	p.Columns = cols
	if target == nil {
		return p, nil
	}
	sink, err := sinkSource(c, src, cols, target)
	if err != nil {
		return nil, at(err, sel)
	}
	p.Sink = sink
	if target.Existing == nil && !p.Rekeyed && src.Window != nil {
		// A query over a windowed source keeps its windowed keys.
		w := *src.Window
		sink.Window = &w
	}
	if src.Kind == catalog.Table && sink.Kind == catalog.Stream && len(sel.PartitionBy) == 0 {
		return nil, types.ErrorAt(types.CodeInvalidParameter, sel.Pos(), "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.")
	}
	if src.Kind == catalog.Stream && sink.Kind == catalog.Table {
		return nil, types.ErrorAt(types.CodeInvalidParameter, sel.Pos(), "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.")
	}
	return p, nil
}

// planAggregateSelect finishes the plan of a GROUP BY / windowed query.
func planAggregateSelect(c *Context, sel *ast.Select, target *Target, src *catalog.Source, scope *Scope, p *Plan) (*Plan, error) {
	if len(sel.PartitionBy) > 0 {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.PartitionBy[0].Pos(), "PARTITION BY cannot be used with GROUP BY: the grouping expressions are the key.")
	}
	if err := planAggregate(c, sel, target, src, scope, p); err != nil {
		return nil, err
	}
	p.FromBeginning = strings.EqualFold(c.prop("auto.offset.reset"), "earliest")
	p.FailOnBadTimestamp = strings.EqualFold(c.prop("ksql.timestamp.throw.on.invalid"), "true")
	if sel.Limit != nil {
		if target != nil {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, sel.Pos(), "LIMIT is only supported for push queries")
		}
		p.Limit = *sel.Limit
	}
	if target == nil {
		return p, nil
	}
	if err := checkSinkTimestamp(target.With, p.Columns); err != nil {
		return nil, at(err, sel)
	}
	if target.Existing != nil || target.Kind != catalog.Table {
		return nil, types.ErrorAt(types.CodeInvalidParameter, sel.Pos(), "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.")
	}
	sink, err := sinkSource(c, src, p.Columns, target)
	if err != nil {
		return nil, at(err, sel)
	}
	sink.Kind = catalog.Table
	if w := p.Aggregate.Window; w != nil {
		sink.Window = &catalog.Window{Type: w.Type, SizeMs: w.SizeMs}
	}
	p.Sink = sink
	return p, nil
}

// checkSinkTimestamp checks a CREATE ... AS SELECT's TIMESTAMP property against the output.
func checkSinkTimestamp(with ast.Properties, cols []OutputColumn) error {
	ts, ok := propString(with, "timestamp")
	if !ok {
		return nil
	}
	name := strings.ToUpper(ts)
	for _, c := range cols {
		if c.Name != name {
			continue
		}
		_, hasFormat := propString(with, "timestamp_format")
		switch {
		case hasFormat && c.Type.Kind != types.String:
			return types.Errorf(types.CodeDatatypeMismatch, "Timestamp column, `%s`, should be of type STRING when TIMESTAMP_FORMAT is set", c.Name)
		case !hasFormat && c.Type.Kind != types.Bigint && c.Type.Kind != types.Timestamp:
			return types.Errorf(types.CodeDatatypeMismatch, "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.", c.Name)
		}
		return nil
	}
	return types.Errorf(types.CodeUndefinedColumn, "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'", name)
}

// projection expands the select list into output columns, naming unaliased expressions the
// way ksqlDB does (column name, struct field name, else KSQL_COL_n).
// persistent says the result is written to a topic: only then are pseudo columns (ROWTIME
// ...) refused without an alias, as their names are reserved in a source's schema.
func projection(scope *Scope, src *catalog.Source, items []ast.SelectItem, persistent bool) ([]OutputColumn, error) {
	var cols []OutputColumn
	used := map[string]bool{}
	// Generated names (KSQL_COL_n, a struct field's name) avoid the source's column names too,
	// as ksqlDB's do: a source with a column ITEMID gets ITEMID_1 for itemid->itemid.
	generatedTaken := map[string]bool{}
	for _, c := range src.Columns {
		generatedTaken[c.Name] = true
	}
	for _, it := range items {
		switch e := it.Expr.(type) {
		case *ast.Star:
			if e.Qualifier != nil && e.Qualifier.Name.Name != src.Name && !scopeHasQualifier(scope, e.Qualifier.Name.Name) {
				return nil, types.ErrorAt(types.CodeUndefinedTable, e.Pos(), "'%s' is not a valid stream/table name or alias.", e.Qualifier.Name.Name)
			}
			for _, sc := range src.Columns {
				cols = append(cols, OutputColumn{Name: sc.Name, Expr: types.QuoteIdentIfNeeded(sc.Name), Type: sc.Type, Role: sc.Role, HeaderKey: sc.HeaderKey})
				used[sc.Name] = true
			}
			continue
		}
		if ss, ok := it.Expr.(*ast.StructStar); ok {
			x, err := BindClause(scope, ss.Expr, ClauseSelect)
			if err != nil {
				return nil, err
			}
			if x.Type().Kind != types.Struct {
				return nil, types.ErrorAt(types.CodeDatatypeMismatch, ss.Pos(), "Cannot use '->*' on a non-STRUCT expression %s (%s)", ast.Format(ss.Expr), x.Type())
			}
			for _, f := range x.Type().Fields {
				name := uniqueName(used, f.Name)
				used[name] = true
				cols = append(cols, OutputColumn{Name: name, Expr: ast.Format(ss.Expr) + "->" + types.QuoteIdentIfNeeded(f.Name), Type: f.Type, Role: catalog.RoleValue})
			}
			continue
		}
		if ref, ok := it.Expr.(*ast.ColumnRef); ok && reserved[ref.Name.Name] && it.Alias == nil && (persistent || windowBound[ref.Name.Name]) {
			return nil, types.ErrorAt(types.CodeInvalidParameter, ref.Pos(), "Reserved column name in select: `%s`. Please remove or alias the column.", ref.Name.Name)
		}
		if it.Alias != nil && reserved[it.Alias.Name] {
			return nil, types.ErrorAt(types.CodeInvalidParameter, it.Alias.Pos, "`%s` is a reserved column name. You cannot use it as an alias for a column.", it.Alias.Name)
		}
		x, err := BindClause(scope, it.Expr, ClauseSelect)
		if err != nil {
			return nil, err
		}
		name := ""
		text := ast.Format(it.Expr)
		if it.Alias != nil {
			name = it.Alias.Name
		}
		switch e := it.Expr.(type) {
		case *ast.ColumnRef:
			// One source: the qualifier (source name or alias) does not matter once bound.
			text = types.QuoteIdentIfNeeded(e.Name.Name)
			if name == "" {
				name = e.Name.Name
			}
		case *ast.Deref:
			if name == "" {
				name = uniqueName(union(used, generatedTaken), e.Field.Name)
			}
		}
		if name != "" && used[name] {
			return nil, types.ErrorAt(types.CodeDuplicateColumn, it.Expr.Pos(), "Duplicate value columns found in schema: `%s` %s", name, x.Type())
		}
		if name != "" {
			used[name] = true
		}
		cols = append(cols, OutputColumn{Name: name, Expr: text, Type: x.Type(), Role: catalog.RoleValue})
	}
	n := 0
	for i := range cols {
		if cols[i].Name != "" {
			continue
		}
		for {
			cand := fmt.Sprintf("KSQL_COL_%d", n)
			n++
			if !used[cand] && !generatedTaken[cand] {
				cols[i].Name = cand
				used[cand] = true
				break
			}
		}
	}
	for i := range cols {
		if cols[i].Type.Kind == types.Unknown {
			return nil, types.Errorf(types.CodeDatatypeMismatch, "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).")
		}
	}
	return cols, nil
}

func union(a, b map[string]bool) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// windowBound are the pseudo columns that exist only in windowed aggregations.
var windowBound = map[string]bool{"WINDOWSTART": true, "WINDOWEND": true}

// uniqueName returns name, or name_1, name_2 ... when it is taken (ksqlDB's naming of
// struct fields selected twice).
func uniqueName(used map[string]bool, name string) string {
	if !used[name] {
		return name
	}
	for i := 1; ; i++ {
		if c := fmt.Sprintf("%s_%d", name, i); !used[c] {
			return c
		}
	}
}

func scopeHasQualifier(s *Scope, q string) bool {
	for _, k := range s.Qualifiers {
		if k == q {
			return true
		}
	}
	return false
}

// checkKeysProjected marks the output columns that carry the source's key columns (a plain
// reference, possibly aliased) as KEY columns, and fails like ksqlDB when one is missing.
func checkKeysProjected(src *catalog.Source, cols []OutputColumn, sinkName string) error {
	keys := src.KeyColumns()
	missing := false
	for _, k := range keys {
		var found []int
		for i := range cols {
			if refersTo(cols[i].Expr, k.Name) {
				found = append(found, i)
			}
		}
		if len(found) > 1 {
			names := make([]string, len(found))
			for j, i := range found {
				names[j] = cols[i].Name
			}
			return types.Errorf(types.CodeDuplicateColumn, "The projection contains a key column (`%s`) more than once, aliased as: %s.", k.Name, strings.Join(names, " and "))
		}
		if len(found) == 0 {
			missing = true
			continue
		}
		cols[found[0]].Role = catalog.RoleKey
	}
	if !missing {
		return nil
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	if len(names) == 1 {
		return types.Errorf(types.CodeInvalidColumnRef, "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must include the key column %s in its projection (eg, SELECT %s...).", sinkName, names[0], names[0])
	}
	return types.Errorf(types.CodeInvalidColumnRef, "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must include the key columns %s in its projection (eg, SELECT %s...).", sinkName, strings.Join(names[:len(names)-1], ", ")+" and "+names[len(names)-1], strings.Join(names, ", "))
}

// refersTo reports whether the expression text is a plain reference to column name.
func refersTo(exprText, name string) bool {
	return exprText == types.QuoteIdentIfNeeded(name) || exprText == name
}

// partitionBy re-keys the output: the PARTITION BY expressions become the key columns. As in
// ksqlDB the re-keying happens before the projection: `*` expands to the new key, then the
// source's value columns, then its old key columns (now values); an explicit projection must
// include each partitioning expression, which becomes a key column under its alias.
func partitionBy(scope *Scope, src *catalog.Source, items []ast.SelectItem, cols []OutputColumn, exprs []ast.Expr, sinkName string) ([]OutputColumn, error) {
	for i := range cols {
		if cols[i].Role == catalog.RoleKey {
			cols[i].Role = catalog.RoleValue
		}
	}
	for _, e := range exprs {
		if b, ok := e.(*ast.Binary); ok && (b.Op == ast.OpAnd || b.Op == ast.OpOr) {
			// ksqlDB's grammar takes value expressions after PARTITION BY, not conditions.
			return nil, types.ErrorAt(types.CodeSyntaxError, b.Pos(), "Syntax Error: PARTITION BY takes expressions separated by commas, not a condition: %s", ast.Format(e))
		}
		if l, ok := e.(*ast.Literal); ok && l.Kind == ast.NullLit {
			if len(exprs) > 1 {
				return nil, types.ErrorAt(types.CodeInvalidParameter, e.Pos(), "Cannot PARTITION BY multiple columns including NULL")
			}
			return cols, nil // PARTITION BY NULL: no key
		}
	}
	star := false
	for _, it := range items {
		if _, ok := it.Expr.(*ast.Star); ok {
			star = true
		}
	}
	var keys []OutputColumn
	partitioned := map[string]bool{} // source columns that become key columns
	for i, e := range exprs {
		x, err := Bind(scope, e)
		if err != nil {
			if types.CodeOf(err) == types.CodeUndefinedColumn {
				if ref, ok := e.(*ast.ColumnRef); ok {
					msg := fmt.Sprintf("PARTITION BY column '%s' cannot be resolved.", ref.Name.Name)
					for _, c := range cols {
						if c.Name == ref.Name.Name {
							msg += fmt.Sprintf(" '%s' must be a column in the source schema since PARTITION BY is applied on the input.", ref.Name.Name)
							break
						}
					}
					return nil, types.ErrorAt(types.CodeUndefinedColumn, ref.Name.Pos, "%s", msg)
				}
			}
			return nil, err
		}
		text := ast.Format(e)
		var found []int
		for j := range cols {
			if !star && cols[j].Expr == text && cols[j].Role != catalog.RoleKey {
				found = append(found, j)
			}
		}
		if len(found) > 1 {
			names := make([]string, len(found))
			for k, j := range found {
				names[k] = cols[j].Name
			}
			return nil, types.ErrorAt(types.CodeDuplicateColumn, e.Pos(), "The projection contains a key column (`%s`) more than once, aliased as: %s.", cols[found[0]].Expr, strings.Join(names, " and "))
		}
		if ref, ok := e.(*ast.ColumnRef); ok {
			partitioned[ref.Name.Name] = true
		}
		if len(found) == 1 {
			cols[found[0]].Role = catalog.RoleKey
			continue
		}
		if !star {
			if sinkName == "" {
				// A push query shows the rows as projected; the key does not matter there.
				continue
			}
			q := qualified(e, src.Name)
			return nil, types.ErrorAt(types.CodeInvalidColumnRef, e.Pos(), "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must include the partitioning expression %s in its projection (eg, SELECT %s...).", sinkName, q, q)
		}
		name := fmt.Sprintf("KSQL_COL_%d", i)
		switch r := e.(type) {
		case *ast.ColumnRef:
			name = r.Name.Name
		case *ast.Deref:
			name = r.Field.Name
		}
		keys = append(keys, OutputColumn{Name: name, Expr: text, Type: x.Type(), Role: catalog.RoleKey})
	}
	if !star {
		// Key columns first, in PARTITION BY order.
		var ordered, rest []OutputColumn
		for _, e := range exprs {
			text := ast.Format(e)
			for _, c := range cols {
				if c.Role == catalog.RoleKey && c.Expr == text {
					ordered = append(ordered, c)
				}
			}
		}
		for _, c := range cols {
			if c.Role != catalog.RoleKey {
				rest = append(rest, c)
			}
		}
		return append(ordered, rest...), nil
	}
	// `*`: the new key, the source's value columns, then its old key columns.
	var values, oldKeys []OutputColumn
	for _, c := range cols {
		if partitioned[c.Name] && c.Expr == types.QuoteIdentIfNeeded(c.Name) {
			continue
		}
		if _, _, isSrc := src.Column(c.Name); isSrc {
			if sc, _, _ := src.Column(c.Name); sc.Role == catalog.RoleKey {
				oldKeys = append(oldKeys, c)
				continue
			}
		}
		values = append(values, c)
	}
	out := append(keys, values...)
	return append(out, oldKeys...), nil
}

// qualified renders an expression with its column references qualified by the source name,
// as ksqlDB's messages do (ABS(INPUT.ID)).
func qualified(e ast.Expr, source string) string {
	text := ast.Format(e)
	if ref, ok := e.(*ast.ColumnRef); ok && ref.Qualifier == nil {
		return source + "." + text
	}
	var names = map[string]bool{}
	collectColumns(e, names)
	for n := range names {
		text = replaceWord(text, types.QuoteIdentIfNeeded(n), source+"."+types.QuoteIdentIfNeeded(n))
	}
	return text
}

// replaceWord replaces whole-word occurrences of old in s.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], old)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		before := j == 0 || !isIdentByte(s[j-1])
		after := j+len(old) >= len(s) || !isIdentByte(s[j+len(old)])
		b.WriteString(s[i:j])
		if before && after {
			b.WriteString(repl)
		} else {
			b.WriteString(old)
		}
		i = j + len(old)
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// sinkSource builds the catalog entry of the sink (new for CREATE ... AS, the existing one
// for INSERT INTO, checked for a matching schema).
func sinkSource(c *Context, src *catalog.Source, cols []OutputColumn, t *Target) (*catalog.Source, error) {
	out := &catalog.Source{Name: t.Name, Kind: t.Kind, Statement: t.Statement}
	for _, oc := range cols {
		role := oc.Role
		if role == catalog.RoleHeader {
			role = catalog.RoleValue
		}
		out.Columns = append(out.Columns, catalog.Column{Name: oc.Name, Type: oc.Type, Role: role})
	}
	if t.Existing != nil {
		ex := t.Existing
		if ex.Kind != catalog.Stream {
			return nil, types.Errorf(types.CodeFeatureNotSupported, "INSERT INTO can only be used to insert into a stream. %s is a table.", ex.Name)
		}
		if !sameSchema(ex.Columns, out.Columns) {
			return nil, types.Errorf(types.CodeDatatypeMismatch, "Incompatible schema between results and sink.\nResult schema is %s\nSink schema is %s", (&catalog.Source{Columns: out.Columns, Kind: ex.Kind}).SchemaString(), ex.SchemaString())
		}
		return ex, nil
	}
	if src.Kind == catalog.Table {
		out.Kind = t.Kind
	}
	for k, v := range t.With {
		if !knownProperties[k] {
			return nil, types.ErrorAt(types.CodeInvalidParameter, v.Pos(), "Invalid config variable(s) in the WITH clause: %s", strings.ToUpper(k))
		}
	}
	topic, ok := propString(t.With, "kafka_topic")
	if !ok {
		topic = c.prop("ksql.output.topic.name.prefix") + t.Name
	}
	out.Topic = topic
	kf, vf := src.KeyFormat, src.ValueFormat
	vf.WrapSingleValue = nil
	if _, ok := propString(t.With, "value_format"); ok || propHas(t.With, "format") {
		vf.Delimiter = ""
	}
	if _, ok := propString(t.With, "key_format"); ok || propHas(t.With, "format") {
		kf.Delimiter = ""
	}
	var err error
	out.KeyFormat, out.ValueFormat, err = formats(c, t.With, &kf, &vf)
	if err != nil {
		return nil, err
	}
	if kfText, ok := propString(t.With, "key_format"); ok && len(out.KeyColumns()) == 0 && !strings.EqualFold(kfText, "NONE") {
		return nil, types.Errorf(types.CodeInvalidParameter, "Key format specified for stream without key columns.")
	}
	if len(out.KeyColumns()) == 0 && !propHas(t.With, "key_format") && !propHas(t.With, "format") {
		// ksqlDB writes keyless results with the NONE key format.
		out.KeyFormat = catalog.Format{Name: "NONE"}
	} else if out.KeyFormat.Name == "NONE" && len(out.KeyColumns()) > 0 {
		out.KeyFormat = catalog.Format{Name: "KAFKA"}
		if k := c.prop("ksql.persistence.default.format.key"); k != "" {
			out.KeyFormat.Name = strings.ToUpper(k)
		}
	}
	if len(out.ValueColumns()) == 0 {
		return nil, types.Errorf(types.CodeInvalidParameter, "The projection contains no value columns.")
	}
	wrapDefault(c, out)
	if err := checkCodecs(out); err != nil {
		return nil, err
	}
	if ts, ok := propString(t.With, "timestamp"); ok {
		col, _, found := out.Column(strings.ToUpper(ts))
		if !found {
			return nil, types.Errorf(types.CodeUndefinedColumn, "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'", strings.ToUpper(ts))
		}
		out.TimestampColumn = col.Name
		if tf, ok := propString(t.With, "timestamp_format"); ok {
			out.TimestampFormat = tf
		}
	}
	parts, hasParts, err := propInt(t.With, "partitions")
	if err != nil {
		return nil, err
	}
	out.Partitions = src.Partitions
	if hasParts {
		out.Partitions = int32(parts)
	}
	if n, exists := c.Topic(topic); exists {
		out.Partitions = n
	}
	return out, nil
}

func propHas(p ast.Properties, name string) bool {
	_, ok := p[name]
	return ok
}

func sameSchema(a, b []catalog.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !a[i].Type.Equal(b[i].Type) || (a[i].Role == catalog.RoleKey) != (b[i].Role == catalog.RoleKey) {
			return false
		}
	}
	return true
}
