package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/exec/serde"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/parser/ast"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/types"
)

// Session runs statements for one client.
type Session struct {
	e *Engine
	// props are the session's ksqlDB properties (SET 'name'='value'), over the server's.
	props map[string]string
	// pg are Postgres session settings (SET name TO value), answered by SHOW.
	pg map[string]string
	// codecs are the codecs of the source this session last inserted into.
	codecs insertCodecs
}

// insertCodecs are a source's key and value codecs. Building them costs more than encoding a
// row, and a session usually inserts into one source again and again; the catalog replaces a
// source when it changes, never edits it, so the pointer stands for its schema.
type insertCodecs struct {
	src        *catalog.Source
	key, value *serde.Codec
}

// sourceCodecs returns src's codecs, built once per source in a row.
func (s *Session) sourceCodecs(src *catalog.Source) (key, value *serde.Codec, err error) {
	if s.codecs.src != src {
		k, v, err := planner.Codecs(src)
		if err != nil {
			return nil, nil, err
		}
		s.codecs = insertCodecs{src: src, key: k, value: v}
	}
	return s.codecs.key, s.codecs.value, nil
}

var _ api.Session = (*Session)(nil)

// NewSession starts a session.
func (e *Engine) NewSession(ctx context.Context, params map[string]string) (api.Session, error) {
	s := &Session{e: e, props: map[string]string{}, pg: map[string]string{}}
	for k, v := range params {
		s.pg[strings.ToLower(k)] = v
	}
	return s, nil
}

// Close ends the session.
func (s *Session) Close() error { return nil }

// properties are the effective ksqlDB properties: server defaults, then the session's.
func (s *Session) properties() map[string]string {
	out := map[string]string{"auto.offset.reset": "latest"}
	for k, v := range s.e.cfg.Properties {
		out[k] = v
	}
	for k, v := range s.props {
		out[k] = v
	}
	return out
}

func (s *Session) planContext(ctx context.Context) *planner.Context {
	return &planner.Context{
		Catalog:    s.e.cat,
		Properties: s.properties(),
		Topic: func(name string) (int32, bool) {
			info, err := s.e.b.DescribeTopic(ctx, name)
			if err != nil {
				return 0, false
			}
			return info.Config.Partitions, true
		},
	}
}

// Run executes every statement of sql in order.
func (s *Session) Run(ctx context.Context, sql string, emit func(*api.Result) error) error {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return err
	}
	for i := 0; i < len(stmts); i++ {
		if _, ok := stmts[i].(*ast.InsertValues); ok {
			n, err := s.insertRun(ctx, stmts[i:], emit)
			if err != nil {
				return err
			}
			i += n - 1
			continue
		}
		res, err := s.execute(ctx, stmts[i])
		if err != nil {
			return err
		}
		if res == nil {
			continue
		}
		if err := emit(res); err != nil {
			if res.Stream != nil {
				res.Stream.Close()
			}
			return err
		}
	}
	return nil
}

// insertRun executes the INSERT ... VALUES statements at the start of stmts that go to the
// same topic as one Produce: one durable write (one fsync) for the run instead of one per
// statement, which is what a client sending many single-row INSERTs in one message waits for.
// Each statement still gets its own result. When a statement is refused, the ones before it
// are produced and reported first, as if they had run one by one. It returns how many
// statements it consumed.
func (s *Session) insertRun(ctx context.Context, stmts []ast.Statement, emit func(*api.Result) error) (int, error) {
	var recs []broker.Record
	var src *catalog.Source
	var refused error
	n := 0
	for _, st := range stmts {
		ins, ok := st.(*ast.InsertValues)
		if !ok {
			break
		}
		if src != nil {
			// Another topic (or an unknown target) starts the next run: not encoded here.
			if next, ok := s.e.cat.Source(ins.Target.Name); !ok || next.Topic != src.Topic {
				break
			}
		}
		target, rec, err := s.valuesRecord(ins)
		if err != nil {
			refused = err
			break
		}
		src = target
		recs = append(recs, rec)
		n++
	}
	if len(recs) > 0 {
		if err := s.produceInserted(ctx, src, recs); err != nil {
			return n, err
		}
		for range recs {
			if err := emit(&api.Result{Tag: "INSERT 0 1"}); err != nil {
				return n, err
			}
		}
	}
	return n, refused
}

