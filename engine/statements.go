package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/exec/agg"
	"github.com/streamsql/streamsql/exec/expr"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/types"
)

func textColumns(names ...string) []api.Column {
	out := make([]api.Column, len(names))
	for i, n := range names {
		out[i] = api.Column{Name: n, Type: types.StringType}
	}
	return out
}

func rowsResult(tag string, cols []api.Column, rows []types.Row) *api.Result {
	return &api.Result{Tag: fmt.Sprintf("%s %d", tag, len(rows)), Columns: cols, Rows: rows}
}

// insertValues is INSERT INTO target [(columns)] VALUES (...): one record, produced durably
// before the statement completes.
func (s *Session) insertValues(ctx context.Context, n *ast.InsertValues) (*api.Result, error) {
	src, rec, err := s.valuesRecord(n)
	if err != nil {
		return nil, err
	}
	if err := s.produceInserted(ctx, src, []broker.Record{rec}); err != nil {
		return nil, err
	}
	return &api.Result{Tag: "INSERT 0 1"}, nil
}

// produceInserted writes the records of INSERT ... VALUES statements into src's topic as one
// durable write.
func (s *Session) produceInserted(ctx context.Context, src *catalog.Source, recs []broker.Record) error {
	if err := s.e.b.Produce(ctx, src.Topic, recs); err != nil {
		return types.Wrap(types.CodeIO, err, "Failed to insert values into '%s'", src.Name)
	}
	return nil
}

// valuesRecord checks an INSERT ... VALUES and makes its record.
func (s *Session) valuesRecord(n *ast.InsertValues) (*catalog.Source, broker.Record, error) {
	e := s.e
	src, ok := e.cat.Source(n.Target.Name)
	if !ok {
		msg := fmt.Sprintf("Cannot insert values into an unknown stream/table: `%s`", n.Target.Name)
		for _, other := range e.cat.Sources("") {
			if strings.EqualFold(other.Name, n.Target.Name) {
				if n.Target.Quoted {
					msg += fmt.Sprintf("\nDid you mean %s? Hint: try removing double quotes from the source name.", other.Name)
				} else {
					msg += fmt.Sprintf("\nDid you mean \"%s\"? Hint: wrap the source name in double quotes to make it case-sensitive.", other.Name)
				}
				break
			}
		}
		return nil, broker.Record{}, types.ErrorAt(types.CodeUndefinedTable, n.Target.Pos, "%s", msg)
	}
	if src.ReadOnly {
		return nil, broker.Record{}, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Cannot insert values into read-only %s: %s", strings.ToLower(string(src.Kind)), src.Name)
	}
	var names []ast.Ident
	if n.Columns != nil {
		names = n.Columns
	} else {
		for _, c := range src.Columns {
			names = append(names, ast.Ident{Name: c.Name})
		}
	}
	if len(names) != len(n.Values) {
		return nil, broker.Record{}, types.ErrorAt(types.CodeSyntaxError, n.Pos(), "Failed to prepare statement: Expected number columns and values to match: %d, %d", len(names), len(n.Values))
	}
	row := make(types.Row, len(src.Columns))
	ts := time.Now().UnixMilli()
	tsSet := false
	var headerCols []string
	empty := &planner.Scope{}
	for i, id := range names {
		val, err := planner.Bind(empty, n.Values[i])
		if err != nil {
			return nil, broker.Record{}, err
		}
		if id.Name == "ROWTIME" {
			c, err := expr.Cast(val, types.BigintType)
			if err != nil {
				return nil, broker.Record{}, types.ErrorAt(types.CodeDatatypeMismatch, n.Values[i].Pos(), "ROWTIME must be a BIGINT: %v", err)
			}
			v, err := c.Eval(nil)
			if err != nil {
				return nil, broker.Record{}, err
			}
			if v != nil {
				ts, tsSet = v.(int64), true
			}
			continue
		}
		col, idx, ok := src.Column(id.Name)
		if !ok {
			return nil, broker.Record{}, types.ErrorAt(types.CodeUndefinedColumn, id.Pos, "Column name %s does not exist.", id.Name)
		}
		if col.Role == catalog.RoleHeader {
			headerCols = append(headerCols, col.Name)
			continue
		}
		if !val.Type().Equal(col.Type) && val.Type().Kind != types.Unknown {
			c, err := expr.Cast(val, col.Type)
			if err != nil {
				return nil, broker.Record{}, types.ErrorAt(types.CodeDatatypeMismatch, n.Values[i].Pos(), "Expected type %s for field %s but got %s(%s)", col.Type, col.Name, ast.Format(n.Values[i]), val.Type())
			}
			val = c
		}
		v, err := val.Eval(nil)
		if err != nil {
			return nil, broker.Record{}, types.ErrorAt(types.CodeDataException, n.Values[i].Pos(), "Failed to insert values into '%s'. %v", src.Name, err)
		}
		row[idx] = v
	}
	if len(headerCols) > 0 {
		return nil, broker.Record{}, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Cannot insert into HEADER columns: %s", strings.Join(headerCols, ", "))
	}
	if src.TimestampColumn != "" && !tsSet {
		if _, idx, ok := src.Column(src.TimestampColumn); ok {
			switch v := row[idx].(type) {
			case int64:
				ts = v
			case types.TimestampMillis:
				ts = int64(v)
			}
		}
	}
	kc, vc, err := s.sourceCodecs(src)
	if err != nil {
		return nil, broker.Record{}, err
	}
	var keyRow, valueRow types.Row
	for i, c := range src.Columns {
		switch c.Role {
		case catalog.RoleKey:
			keyRow = append(keyRow, row[i])
		case catalog.RoleValue:
			valueRow = append(valueRow, row[i])
		}
	}
	rec := broker.Record{Partition: broker.AnyPartition, Timestamp: time.UnixMilli(ts)}
	allNull := true
	for _, v := range keyRow {
		if v != nil {
			allNull = false
		}
	}
	if len(keyRow) > 0 && !allNull {
		if rec.Key, err = kc.Encode(nil, keyRow); err != nil {
			return nil, broker.Record{}, err
		}
	}
	if rec.Value, err = vc.Encode(nil, valueRow); err != nil {
		return nil, broker.Record{}, err
	}
	return src, rec, nil
}

