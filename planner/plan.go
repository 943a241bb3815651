package planner

import (
	"encoding/json"
	"fmt"

	"github.com/streamsql/streamsql/catalog"
	"github.com/streamsql/streamsql/types"
)

// PlanVersion is bumped when the plan format changes incompatibly.
const PlanVersion = 1

// Plan is the physical plan of a stateless query, as data: what the catalog stores for a
// persistent query and what a restart rebuilds the running query from. Expressions are kept as
// canonical SQL text (ksqlDB's habit) and recompiled against the snapshot of the source they
// were planned over, so a later change of the catalog cannot change a running query.
type Plan struct {
	Version int    `json:"version"`
	QueryID string `json:"queryId"`
	// Source is a snapshot of the input stream or table.
	Source catalog.Source `json:"source"`
	// Filter is the WHERE clause ("" for none).
	Filter string `json:"filter,omitempty"`
	// Columns are the output columns, in output order, each computed by an expression over
	// the input row.
	Columns []OutputColumn `json:"columns"`
	// TableFunctions, when set, makes the query a flat map: the SQL text of each distinct
	// table function call of the select list, in order of appearance (see tablefuncs.go).
	TableFunctions []string `json:"tableFunctions,omitempty"`
	// Sink is where a persistent query writes (nil for push queries).
	Sink *catalog.Source `json:"sink,omitempty"`
	// FromBeginning reads partitions without committed offsets from the earliest record.
	FromBeginning bool `json:"fromBeginning,omitempty"`
	// Rekeyed marks a PARTITION BY: key columns are computed, so a key of several NULL
	// columns is still written as a key (without it, all-NULL key columns come from a null
	// key and are written as one).
	Rekeyed bool `json:"rekeyed,omitempty"`
	// FailOnBadTimestamp is ksql.timestamp.throw.on.invalid: a record whose event time
	// cannot be extracted stops the query instead of being skipped.
	FailOnBadTimestamp bool `json:"failOnBadTimestamp,omitempty"`
	// Limit ends a push query after this many rows.
	Limit int64 `json:"limit,omitempty"`
	// MaterializeOnly makes the query a source table's materializer: no sink, the latest row
	// per key kept in a state store for pull queries.
	MaterializeOnly bool `json:"materializeOnly,omitempty"`
	// Aggregate, when set, makes the query an aggregation (GROUP BY, WINDOW): Filter applies
	// to input rows, Columns are computed over the aggregate row (see aggregate.go).
	Aggregate *AggregatePlan `json:"aggregate,omitempty"`
}

// AggregatePlan is the aggregation step of a plan. Its aggregate row, which Having and the
// plan's Columns read, holds the GROUP BY values (KSQL_GRP_i), the aggregate results
// (KSQL_AGG_i) and, for windowed aggregations, WINDOWSTART and WINDOWEND.
type AggregatePlan struct {
	// GroupBy are the grouping expressions over the input row.
	GroupBy []string `json:"groupBy"`
	// Calls are the aggregate calls, as SQL text over the input row, in result order.
	Calls []string `json:"calls"`
	// Window is the WINDOW clause (nil for an unwindowed aggregation).
	Window *WindowPlan `json:"window,omitempty"`
	// EmitFinal emits one row per window once it closes instead of every update.
	EmitFinal bool `json:"emitFinal,omitempty"`
	// Having is the HAVING clause over the aggregate row ("" for none).
	Having string `json:"having,omitempty"`
	// Repartition says groups must be co-located through an internal topic first: the
	// grouping is not the input's key and the input has several partitions.
	Repartition bool `json:"repartition,omitempty"`
	// FunctionProperties are the ksql.functions.* properties in force when the query was
	// planned (COLLECT_LIST's limit ...).
	FunctionProperties map[string]string `json:"functionProperties,omitempty"`
	// EmitEveryUpdate disables coalescing of updates to one key within a batch: ksqlDB with
	// its record cache turned off (ksql.streams.cache.max.bytes.buffering=0), as its
	// conformance tests run it.
	EmitEveryUpdate bool `json:"emitEveryUpdate,omitempty"`
}

// WindowPlan is a window clause in milliseconds.
type WindowPlan struct {
	Type      catalog.WindowType `json:"type"`
	SizeMs    int64              `json:"sizeMs,omitempty"`
	AdvanceMs int64              `json:"advanceMs,omitempty"`
	GapMs     int64              `json:"gapMs,omitempty"`
	GraceMs   int64              `json:"graceMs"`
	// RetentionMs is how long windows stay queryable (pull queries) after they close.
	RetentionMs int64 `json:"retentionMs"`
}

// OutputColumn is one output column.
type OutputColumn struct {
	Name string       `json:"name"`
	Expr string       `json:"expr"`
	Type types.Type   `json:"type"`
	Role catalog.Role `json:"role"`
	// HeaderKey is kept for HEADER('k') columns passed through.
	HeaderKey string `json:"headerKey,omitempty"`
}

// Encode serializes a plan.
func (p *Plan) Encode() ([]byte, error) { return json.Marshal(p) }

// DecodePlan parses a stored plan.
func DecodePlan(b []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("planner: bad stored plan: %w", err)
	}
	if p.Version != PlanVersion {
		return nil, fmt.Errorf("planner: stored plan has version %d, this server reads %d", p.Version, PlanVersion)
	}
	return &p, nil
}
