package planner

import (
	"errors"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/exec/serde"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/types"
)

// valueDecoder turns serde's null-record sentinel into the runtime's.
type valueDecoder struct{ c *serde.Codec }

func (d valueDecoder) Decode(data []byte, dst types.Row, needed []bool) error {
	err := d.c.Decode(data, dst, needed)
	if err != nil && errors.Is(err, serde.ErrNullRecord) {
		return exec.ErrNullValue
	}
	return err
}

// Compile turns a plan into the runtime's spec, recompiling every expression against the
// plan's snapshot of its source.
func Compile(p *Plan) (*exec.Spec, error) {
	src := &p.Source
	scope := SourceScope(src, "")
	scope.AnyQualifier = true
	// The plan was checked when planned; lower-case names there were accepted on purpose.
	scope.FoldLowerCase = true
	spec := &exec.Spec{ID: p.QueryID, FromBeginning: p.FromBeginning, Limit: p.Limit}
	used := map[string]bool{}
	if p.Aggregate != nil {
		return compileAggregate(p, spec, scope, used)
	}
	if p.Filter != "" {
		e, err := parser.ParseExpr(p.Filter)
		if err != nil {
			return nil, err
		}
		collectColumns(e, used)
		f, err := Bind(scope, e)
		if err != nil {
			return nil, err
		}
		spec.Filter = f
	}
	pscope, tfs, err := compileTableFuncs(scope, p.TableFunctions, used)
	if err != nil {
		return nil, err
	}
	spec.TableFuncs = tfs
	spec.Project = make([]exec.Evaluator, len(p.Columns))
	for i, oc := range p.Columns {
		e, err := parser.ParseExpr(oc.Expr)
		if err != nil {
			return nil, err
		}
		collectColumns(e, used)
		x, err := Bind(pscope, e)
		if err != nil {
			return nil, err
		}
		spec.Project[i] = x
		if readsValue(e, src) {
			if spec.TombstoneNull == nil {
				spec.TombstoneNull = make([]bool, len(p.Columns))
			}
			spec.TombstoneNull[i] = true
		}
	}
	if err := sourceSpec(src, scope, used, &spec.Source); err != nil {
		return nil, err
	}
	spec.Source.TimestampFatal = p.FailOnBadTimestamp
	spec.MaterializeOnly = p.MaterializeOnly
	if p.Sink != nil {
		sink, err := sinkSpec(p.Sink, p.Columns)
		if err != nil {
			return nil, err
		}
		sink.Rekeyed = p.Rekeyed
		spec.Sink = sink
		// A table's rows are kept for pull queries (not a windowed one's: its rows carry
		// windows only in their keys).
		spec.Materialize = p.Sink.Kind == catalog.Table && p.Sink.Window == nil
	}
	return spec, nil
}

// windowKey is the runtime's name for a source's windowed key layout.
func windowKey(w *catalog.Window) byte {
	switch {
	case w == nil:
		return exec.WindowNone
	case w.IsSession():
		return exec.WindowSession
	}
	return exec.WindowTime
}

func sourceSpec(src *catalog.Source, scope *Scope, used map[string]bool, out *exec.SourceSpec) error {
	out.Topic = src.Topic
	out.WindowKey = windowKey(src.Window)
	if src.Window != nil {
		out.WindowSize = src.Window.SizeMs
	}
	out.NumColumns = len(src.Columns)
	out.Table = src.Kind == catalog.Table
	kc, err := keyCodec(src)
	if err != nil {
		return err
	}
	vc, err := valueCodec(src)
	if err != nil {
		return err
	}
	out.KeyDecoder = kc
	out.ValueDecoder = valueDecoder{vc}
	if src.TimestampColumn != "" {
		used[src.TimestampColumn] = true
	}
	for i, c := range src.Columns {
		switch c.Role {
		case catalog.RoleKey:
			out.KeyIndex = append(out.KeyIndex, i)
			out.KeyNeeded = append(out.KeyNeeded, true)
		case catalog.RoleValue:
			out.ValueIndex = append(out.ValueIndex, i)
			out.ValueNeeded = append(out.ValueNeeded, used[c.Name] || used["*"])
		case catalog.RoleHeader:
			out.Headers = append(out.Headers, exec.HeaderColumn{Index: i, Key: c.HeaderKey})
		}
	}
	if src.TimestampColumn != "" {
		col, idx, _ := src.Column(src.TimestampColumn)
		var ts expr.Expr = expr.Column(idx, col.Type, col.Name)
		if src.TimestampFormat != "" {
			ts, err = expr.Call("PARSE_TIMESTAMP", []expr.Expr{ts, expr.Literal(src.TimestampFormat, types.StringType)})
			if err != nil {
				return err
			}
		}
		out.Timestamp = timestampOf(ts, col.Name)
	}
	return nil
}