func (s *Session) show(ctx context.Context, n *ast.Show) (*api.Result, error) {
	e := s.e
	switch n.What {
	case ast.ShowStreams, ast.ShowTables:
		kind, title := catalog.Stream, "Stream Name"
		if n.What == ast.ShowTables {
			kind, title = catalog.Table, "Table Name"
		}
		var rows []types.Row
		for _, src := range e.cat.Sources(kind) {
			rows = append(rows, types.Row{src.Name, src.Topic, src.KeyFormat.Name, src.ValueFormat.Name, src.Window != nil})
		}
		cols := textColumns(title, "Kafka Topic", "Key Format", "Value Format", "Windowed")
		cols[4].Type = types.BooleanType
		return rowsResult("SHOW", cols, rows), nil
	case ast.ShowQueries:
		var rows []types.Row
		for _, q := range e.cat.Queries() {
			status := "RUNNING"
			if err := e.queryErr(q.ID); err != nil {
				status = "ERROR: " + err.Error()
			}
			typ := "PERSISTENT"
			topic := ""
			if sink, ok := e.cat.Source(q.Sink); ok {
				topic = sink.Topic
			}
			rows = append(rows, types.Row{q.ID, typ, status, q.Sink, topic, q.Statement})
		}
		return rowsResult("SHOW", textColumns("Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"), rows), nil
	case ast.ShowTopics:
		infos, err := e.b.ListTopics(ctx)
		if err != nil {
			return nil, types.Wrap(types.CodeIO, err, "listing topics")
		}
		var rows []types.Row
		for _, t := range infos {
			if !n.AllTopics && strings.HasPrefix(t.Name, "_") {
				continue
			}
			rows = append(rows, types.Row{t.Name, t.Config.Partitions})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
		cols := textColumns("Kafka Topic", "Partitions")
		cols[1].Type = types.IntType
		return rowsResult("SHOW", cols, rows), nil
	case ast.ShowProperties:
		props := s.properties()
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		var rows []types.Row
		for _, k := range names {
			scope := "SERVER"
			if _, ok := s.props[k]; ok {
				scope = "SESSION"
			}
			rows = append(rows, types.Row{k, scope, props[k]})
		}
		return rowsResult("SHOW", textColumns("Property", "Scope", "Value"), rows), nil
	case ast.ShowTypes:
		var rows []types.Row
		ts := e.cat.Types()
		names := make([]string, 0, len(ts))
		for k := range ts {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			rows = append(rows, types.Row{k, ts[k].String()})
		}
		return rowsResult("SHOW", textColumns("Type Name", "Schema"), rows), nil
	case ast.ShowFunctions:
		var rows []types.Row
		fs := append(expr.All(), expr.TableFunctions()...)
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
		for _, f := range fs {
			sigs := make([]string, len(f.Signatures))
			for i, sg := range f.Signatures {
				sigs[i] = f.Name + sg.String()
			}
			rows = append(rows, types.Row{f.Name, string(f.Category), strings.Join(sigs, "\n"), f.Description})
		}
		for _, f := range agg.All() {
			rows = append(rows, types.Row{f.Name, "AGGREGATE", strings.Join(f.Signatures, "\n"), f.Description})
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
		return rowsResult("SHOW", textColumns("Function Name", "Category", "Signatures", "Description"), rows), nil
	}
	return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "SHOW %s is not supported", n.What)
}

func (e *Engine) queryErr(id string) error {
	e.mu.Lock()
	q := e.running[id]
	var notStarted error
	if r := e.retrying[id]; r != nil {
		notStarted = fmt.Errorf("not started, retrying: %w", r.err)
	}
	e.mu.Unlock()
	if notStarted != nil {
		return notStarted
	}
	if q == nil {
		return nil
	}
	return q.Err()
}

func (s *Session) describe(n *ast.Describe) (*api.Result, error) {
	src, ok := s.e.cat.Source(n.Name.Name)
	if !ok {
		return nil, types.ErrorAt(types.CodeUndefinedTable, n.Name.Pos, "Could not find STREAM/TABLE '%s' in the Metastore", n.Name.Name)
	}
	return s.describeSource(src, n.Extended), nil
}

func (s *Session) describeSource(src *catalog.Source, extended bool) *api.Result {
	var rows []types.Row
	for _, c := range src.Columns {
		t := c.Type.String()
		switch c.Role {
		case catalog.RoleKey:
			if src.Kind == catalog.Table {
				t += " (primary key)"
			} else {
				t += " (key)"
			}
		case catalog.RoleHeader:
			if c.HeaderKey != "" {
				t += " (header('" + c.HeaderKey + "'))"
			} else {
				t += " (headers)"
			}
		}
		rows = append(rows, types.Row{c.Name, t})
	}
	res := rowsResult("DESCRIBE", textColumns("Field", "Type"), rows)
	res.Notices = append(res.Notices, fmt.Sprintf("Name: %s, Type: %s, Kafka topic: %s (partitions: %d), Key format: %s, Value format: %s", src.Name, src.Kind, src.Topic, src.Partitions, src.KeyFormat.Name, src.ValueFormat.Name))
	if extended {
		if src.TimestampColumn != "" {
			res.Notices = append(res.Notices, "Timestamp field: "+src.TimestampColumn)
		}
		if len(src.WriterQueries) > 0 {
			res.Notices = append(res.Notices, "Queries that write into this "+strings.ToLower(string(src.Kind))+": "+strings.Join(src.WriterQueries, ", "))
		}
		if r := s.e.cat.QueriesReading(src.Name); len(r) > 0 {
			res.Notices = append(res.Notices, "Queries that read from this "+strings.ToLower(string(src.Kind))+": "+strings.Join(r, ", "))
		}
		if w := src.Window; w != nil {
			wn := "Windowed: " + string(w.Type)
			if w.SizeMs > 0 {
				wn += fmt.Sprintf(" (size %d ms)", w.SizeMs)
			}
			res.Notices = append(res.Notices, wn)
		}
		for _, id := range src.WriterQueries {
			if q, ok := s.e.cat.Query(id); ok {
				if n := s.e.queryStateBytes(q); n > 0 {
					res.Notices = append(res.Notices, fmt.Sprintf("State of %s: %d bytes on disk (estimate)", id, n))
				}
			}
			if late := s.e.lateRecords(id); late > 0 {
				res.Notices = append(res.Notices, fmt.Sprintf("Late records dropped by %s (past their window's grace period, since start): %d", id, late))
			}
		}
		res.Notices = append(res.Notices, fmt.Sprintf("Processing errors (all queries since start): %d", s.e.plog.Count()))
		res.Notices = append(res.Notices, "Statement: "+src.Statement)
	}
	return res
}

func (s *Session) describeSources(n *ast.DescribeSources) (*api.Result, error) {
	out := &api.Result{Columns: textColumns("Source", "Field", "Type")}
	for _, src := range s.e.cat.Sources(kindOf(n.Kind)) {
		r := s.describeSource(src, n.Extended)
		for _, row := range r.Rows {
			out.Rows = append(out.Rows, append(types.Row{src.Name}, row...))
		}
	}
	out.Tag = fmt.Sprintf("DESCRIBE %d", len(out.Rows))
	return out, nil
}

func (s *Session) explain(ctx context.Context, n *ast.Explain) (*api.Result, error) {
	var statement string
	var plan *planner.Plan
	if n.QueryID != nil {
		var q *catalog.Query
		for _, c := range s.e.cat.Queries() {
			if strings.EqualFold(c.ID, n.QueryID.Name) {
				q = c
			}
		}
		if q == nil {
			return nil, types.ErrorAt(types.CodeUndefinedObject, n.QueryID.Pos, "Query with id:%s does not exist, use SHOW QUERIES to view the full set of queries.", n.QueryID.Name)
		}
		p, err := planner.DecodePlan(q.Plan)
		if err != nil {
			return nil, err
		}
		statement, plan = q.Statement, p
	} else {
		var sel *ast.Select
		var target *planner.Target
		switch st := n.Statement.(type) {
		case *ast.Select:
			sel = st
		case *ast.CreateAsSelect:
			sel = st.Select
			target = &planner.Target{Name: st.Name.Name, Kind: kindOf(st.Kind), With: st.With, Statement: st.Text()}
		case *ast.InsertSelect:
			sel = st.Select
			sink, ok := s.e.cat.Source(st.Target.Name)
			if !ok {
				return nil, types.ErrorAt(types.CodeUndefinedTable, st.Target.Pos, "%s does not exist.", st.Target.Name)
			}
			target = &planner.Target{Name: sink.Name, Kind: sink.Kind, With: st.With, Existing: sink}
		default:
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "EXPLAIN needs a query or a query id")
		}
		p, err := planner.PlanSelect(s.planContext(ctx), sel, target)
		if err != nil {
			return nil, err
		}
		statement, plan = n.Statement.Text(), p
	}
	lines := []string{"Statement: " + statement}
	lines = append(lines, fmt.Sprintf("Source: %s %s (topic %s, key %s, value %s)", plan.Source.Kind, plan.Source.Name, plan.Source.Topic, plan.Source.KeyFormat.Name, plan.Source.ValueFormat.Name))
	if plan.Filter != "" {
		lines = append(lines, "  -> Filter: "+plan.Filter)
	}
	if len(plan.TableFunctions) > 0 {
		lines = append(lines, "  -> FlatMap: "+strings.Join(plan.TableFunctions, ", "))
	}
	var proj []string
	for _, c := range plan.Columns {
		p := c.Name + " := " + c.Expr
		if c.Role == catalog.RoleKey {
			p += " (key)"
		}
		proj = append(proj, p)
	}
	lines = append(lines, "  -> Project: "+strings.Join(proj, ", "))
	if plan.Sink != nil {
		lines = append(lines, fmt.Sprintf("  -> Sink: %s %s (topic %s, key %s, value %s)", plan.Sink.Kind, plan.Sink.Name, plan.Sink.Topic, plan.Sink.KeyFormat.Name, plan.Sink.ValueFormat.Name))
	} else {
		lines = append(lines, "  -> Push to client")
	}
	rows := make([]types.Row, len(lines))
	for i, l := range lines {
		rows[i] = types.Row{l}
	}
	return &api.Result{Tag: "EXPLAIN", Columns: textColumns("QUERY PLAN"), Rows: rows}, nil
}