func (s *Session) execute(ctx context.Context, st ast.Statement) (*api.Result, error) {
	switch n := st.(type) {
	case *ast.Empty:
		return nil, nil
	case *ast.CreateSource:
		return s.createSource(ctx, n)
	case *ast.CreateAsSelect:
		return s.createAsSelect(ctx, n)
	case *ast.InsertSelect:
		return s.insertSelect(ctx, n)
	case *ast.InsertValues:
		return s.insertValues(ctx, n)
	case *ast.Drop:
		return s.drop(ctx, n)
	case *ast.Show:
		return s.show(ctx, n)
	case *ast.Describe:
		return s.describe(n)
	case *ast.DescribeSources:
		return s.describeSources(n)
	case *ast.DescribeFunction:
		return s.describeFunction(n)
	case *ast.Terminate:
		return s.terminate(ctx, n)
	case *ast.Explain:
		return s.explain(ctx, n)
	case *ast.SetProperty:
		s.props[n.Name] = n.Value
		return &api.Result{Tag: "SET"}, nil
	case *ast.UnsetProperty:
		delete(s.props, n.Name)
		return &api.Result{Tag: "UNSET"}, nil
	case *ast.Print:
		return s.print(ctx, n)
	case *ast.Select:
		if res, ok, err := s.pullQuery(ctx, n); ok {
			return res, err
		}
		return s.pushQuery(ctx, n, false)
	case *ast.Copy:
		sel, ok := n.Query.(*ast.Select)
		if n.From || !ok {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "only COPY (SELECT ... EMIT CHANGES) TO STDOUT is supported")
		}
		return s.pushQuery(ctx, sel, true)
	case *ast.AlterSource:
		return s.alterSource(ctx, n)
	case *ast.CreateType:
		return s.createType(ctx, n)
	case *ast.DropType:
		return s.dropType(ctx, n)
	case *ast.SetSession:
		v := strings.Join(n.Values, ", ")
		if n.Default {
			delete(s.pg, strings.ToLower(n.Name))
		} else {
			s.pg[strings.ToLower(n.Name)] = v
		}
		return &api.Result{Tag: "SET"}, nil
	case *ast.ResetSession:
		if n.All {
			s.pg = map[string]string{}
		} else {
			delete(s.pg, strings.ToLower(n.Name))
		}
		return &api.Result{Tag: "RESET"}, nil
	case *ast.ShowSession:
		return s.showSession(n)
	case *ast.Begin:
		return &api.Result{Tag: "BEGIN"}, nil
	case *ast.Commit:
		return &api.Result{Tag: "COMMIT"}, nil
	case *ast.Rollback:
		return &api.Result{Tag: "ROLLBACK"}, nil
	case *ast.Discard:
		return &api.Result{Tag: "DISCARD " + strings.ToUpper(n.What)}, nil
	}
	return nil, types.ErrorAt(types.CodeFeatureNotSupported, st.Pos(), "statement not supported: %s", firstWords(st.Text()))
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

func (s *Session) createSource(ctx context.Context, n *ast.CreateSource) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	existing, exists := e.cat.Source(n.Name.Name)
	if exists && n.IfNotExists {
		return &api.Result{Tag: "CREATE " + n.Kind.String(), Notices: []string{fmt.Sprintf("%s %s already exists, skipping", strings.ToLower(n.Kind.String()), n.Name.Name)}}, nil
	}
	if exists && !n.OrReplace {
		return nil, types.ErrorAt(types.CodeDuplicateTable, n.Name.Pos, "Cannot add %s '%s': A %s with the same name already exists", strings.ToLower(n.Kind.String()), n.Name.Name, strings.ToLower(string(existing.Kind)))
	}
	created, err := planner.PlanCreateSource(s.planContext(ctx), n)
	if err != nil {
		return nil, err
	}
	op := catalog.OpCreateSource
	if exists {
		if existing.Kind != created.Source.Kind {
			return nil, types.ErrorAt(types.CodeDuplicateTable, n.Name.Pos, "Cannot add %s '%s': A %s with the same name already exists", strings.ToLower(n.Kind.String()), n.Name.Name, strings.ToLower(string(existing.Kind)))
		}
		if existing.ReadOnly || n.ReadOnly {
			return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss.", strings.ToLower(n.Kind.String()), n.Name.Name, strings.ToLower(n.Kind.String()))
		}
		op = catalog.OpReplaceSource
		created.Source.WriterQueries = existing.WriterQueries
	}
	if created.CreateTopic {
		cfg := broker.TopicConfig{Partitions: created.Source.Partitions, Retention: -1}
		if created.Source.Kind == catalog.Table {
			cfg.Cleanup = broker.CleanupCompact
		}
		if err := e.b.CreateTopic(ctx, created.Source.Topic, cfg); err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return nil, types.Wrap(types.CodeIO, err, "creating topic %s", created.Source.Topic)
		}
	}
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: op, Statement: n.Text(), Source: created.Source}); err != nil {
		return nil, err
	}
	if created.Source.ReadOnly && created.Source.Kind == catalog.Table {
		if err := e.startMaterializer(ctx, created.Source); err != nil {
			e.logger.Error("starting a source table's materializer failed", "table", created.Source.Name, "err", err)
		}
	}
	return &api.Result{Tag: "CREATE " + n.Kind.String()}, nil
}

