package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/exec"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/state"
)

// Config configures an engine.
type Config struct {
	Broker broker.Broker
	Logger *slog.Logger
	// CommandTopic holds the catalog's command log (default catalog.DefaultCommandTopic).
	CommandTopic string
	// Properties are server-wide defaults of ksqlDB properties (auto.offset.reset ...).
	Properties map[string]string
	// PollWait bounds how long idle query tasks wait per fetch (default 200ms).
	PollWait time.Duration
	// BatchSize bounds records per task batch (default 1000).
	BatchSize int
	// StateDir holds operator state when the broker is not the embedded log (Kafka). Empty
	// keeps state in memory (tests). On the embedded log state lives in the log's own
	// database so that it commits atomically with outputs.
	StateDir string
	// NoSync skips fsyncs of state commits (tests, benchmarks).
	NoSync bool
}

// pebbleBacked is the embedded log: its database can hold state too.
type pebbleBacked interface {
	broker.AtomicProducer
	DB() *pebble.DB
}

func openState(cfg Config) (*state.DB, error) {
	if pb, ok := cfg.Broker.(pebbleBacked); ok {
		return state.OnLog(pb.DB(), pb, state.Options{NoSync: cfg.NoSync}), nil
	}
	if cfg.StateDir == "" {
		return state.Open("", state.Options{InMemory: true})
	}
	return state.Open(cfg.StateDir, state.Options{NoSync: cfg.NoSync})
}

// Engine runs statements and persistent queries.
type Engine struct {
	cfg    Config
	b      broker.Broker
	logger *slog.Logger
	cat    *catalog.Catalog
	log    *catalog.Log
	state  *state.DB
	plog   *processingLog

	// ddl serializes statements that change the catalog, so that a check and the command
	// that follows it see the same catalog.
	ddl sync.Mutex

	// transientSeq numbers push queries.
	transientSeq atomic.Int64

	mu      sync.Mutex
	running map[string]*exec.Query
	// retrying holds the persistent queries (and source-table materializers) that could not
	// restart when the engine opened, by id: each is retried in the background until it
	// starts, is dropped or the engine closes.
	retrying map[string]*retryingStart
	retries  sync.WaitGroup
	closed   bool
}

// retryingStart is a query that failed to restart: the last error and how to give up on it.
type retryingStart struct {
	err    error
	cancel context.CancelFunc
}

var _ api.Backend = (*Engine)(nil)

// Open replays the catalog's command log and restarts every persistent query from its
// stored plan and committed offsets.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Broker == nil {
		return nil, fmt.Errorf("engine: no broker configured")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Engine{cfg: cfg, b: cfg.Broker, logger: cfg.Logger, cat: catalog.New(), running: map[string]*exec.Query{}, retrying: map[string]*retryingStart{}}
	var err error
	if e.state, err = openState(cfg); err != nil {
		return nil, fmt.Errorf("engine: state: %w", err)
	}
	e.log, err = catalog.OpenLog(ctx, e.b, cfg.CommandTopic, e.cat)
	if err != nil {
		return nil, err
	}
	e.plog, err = newProcessingLog(ctx, e.b, e.logger)
	if err != nil {
		return nil, fmt.Errorf("engine: processing log: %w", err)
	}
	if err := e.registerProcessingLogStream(ctx); err != nil {
		return nil, fmt.Errorf("engine: processing log stream: %w", err)
	}
	for _, q := range e.cat.Queries() {
		if err := e.startPersistent(ctx, q); err != nil {
			// One query that cannot start must not keep the server down, nor stay stopped
			// after a passing broker error: report it and keep trying in the background.
			e.logger.Error("restarting query failed; retrying", "query", q.ID, "err", err)
			e.retryStart(q.ID, err, func(ctx context.Context) (*exec.Query, error) { return e.launchPersistent(ctx, q) })
		}
	}
	for _, src := range e.cat.Sources(catalog.Table) {
		if src.ReadOnly {
			if err := e.startMaterializer(ctx, src); err != nil {
				e.logger.Error("restarting a source table's materializer failed; retrying", "table", src.Name, "err", err)
				e.retryStart(planner.MaterializerID(src.Name), err, func(ctx context.Context) (*exec.Query, error) { return e.launchMaterializer(ctx, src) })
			}
		}
	}
	return e, nil
}

