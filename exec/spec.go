package exec

import (
	"errors"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/types"
)

// Decoder turns serialized key or value bytes into columns of a row. needed, when not nil,
// says which columns the plan uses; the others may be left NULL.
type Decoder interface {
	Decode(data []byte, dst types.Row, needed []bool) error
}

// ErrNullValue is what a value Decoder returns (wrapped or as is) for bytes that encode a null
// record rather than a row, such as the JSON literal null: a stream skips it, a table treats it
// as a delete. The planner's decoders translate their format's sentinel into it.
var ErrNullValue = errors.New("exec: null value record")

// Encoder appends the serialized form of row to buf.
type Encoder interface {
	Encode(buf []byte, row types.Row) ([]byte, error)
}

// Evaluator is a compiled expression over an input row.
type Evaluator interface {
	Eval(row types.Row) (types.Value, error)
}

// Pseudo columns follow a source's own columns in every input row, in this order.
const (
	PseudoRowtime = iota
	PseudoRowPartition
	PseudoRowOffset
	// PseudoWindowStart and PseudoWindowEnd hold a windowed source's window bounds (NULL
	// for other sources).
	PseudoWindowStart
	PseudoWindowEnd
	NumPseudo
)

// Windowed key layouts (Kafka Streams' windowed serdes).
const (
	// WindowNone is an unwindowed key.
	WindowNone byte = 0
	// WindowTime keys end with the window start (8 bytes, big-endian).
	WindowTime byte = 't'
	// WindowSession keys end with the window end, then the start.
	WindowSession byte = 's'
)

// HeaderColumn maps a HEADER/HEADERS column of the source into the input row.
type HeaderColumn struct {
	Index int
	// Key is the header key for `HEADER('k')`; empty means every header (HEADERS).
	Key string
}

// SourceSpec says how to read one topic into input rows. An input row holds the source's
// columns (key and value columns at the positions KeyIndex/ValueIndex give, headers at
// Headers) followed by the pseudo columns ROWTIME, ROWPARTITION, ROWOFFSET.
type SourceSpec struct {
	Topic      string
	NumColumns int
	KeyDecoder Decoder
	// KeyIndex maps the decoder's fields to row positions.
	KeyIndex     []int
	ValueDecoder Decoder
	ValueIndex   []int
	Headers      []HeaderColumn
	// Needed marks, per key field and per value field, whether the plan reads it.
	KeyNeeded, ValueNeeded []bool
	// Timestamp, when set, computes the event time from the decoded row (TIMESTAMP=col);
	// otherwise the record timestamp is the event time.
	Timestamp func(row types.Row) (int64, error)
	// TimestampFatal makes a failed Timestamp stop the query (ksql.timestamp.throw.on.invalid)
	// instead of skipping the record.
	TimestampFatal bool
	// Table marks a changelog source: a null value is a delete of its key.
	Table bool
	// WindowKey says the keys carry a window (WindowTime, WindowSession); WindowSize is the
	// size of time windows, for their end.
	WindowKey  byte
	WindowSize int64
}

// SinkSpec says how to write output rows to a topic.
type SinkSpec struct {
	Topic        string
	KeyEncoder   Encoder
	KeyIndex     []int // output row positions of the key fields
	ValueEncoder Encoder
	ValueIndex   []int
	// TimestampIndex is the output column that sets the record timestamp (-1: the input's
	// event time).
	TimestampIndex int
	// Timestamp, when set, computes the record timestamp from the output row (a STRING
	// column with TIMESTAMP_FORMAT); a row whose timestamp is NULL or fails is skipped and
	// logged, as ksqlDB's timestamp extractor does.
	Timestamp func(row types.Row) (int64, error)
	// Rekeyed says the key columns are computed (PARTITION BY): several all-NULL key columns
	// are then serialized rather than written as a null key.
	Rekeyed bool
	// Headers are output columns written back as headers (HEADERS columns pass through).
	HeaderIndex []int
	// WindowKey, for a query over a windowed source, writes the input's window after the
	// key (WindowTime, WindowSession).
	WindowKey byte
}

// Spec is a compiled stateless query: source → filter → project → sink (or a push stream).
type Spec struct {
	ID     string
	Source SourceSpec
	// Filter drops rows for which it is not TRUE (nil keeps all).
	Filter Evaluator
	// Project computes the output row (nil passes the input row through).
	Project []Evaluator
	// TableFuncs, when set, makes the query a flat map (flatmap.go): each evaluator returns the
	// list ([]any) of values a table function produces for the input row, and Project then
	// reads the input row extended with one column per table function.
	TableFuncs []Evaluator
	// TombstoneNull marks the output columns that read more than the key: on a null-valued
	// record they are NULL rather than computed from a row without its value.
	TombstoneNull []bool
	// Sink is nil for push queries.
	Sink *SinkSpec
	// FromBeginning starts partitions without a committed offset at the earliest offset
	// (auto.offset.reset=earliest); otherwise at the latest.
	FromBeginning bool
	// Limit ends a push query after this many rows (0: no limit).
	Limit int64
	// Aggregate, when set, makes the query an aggregation: Filter reads input rows, Project
	// reads aggregate rows (aggregate.go).
	Aggregate *AggregateSpec
	// Materialize keeps the latest output row per key in a state store (a query writing a
	// table, so that pull queries can read it).
	Materialize bool
	// MaterializeOnly is a source table's materializer: no sink; the latest row per input key
	// is kept in a state store with the input offsets (materialize.go).
	MaterializeOnly bool
}

// ProcessingLog receives records a query could not process. They are skipped, never lost
// silently: the engine writes them to the processing-log topic and counts them.
type ProcessingLog interface {
	Record(queryID string, rec *broker.Record, stage string, err error)
}