func kindOf(k ast.SourceKind) catalog.Kind {
	if k == ast.KindTable {
		return catalog.Table
	}
	return catalog.Stream
}

func (s *Session) createAsSelect(ctx context.Context, n *ast.CreateAsSelect) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	name := n.Name.Name
	existing, exists := e.cat.Source(name)
	if exists && n.IfNotExists {
		return &api.Result{Tag: "CREATE " + n.Kind.String()}, nil
	}
	if exists && !n.OrReplace {
		return nil, types.ErrorAt(types.CodeDuplicateTable, n.Name.Pos, "Cannot add %s '%s': A %s with the same name already exists", strings.ToLower(n.Kind.String()), name, strings.ToLower(string(existing.Kind)))
	}
	target := &planner.Target{Name: name, Kind: kindOf(n.Kind), With: n.With, Statement: n.Text()}
	plan, err := planner.PlanSelect(s.planContext(ctx), n.Select, target)
	if err != nil {
		return nil, err
	}
	if plan.Source.Name == name {
		return nil, types.ErrorAt(types.CodeInvalidParameter, n.Pos(), "Cannot create %s %s: it reads from itself", strings.ToLower(n.Kind.String()), name)
	}
	prefix := "CSAS_"
	if n.Kind == ast.KindTable {
		prefix = "CTAS_"
	}
	op := catalog.OpCreateSource
	var replaced string
	if exists {
		if len(existing.WriterQueries) > 0 {
			replaced = existing.WriterQueries[0]
			plan.QueryID = replaced
		}
		op = catalog.OpReplaceSource
	}
	if plan.QueryID == "" {
		plan.QueryID = fmt.Sprintf("%s%s_%d", prefix, name, e.cat.Seq())
	}
	return s.startQuery(ctx, plan, n.Text(), op, replaced)
}

// startQuery creates the sink's topic if needed, records the sink and the query in the
// command log, and starts the query.
func (s *Session) startQuery(ctx context.Context, plan *planner.Plan, text string, op catalog.Op, replaced string) (*api.Result, error) {
	e := s.e
	sink := plan.Sink
	if _, err := e.b.DescribeTopic(ctx, sink.Topic); err != nil {
		if !errors.Is(err, broker.ErrUnknownTopic) {
			return nil, types.Wrap(types.CodeIO, err, "describing topic %s", sink.Topic)
		}
		cfg := broker.TopicConfig{Partitions: sink.Partitions, Retention: -1}
		if cfg.Partitions < 1 {
			cfg.Partitions = 1
		}
		if sink.Kind == catalog.Table && sink.Window == nil {
			// A windowed table's keys are per window: compaction would keep them all anyway,
			// so its topic is deleted by retention instead, as Kafka Streams' windowed
			// changelogs are.
			cfg.Cleanup = broker.CleanupCompact
		}
		if err := e.b.CreateTopic(ctx, sink.Topic, cfg); err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return nil, types.Wrap(types.CodeIO, err, "creating topic %s", sink.Topic)
		}
	}
	// Compile before anything is recorded: a plan that cannot run must not be stored.
	if _, err := planner.Compile(plan); err != nil {
		return nil, err
	}
	encoded, err := plan.Encode()
	if err != nil {
		return nil, err
	}
	q := &catalog.Query{ID: plan.QueryID, Statement: text, Sink: sink.Name, Sources: []string{plan.Source.Name}, Plan: encoded}
	tag := "CREATE " + string(sink.Kind)
	if op != "" {
		if replaced != "" {
			e.stopPersistent(replaced)
			e.dropState(ctx, replaced)
			if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpTerminateQuery, Name: replaced}); err != nil {
				return nil, err
			}
		}
		if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: op, Statement: text, Source: sink}); err != nil {
			return nil, err
		}
	} else {
		tag = "INSERT 0 0"
	}
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpStartQuery, Statement: text, Query: q}); err != nil {
		return nil, err
	}
	if err := e.startPersistent(ctx, q); err != nil {
		return nil, err
	}
	return &api.Result{Tag: tag, Notices: []string{"Created query with ID " + q.ID}}, nil
}