func (s *Session) showSession(n *ast.ShowSession) (*api.Result, error) {
	defaults := map[string]string{
		"server_version": "13.0.0", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"standard_conforming_strings": "on", "transaction_isolation": "read committed",
		"datestyle": "ISO, MDY", "timezone": "UTC", "integer_datetimes": "on",
		"search_path": "\"$user\", public", "max_identifier_length": "63",
	}
	for k, v := range s.pg {
		defaults[k] = v
	}
	if n.All {
		names := make([]string, 0, len(defaults))
		for k := range defaults {
			names = append(names, k)
		}
		sort.Strings(names)
		var rows []types.Row
		for _, k := range names {
			rows = append(rows, types.Row{k, defaults[k]})
		}
		return rowsResult("SHOW", textColumns("name", "setting"), rows), nil
	}
	name := strings.ToLower(n.Name)
	v, ok := defaults[name]
	if !ok {
		return nil, types.ErrorAt(types.CodeUndefinedObject, n.Pos(), "unrecognized configuration parameter \"%s\"", n.Name)
	}
	return &api.Result{Tag: "SHOW", Columns: textColumns(name), Rows: []types.Row{{v}}}, nil
}

// print is PRINT topic: the topic's records as text lines, live.
func (s *Session) print(ctx context.Context, n *ast.Print) (*api.Result, error) {
	topic := n.Topic.Name
	offs, err := s.e.b.Offsets(ctx, topic)
	if err != nil {
		// Unquoted names are upper-cased by the parser; topics are usually lower case.
		if !n.Topic.Quoted {
			if o2, err2 := s.e.b.Offsets(ctx, strings.ToLower(topic)); err2 == nil {
				topic, offs, err = strings.ToLower(topic), o2, nil
			}
		}
		if err != nil {
			return nil, types.ErrorAt(types.CodeUndefinedTable, n.Topic.Pos, "Could not find topic '%s', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.", n.Topic.Name)
		}
	}
	fromBeginning := n.FromBeginning || strings.EqualFold(s.properties()["auto.offset.reset"], "earliest")
	var limit int64
	if n.Limit != nil {
		limit = *n.Limit
	}
	// A windowed source's keys carry their window: print it as ksqlDB does, [key@start/end].
	var window *catalog.Window
	for _, kind := range []catalog.Kind{catalog.Stream, catalog.Table} {
		for _, src := range s.e.cat.Sources(kind) {
			if src.Topic == topic && src.Window != nil {
				window = src.Window
			}
		}
	}
	ps := newPrintStream(s.e.b, topic, offs, fromBeginning, limit, window)
	return &api.Result{Tag: "PRINT", Columns: textColumns("record"), Stream: ps}, nil
}