// Restart retries back off from retryFirstBackoff to retryMaxBackoff; one attempt may take up
// to retryAttemptTimeout.
const (
	retryFirstBackoff   = 500 * time.Millisecond
	retryMaxBackoff     = 30 * time.Second
	retryAttemptTimeout = time.Minute
)

// retryStart keeps calling launch for id in the background until it starts a query, which
// then runs as if it had started at once. stopPersistent(id) and Close give up on it.
func (e *Engine) retryStart(id string, err error, launch func(context.Context) (*exec.Query, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &retryingStart{err: err, cancel: cancel}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		cancel()
		return
	}
	e.retrying[id] = r
	e.retries.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.retries.Done()
		defer cancel()
		backoff := retryFirstBackoff
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, retryMaxBackoff)
			actx, acancel := context.WithTimeout(ctx, retryAttemptTimeout)
			run, err := launch(actx)
			acancel()
			e.mu.Lock()
			if e.retrying[id] != r {
				// Dropped or closed meanwhile.
				e.mu.Unlock()
				if run != nil {
					run.Stop()
				}
				return
			}
			if err != nil {
				r.err = err
				e.mu.Unlock()
				e.logger.Warn("restarting query failed again; retrying", "query", id, "err", err, "next", backoff)
				continue
			}
			delete(e.retrying, id)
			e.running[id] = run
			e.mu.Unlock()
			e.logger.Info("query restarted", "query", id)
			return
		}
	}()
}

// startMaterializer starts the internal query that keeps a source table's rows for pull
// queries (CREATE SOURCE TABLE). It is not a catalog query: it lives and dies with the table.
func (e *Engine) startMaterializer(ctx context.Context, src *catalog.Source) error {
	run, err := e.launchMaterializer(ctx, src)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.running[run.ID()] = run
	e.mu.Unlock()
	return nil
}

func (e *Engine) launchMaterializer(ctx context.Context, src *catalog.Source) (*exec.Query, error) {
	spec, err := planner.Compile(planner.PlanMaterialize(src))
	if err != nil {
		return nil, err
	}
	return exec.Start(ctx, e.b, spec, e.plog, e.execOptions())
}

// dropMaterializer stops a source table's materializer and deletes its rows.
func (e *Engine) dropMaterializer(ctx context.Context, src *catalog.Source) {
	id := planner.MaterializerID(src.Name)
	e.stopPersistent(id)
	n := int(src.Partitions)
	if offs, err := e.b.Offsets(ctx, src.Topic); err == nil {
		n = len(offs)
	}
	for p := 0; p < n; p++ {
		if err := e.state.Store(exec.MaterializedNamespace(id, p)).Drop(); err != nil {
			e.logger.Warn("dropping a source table's rows", "table", src.Name, "err", err)
		}
	}
	opts := e.execOptions()
	for _, topic := range exec.InternalTopics(opts, id) {
		if err := e.b.DeleteTopic(ctx, topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			e.logger.Warn("deleting internal topic", "topic", topic, "err", err)
		}
	}
}

// Catalog is the engine's catalog (read-only for callers).
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// ProcessingErrors is the number of records skipped by queries since start.
func (e *Engine) ProcessingErrors() int64 { return e.plog.Count() }

func (e *Engine) execOptions() exec.Options {
	return exec.Options{BatchSize: e.cfg.BatchSize, PollWait: e.cfg.PollWait, Logger: e.logger, State: e.state, ServiceID: e.serviceID()}
}

func (e *Engine) startPersistent(ctx context.Context, q *catalog.Query) error {
	run, err := e.launchPersistent(ctx, q)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.running[q.ID] = run
	e.mu.Unlock()
	return nil
}

func (e *Engine) launchPersistent(ctx context.Context, q *catalog.Query) (*exec.Query, error) {
	spec, err := compileStored(q)
	if err != nil {
		return nil, err
	}
	return exec.Start(ctx, e.b, spec, e.plog, e.execOptions())
}

// compileStored compiles the plan a catalog query stored.
func compileStored(q *catalog.Query) (*exec.Spec, error) {
	plan, err := planner.DecodePlan(q.Plan)
	if err != nil {
		return nil, err
	}
	return planner.Compile(plan)
}