func (s *Session) insertSelect(ctx context.Context, n *ast.InsertSelect) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	sink, ok := e.cat.Source(n.Target.Name)
	if !ok {
		return nil, types.ErrorAt(types.CodeUndefinedTable, n.Target.Pos, "%s does not exist.", n.Target.Name)
	}
	target := &planner.Target{Name: sink.Name, Kind: sink.Kind, With: n.With, Existing: sink, Statement: n.Text()}
	plan, err := planner.PlanSelect(s.planContext(ctx), n.Select, target)
	if err != nil {
		return nil, err
	}
	plan.QueryID = fmt.Sprintf("INSERTQUERY_%d", e.cat.Seq())
	return s.startQuery(ctx, plan, n.Text(), "", "")
}

func (s *Session) drop(ctx context.Context, n *ast.Drop) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	tag := "DROP " + n.Kind.String()
	src, ok := e.cat.Source(n.Name.Name)
	if !ok {
		if n.IfExists {
			return &api.Result{Tag: tag}, nil
		}
		return nil, types.ErrorAt(types.CodeUndefinedTable, n.Name.Pos, "%s %s does not exist.", kindTitle(n.Kind), n.Name.Name)
	}
	if src.Kind != kindOf(n.Kind) {
		return nil, types.ErrorAt(types.CodeWrongObjectType, n.Name.Pos, "Incompatible data source type is %s, but statement was DROP %s", src.Kind, n.Kind)
	}
	if n.DeleteTopic && src.ReadOnly {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Cannot delete topic for read-only source: %s", src.Name)
	}
	readers := e.cat.QueriesReading(src.Name)
	writers := src.WriterQueries
	if len(readers) > 0 || len(writers) > 0 {
		// ksqlDB terminates the query that created a source with the DROP; queries reading
		// it, or other writers, must be terminated first.
		var blocking []string
		blocking = append(blocking, readers...)
		if len(writers) > 1 {
			blocking = append(blocking, writers[1:]...)
		}
		if len(blocking) > 0 {
			sort.Strings(readers)
			return nil, types.ErrorAt(types.CodeObjectInUse, n.Pos(), "Cannot drop %s.\nThe following queries read from this source: [%s].\nThe following queries write into this source: [%s].\nYou need to terminate them before dropping %s.", src.Name, strings.Join(readers, ", "), strings.Join(writers, ", "), src.Name)
		}
		for _, q := range writers {
			e.stopPersistent(q)
			e.dropState(ctx, q)
			if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpTerminateQuery, Name: q}); err != nil {
				return nil, err
			}
		}
	}
	if src.ReadOnly && src.Kind == catalog.Table {
		e.dropMaterializer(ctx, src)
	}
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpDropSource, Name: src.Name, Statement: n.Text()}); err != nil {
		return nil, err
	}
	if n.DeleteTopic {
		if err := e.b.DeleteTopic(ctx, src.Topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			return nil, types.Wrap(types.CodeIO, err, "deleting topic %s", src.Topic)
		}
	}
	return &api.Result{Tag: tag}, nil
}

func kindTitle(k ast.SourceKind) string {
	if k == ast.KindTable {
		return "Table"
	}
	return "Stream"
}

func (s *Session) terminate(ctx context.Context, n *ast.Terminate) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	var ids []string
	if n.All {
		for _, q := range e.cat.Queries() {
			ids = append(ids, q.ID)
		}
	} else {
		id := n.QueryID.Name
		if _, ok := e.cat.Query(id); !ok {
			// Query ids are case-insensitive in practice: users type them as shown.
			for _, q := range e.cat.Queries() {
				if strings.EqualFold(q.ID, id) {
					id = q.ID
				}
			}
		}
		if _, ok := e.cat.Query(id); !ok {
			return nil, types.ErrorAt(types.CodeUndefinedObject, n.QueryID.Pos, "Unknown queryId: %s", n.QueryID.Name)
		}
		ids = []string{id}
	}
	for _, id := range ids {
		e.stopPersistent(id)
		e.dropState(ctx, id)
		if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpTerminateQuery, Name: id}); err != nil {
			return nil, err
		}
	}
	return &api.Result{Tag: "TERMINATE"}, nil
}