type printStream struct {
	rows   chan types.Row
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex
	sent   int64
	limit  int64
}

func newPrintStream(b broker.Broker, topic string, offs []broker.PartitionOffsets, fromBeginning bool, limit int64, window *catalog.Window) *printStream {
	ctx, cancel := context.WithCancel(context.Background())
	ps := &printStream{rows: make(chan types.Row, 64), cancel: cancel, limit: limit}
	for p, o := range offs {
		start := o.Latest
		if fromBeginning {
			start = o.Earliest
		}
		ps.wg.Add(1)
		go func(p int32, off int64) {
			defer ps.wg.Done()
			for ctx.Err() == nil {
				res, err := b.Fetch(ctx, broker.FetchRequest{Topic: topic, Partition: p, Offset: off, MaxRecords: 500, MaxWait: 500 * time.Millisecond})
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					time.Sleep(200 * time.Millisecond)
					continue
				}
				for i := range res.Records {
					line := formatPrinted(&res.Records[i], window)
					select {
					case ps.rows <- types.Row{line}:
					case <-ctx.Done():
						return
					}
				}
				off = res.NextOffset
			}
		}(int32(p), start)
	}
	return ps
}

func (ps *printStream) Next(ctx context.Context) (types.Row, error) {
	ps.mu.Lock()
	done := ps.limit > 0 && ps.sent >= ps.limit
	ps.mu.Unlock()
	if done {
		ps.Close()
		return nil, io.EOF
	}
	select {
	case r, ok := <-ps.rows:
		if !ok {
			return nil, io.EOF
		}
		ps.mu.Lock()
		ps.sent++
		ps.mu.Unlock()
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (ps *printStream) Close() error {
	ps.once.Do(func() {
		ps.cancel()
		go func() {
			for range ps.rows {
			}
		}()
		ps.wg.Wait()
		close(ps.rows)
	})
	return nil
}

// formatPrinted renders a record the way ksqlDB's PRINT does.
func formatPrinted(r *broker.Record, window *catalog.Window) string {
	ts := r.Timestamp.UTC().Format("2006/01/02 15:04:05.000 Z")
	key := "<null>"
	if r.Key != nil {
		key = printable(r.Key)
		n := 8
		if window.IsSession() {
			n = 16
		}
		if window != nil && len(r.Key) >= n {
			k, suffix := r.Key[:len(r.Key)-n], r.Key[len(r.Key)-n:]
			var start, end int64
			if window.IsSession() {
				end, start = int64(binary.BigEndian.Uint64(suffix)), int64(binary.BigEndian.Uint64(suffix[8:]))
			} else {
				start = int64(binary.BigEndian.Uint64(suffix))
				end = start + window.SizeMs
			}
			key = fmt.Sprintf("[%s@%d/%d]", printable(k), start, end)
		}
	}
	value := "<null>"
	if r.Value != nil {
		value = printable(r.Value)
	}
	line := fmt.Sprintf("rowtime: %s, key: %s, value: %s, partition: %d", ts, key, value, r.Partition)
	if len(r.Headers) > 0 {
		hs := make([]map[string]any, len(r.Headers))
		for i, h := range r.Headers {
			hs[i] = map[string]any{"KEY": h.Key, "VALUE": h.Value}
		}
		b, _ := json.Marshal(hs)
		line += ", headers: " + string(b)
	}
	return line
}

func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return fmt.Sprintf("%x", b)
		}
	}
	return string(b)
}