func (e *Engine) stopPersistent(id string) {
	e.mu.Lock()
	run := e.running[id]
	delete(e.running, id)
	if r := e.retrying[id]; r != nil {
		delete(e.retrying, id)
		r.cancel()
	}
	e.mu.Unlock()
	if run != nil {
		run.Stop()
	}
}

// WaitIdle returns once every persistent query has processed everything its input held,
// checked until nothing moves (a query's output may be another's input).
func (e *Engine) WaitIdle(ctx context.Context) error {
	stable := 0
	for stable < 2 {
		e.mu.Lock()
		ids := make([]string, 0, len(e.running))
		for id := range e.running {
			ids = append(ids, id)
		}
		// A query still retrying its start has all of its input ahead of it.
		all := len(e.retrying) == 0
		e.mu.Unlock()
		sort.Strings(ids)
		for _, id := range ids {
			e.mu.Lock()
			q := e.running[id]
			e.mu.Unlock()
			if q == nil {
				continue
			}
			if err := q.Err(); err != nil {
				return fmt.Errorf("query %s failed: %w", id, err)
			}
			ok, err := q.CaughtUp(ctx)
			if err != nil {
				return err
			}
			if !ok {
				all = false
				break
			}
		}
		if all {
			stable++
		} else {
			stable = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	e.plog.Flush()
	return nil
}

// Close stops every query. The broker stays open: it belongs to the caller.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	runs := e.running
	e.running = map[string]*exec.Query{}
	for id, r := range e.retrying {
		delete(e.retrying, id)
		r.cancel()
	}
	e.mu.Unlock()
	e.retries.Wait()
	for _, q := range runs {
		q.Stop()
	}
	e.plog.Close()
	return e.state.Close()
}

// StateBytes estimates the bytes on disk of every running persistent query's state.
func (e *Engine) StateBytes() uint64 {
	var total uint64
	for _, q := range e.cat.Queries() {
		total += e.queryStateBytes(q)
	}
	return total
}

// queryStateBytes estimates the bytes on disk of one query's state stores.
func (e *Engine) queryStateBytes(q *catalog.Query) uint64 {
	plan, err := planner.DecodePlan(q.Plan)
	if err != nil {
		return 0
	}
	n := int(plan.Source.Partitions)
	if n <= 0 {
		n = 1
	}
	var total uint64
	namespaces := exec.AllStoreNamespaces(q.ID, n)
	for p := 0; p < n; p++ {
		namespaces = append(namespaces, exec.MaterializedNamespace(q.ID, p))
	}
	for _, ns := range namespaces {
		if sz, err := e.state.Store(ns).Size(); err == nil {
			total += sz
		}
	}
	return total
}

// serviceID names this server group in internal topic names: the command topic it shares.
func (e *Engine) serviceID() string {
	t := e.cfg.CommandTopic
	if t == "" || t == catalog.DefaultCommandTopic {
		return "default"
	}
	return strings.Trim(t, "_")
}

// lateRecords is how many records a running query dropped for arriving after their window
// closed.
func (e *Engine) lateRecords(id string) int64 {
	e.mu.Lock()
	q := e.running[id]
	e.mu.Unlock()
	if q == nil {
		return 0
	}
	return q.LateRecords()
}

// dropState removes a stopped query's operator state and internal topics: a terminated query's
// state is garbage, and a replaced aggregation rebuilds its own.
func (e *Engine) dropState(ctx context.Context, id string) {
	q, ok := e.cat.Query(id)
	if !ok {
		return
	}
	plan, err := planner.DecodePlan(q.Plan)
	if err != nil || plan.Aggregate == nil && (plan.Sink == nil || plan.Sink.Kind != catalog.Table) {
		return
	}
	n := int(plan.Source.Partitions)
	if n <= 0 {
		n = 1
	}
	namespaces := exec.AllStoreNamespaces(id, n)
	for p := 0; p < n; p++ {
		namespaces = append(namespaces, exec.MaterializedNamespace(id, p))
	}
	for _, ns := range namespaces {
		if err := e.state.Store(ns).Drop(); err != nil {
			e.logger.Warn("dropping query state", "query", id, "err", err)
		}
	}
	opts := e.execOptions()
	for _, topic := range exec.InternalTopics(opts, id) {
		if err := e.b.DeleteTopic(ctx, topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			e.logger.Warn("deleting internal topic", "query", id, "topic", topic, "err", err)
		}
	}
}
