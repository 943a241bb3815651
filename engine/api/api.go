package api

import (
	"context"

	"github.com/streamsql/streamsql/types"
)

// Column describes one result column.
type Column struct {
	Name string
	Type types.Type
}

// Result is the outcome of one statement.
//
//   - A command (CREATE, DROP, SET, INSERT ...) has only a Tag.
//   - A finished query (SHOW, DESCRIBE, a pull query, a catalog query) has Columns and Rows.
//   - A push query (SELECT ... EMIT CHANGES) has Columns and a Stream; rows arrive until the
//     stream ends (LIMIT reached, source dropped) or the caller's context is cancelled.
//
// CopyOut marks a result the client asked for as `COPY (...) TO STDOUT`: the same rows, sent
// in COPY text format.
type Result struct {
	// Tag is the Postgres command tag: "CREATE STREAM", "SELECT 3", "INSERT 0 1", "SET".
	// For streams the tag is completed by the caller with the number of rows sent.
	Tag     string
	Columns []Column
	Rows    []types.Row
	Stream  RowStream
	CopyOut bool
	// Notices are informational messages for the client (Postgres NoticeResponse).
	Notices []string
}

// RowStream is a live sequence of rows.
type RowStream interface {
	// Next blocks until the next row. It returns io.EOF when the stream has ended, and ctx's
	// error when ctx is done. Rows are owned by the caller once returned.
	Next(ctx context.Context) (types.Row, error)
	// Close releases the stream's resources (the push query's tasks). It is safe to call
	// more than once and concurrently with Next.
	Close() error
}

// Backend creates sessions.
type Backend interface {
	// NewSession starts a session for a client. params are the client's startup parameters
	// (user, database, application_name, ...).
	NewSession(ctx context.Context, params map[string]string) (Session, error)
}

// Session runs statements for one client, holding its settings (SET, auto.offset.reset ...).
// A session is used by one goroutine at a time.
type Session interface {
	// Run executes every statement of sql in order, handing each result to emit before
	// running the next. It stops at the first error, which is a *types.Error whose position
	// (if any) is relative to the start of sql.
	Run(ctx context.Context, sql string, emit func(*Result) error) error
	// Close ends the session and frees anything it holds.
	Close() error
}

// CatalogReader may be implemented by a Session to describe the streams and tables its
// client can see, for the Postgres catalog (pg_catalog, information_schema) that clients and
// BI tools browse. The answer is read live on every catalog query.
type CatalogReader interface {
	// Relations returns every stream and table, sorted by name.
	Relations(ctx context.Context) ([]Relation, error)
}

// Relation is a stream or table as the Postgres catalog shows it.
type Relation struct {
	Name string
	// Kind is "STREAM" or "TABLE".
	Kind  string
	Topic string
	// KeyFormat and ValueFormat name the serialization formats (JSON, AVRO, KAFKA ...).
	KeyFormat   string
	ValueFormat string
	Columns     []RelationColumn
	// Statement is the SQL text that created the relation.
	Statement string
}

// RelationColumn is one column of a Relation, in declaration order.
type RelationColumn struct {
	Name string
	Type types.Type
	// Key marks a KEY column of a stream or a PRIMARY KEY column of a table.
	Key bool
	// Header marks a HEADER / HEADERS column.
	Header bool
}

// BatchInserter may be implemented by a Session to run many INSERT INTO ... VALUES statements
// as one durable write: the wire's COPY ... FROM STDIN sends its rows this way.
type BatchInserter interface {
	// InsertBatch runs sql, a series of INSERT INTO ... VALUES statements, producing all their
	// records together once every one is valid, and returns how many it inserted. When one
	// fails nothing is inserted, and n is its index (0-based).
	InsertBatch(ctx context.Context, sql string) (n int, err error)
}