// describeFunction is DESCRIBE FUNCTION name: one row per overload, with the description
// and an example in notices.
func (s *Session) describeFunction(n *ast.DescribeFunction) (*api.Result, error) {
	f, ok := expr.Lookup(n.Name.Name)
	kind := "SCALAR"
	if !ok {
		if f, ok = expr.LookupTable(n.Name.Name); ok {
			kind = "TABLE"
		}
	}
	if !ok {
		if af := agg.Lookup(n.Name.Name); af != nil {
			var rows []types.Row
			for _, sg := range af.Signatures {
				sig, ret, _ := strings.Cut(sg, " → ")
				rows = append(rows, types.Row{sig, ret})
			}
			res := rowsResult("DESCRIBE", textColumns("Signature", "Returns"), rows)
			res.Notices = []string{
				fmt.Sprintf("Name: %s, Type: AGGREGATE", af.Name),
				"Description: " + af.Description,
				"Example: " + af.Example,
			}
			return res, nil
		}
		return nil, types.ErrorAt(types.CodeUndefinedFunction, n.Name.Pos, "Can't find any functions with the name '%s'", n.Name.Name)
	}
	var rows []types.Row
	for _, sg := range f.Signatures {
		rows = append(rows, types.Row{f.Name + sg.String(), sg.Returns})
	}
	res := rowsResult("DESCRIBE", textColumns("Signature", "Returns"), rows)
	res.Notices = []string{
		fmt.Sprintf("Name: %s, Type: %s, Category: %s", f.Name, kind, f.Category),
		"Description: " + f.Description,
	}
	if f.Example != "" {
		res.Notices = append(res.Notices, "Example: "+f.Example)
	}
	return res, nil
}
