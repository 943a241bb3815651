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