func sinkSpec(sink *catalog.Source, cols []OutputColumn) (*exec.SinkSpec, error) {
	kc, err := keyCodec(sink)
	if err != nil {
		return nil, err
	}
	vc, err := valueCodec(sink)
	if err != nil {
		return nil, err
	}
	s := &exec.SinkSpec{Topic: sink.Topic, KeyEncoder: kc, ValueEncoder: vc, TimestampIndex: -1, WindowKey: windowKey(sink.Window)}
	pos := map[string]int{}
	for i, oc := range cols {
		pos[oc.Name] = i
	}
	for _, c := range sink.Columns {
		i, ok := pos[c.Name]
		if !ok {
			return nil, types.Errorf(types.CodeInternal, "sink column %s is not computed by the query", c.Name)
		}
		if c.Role == catalog.RoleKey {
			s.KeyIndex = append(s.KeyIndex, i)
		} else {
			s.ValueIndex = append(s.ValueIndex, i)
		}
	}
	if sink.TimestampColumn != "" {
		i := pos[sink.TimestampColumn]
		s.TimestampIndex = i
		t := cols[i].Type
		var ts expr.Expr = expr.Column(i, t, cols[i].Name)
		if sink.TimestampFormat != "" {
			if ts, err = expr.Call("PARSE_TIMESTAMP", []expr.Expr{ts, expr.Literal(sink.TimestampFormat, types.StringType)}); err != nil {
				return nil, err
			}
		}
		s.Timestamp = timestampOf(ts, cols[i].Name)
	}
	return s, nil
}

// collectColumns records the column names an expression reads ("*" never appears here: the
// planner expands stars into column references).
func collectColumns(e ast.Expr, used map[string]bool) {
	switch n := e.(type) {
	case nil, *ast.Literal, *ast.IntervalLit:
	case *ast.ColumnRef:
		used[n.Name.Name] = true
	case *ast.Binary:
		collectColumns(n.Left, used)
		collectColumns(n.Right, used)
	case *ast.Unary:
		collectColumns(n.Expr, used)
	case *ast.Cast:
		collectColumns(n.Expr, used)
	case *ast.Case:
		collectColumns(n.Operand, used)
		for _, w := range n.Whens {
			collectColumns(w.Cond, used)
			collectColumns(w.Result, used)
		}
		collectColumns(n.Else, used)
	case *ast.In:
		collectColumns(n.Expr, used)
		for _, x := range n.List {
			collectColumns(x, used)
		}
	case *ast.Between:
		collectColumns(n.Expr, used)
		collectColumns(n.Lo, used)
		collectColumns(n.Hi, used)
	case *ast.Like:
		collectColumns(n.Expr, used)
		collectColumns(n.Pattern, used)
	case *ast.IsNull:
		collectColumns(n.Expr, used)
	case *ast.IsBool:
		collectColumns(n.Expr, used)
	case *ast.IsDistinctFrom:
		collectColumns(n.Left, used)
		collectColumns(n.Right, used)
	case *ast.FuncCall:
		for _, a := range n.Args {
			collectColumns(a, used)
		}
	case *ast.Lambda:
		collectColumns(n.Body, used)
	case *ast.Deref:
		collectColumns(n.Expr, used)
	case *ast.Subscript:
		collectColumns(n.Expr, used)
		collectColumns(n.Index, used)
	case *ast.ArrayLit:
		for _, x := range n.Elems {
			collectColumns(x, used)
		}
	case *ast.MapLit:
		for _, en := range n.Entries {
			collectColumns(en.Key, used)
			collectColumns(en.Value, used)
		}
	case *ast.StructLit:
		for _, f := range n.Fields {
			collectColumns(f.Value, used)
		}
	default:
		// Anything else: be safe and decode every column.
		used["*"] = true
	}
}

// timestampOf evaluates a timestamp column (BIGINT ms, TIMESTAMP, or a parsed STRING); NULL
// and negative values are errors, as in ksqlDB's timestamp extractors.
func timestampOf(ts expr.Expr, name string) func(types.Row) (int64, error) {
	return func(row types.Row) (int64, error) {
		v, err := ts.Eval(row)
		if err != nil {
			return 0, err
		}
		var ms int64
		switch t := v.(type) {
		case int64:
			ms = t
		case types.TimestampMillis:
			ms = int64(t)
		case nil:
			return 0, types.Errorf(types.CodeDataException, "the timestamp column %s is NULL", name)
		default:
			return 0, types.Errorf(types.CodeDataException, "the timestamp column %s has a value of type %T", name, v)
		}
		if ms < 0 {
			return 0, types.Errorf(types.CodeDataException, "the timestamp column %s is negative: %d", name, ms)
		}
		return ms, nil
	}
}

// readsValue reports whether an expression reads anything but the source's key columns: on a
// null-valued record such an output column is NULL, as ksqlDB computes nothing from a missing
// value.
func readsValue(e ast.Expr, src *catalog.Source) bool {
	cols := map[string]bool{}
	collectColumns(e, cols)
	for name := range cols {
		c, _, ok := src.Column(name)
		if !ok || c.Role != catalog.RoleKey {
			return true
		}
	}
	return false
}