func (s *Session) createType(ctx context.Context, n *ast.CreateType) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	if _, ok := e.cat.Type(n.Name.Name); ok {
		if n.IfNotExists {
			return &api.Result{Tag: "CREATE TYPE"}, nil
		}
		return nil, types.ErrorAt(types.CodeDuplicateObject, n.Name.Pos, "Cannot register custom type '%s' since it is already registered with type: %s", n.Name.Name, func() string { t, _ := e.cat.Type(n.Name.Name); return t.String() }())
	}
	t := n.Type
	if n.TypeRef != nil {
		var err error
		if t, err = n.TypeRef.Resolve(e.cat.Type); err != nil {
			return nil, err
		}
	}
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpCreateType, Name: n.Name.Name, Type: &t, Statement: n.Text()}); err != nil {
		return nil, err
	}
	return &api.Result{Tag: "CREATE TYPE"}, nil
}

func (s *Session) dropType(ctx context.Context, n *ast.DropType) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	if _, ok := e.cat.Type(n.Name.Name); !ok {
		if n.IfExists {
			return &api.Result{Tag: "DROP TYPE"}, nil
		}
		return nil, types.ErrorAt(types.CodeUndefinedObject, n.Name.Pos, "Type %s does not exist.", n.Name.Name)
	}
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpDropType, Name: n.Name.Name, Statement: n.Text()}); err != nil {
		return nil, err
	}
	return &api.Result{Tag: "DROP TYPE"}, nil
}

// pushQuery runs SELECT ... EMIT CHANGES as a live stream of rows.
func (s *Session) pushQuery(ctx context.Context, sel *ast.Select, copyOut bool) (*api.Result, error) {
	plan, err := planner.PlanSelect(s.planContext(ctx), sel, nil)
	if err != nil {
		return nil, err
	}
	plan.QueryID = fmt.Sprintf("transient_%s_%d", plan.Source.Name, s.e.transientSeq.Add(1))
	spec, err := planner.Compile(plan)
	if err != nil {
		return nil, err
	}
	run, err := exec.Start(ctx, s.e.b, spec, s.e.plog, s.e.execOptions())
	if err != nil {
		return nil, err
	}
	cols := make([]api.Column, len(plan.Columns))
	for i, c := range plan.Columns {
		cols[i] = api.Column{Name: c.Name, Type: c.Type}
	}
	tag := "SELECT"
	if copyOut {
		tag = "COPY"
	}
	return &api.Result{Tag: tag, Columns: cols, Stream: run, CopyOut: copyOut}, nil
}

// alterSource is ALTER STREAM|TABLE name ADD COLUMN ...: new value columns at the end.
func (s *Session) alterSource(ctx context.Context, n *ast.AlterSource) (*api.Result, error) {
	e := s.e
	e.ddl.Lock()
	defer e.ddl.Unlock()
	src, ok := e.cat.Source(n.Name.Name)
	if !ok {
		return nil, types.ErrorAt(types.CodeUndefinedTable, n.Name.Pos, "Source %s does not exist.", n.Name.Name)
	}
	kind := strings.ToLower(string(src.Kind))
	if src.ReadOnly {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "Cannot alter %s '%s': ALTER operations are not supported on source %ss.", kind, src.Name, kind)
	}
	if src.Kind != kindOf(n.Kind) {
		return nil, types.ErrorAt(types.CodeWrongObjectType, n.Name.Pos, "Incompatible data source type is %s, but statement was ALTER %s", src.Kind, n.Kind)
	}
	if len(src.WriterQueries) > 0 {
		return nil, types.ErrorAt(types.CodeFeatureNotSupported, n.Pos(), "ALTER command is not supported for CREATE ... AS statements.")
	}
	next := *src
	next.Columns = append([]catalog.Column(nil), src.Columns...)
	for _, cd := range n.Columns {
		if _, _, exists := next.Column(cd.Name.Name); exists {
			return nil, types.ErrorAt(types.CodeDuplicateColumn, cd.Name.Pos, "Cannot add column `%s` to schema. A column with the same name already exists.", cd.Name.Name)
		}
		t := cd.Type
		if cd.TypeRef != nil {
			var err error
			if t, err = cd.TypeRef.Resolve(e.cat.Type); err != nil {
				return nil, err
			}
		}
		next.Columns = append(next.Columns, catalog.Column{Name: cd.Name.Name, Type: t, Role: catalog.RoleValue})
	}
	next.Statement = src.Statement + ";\n" + n.Text()
	if err := e.log.Append(ctx, e.cat, &catalog.Command{Op: catalog.OpReplaceSource, Statement: n.Text(), Source: &next}); err != nil {
		return nil, err
	}
	return &api.Result{Tag: "ALTER " + n.Kind.String()}, nil
}
