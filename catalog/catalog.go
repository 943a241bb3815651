package catalog

import (
	"sort"
	"strings"
	"sync"

	"github.com/streamsql/streamsql/types"
)

// Kind says whether a source is a stream (append-only) or a table (changelog by primary key).
type Kind string

const (
	Stream Kind = "STREAM"
	Table  Kind = "TABLE"
)

// Role says where a column's value lives in a Kafka record.
type Role string

const (
	RoleKey    Role = "KEY"
	RoleValue  Role = "VALUE"
	RoleHeader Role = "HEADER"
)

// Column is one column of a source.
type Column struct {
	Name string     `json:"name"`
	Type types.Type `json:"type"`
	Role Role       `json:"role"`
	// HeaderKey is set for `HEADER('k')` columns: the header whose last value the column
	// holds. Empty with RoleHeader means `HEADERS`: every header as ARRAY<STRUCT<KEY, VALUE>>.
	HeaderKey string `json:"headerKey,omitempty"`
}

// Format is a key or value serialization format with its options.
type Format struct {
	Name      string `json:"name"` // JSON, DELIMITED, KAFKA, NONE
	Delimiter string `json:"delimiter,omitempty"`
	// WrapSingleValue is nil when the format's default applies.
	WrapSingleValue *bool `json:"wrapSingleValue,omitempty"`
}

// Source is a stream or table: a named, typed view of a topic.
type Source struct {
	Name            string   `json:"name"`
	Kind            Kind     `json:"kind"`
	Topic           string   `json:"topic"`
	Columns         []Column `json:"columns"`
	KeyFormat       Format   `json:"keyFormat"`
	ValueFormat     Format   `json:"valueFormat"`
	TimestampColumn string   `json:"timestampColumn,omitempty"`
	TimestampFormat string   `json:"timestampFormat,omitempty"`
	Partitions      int32    `json:"partitions"`
	// Statement is the SQL text that created the source.
	Statement string `json:"statement"`
	// ReadOnly marks CREATE SOURCE STREAM/TABLE: nothing may write into it or replace it.
	ReadOnly bool `json:"readOnly,omitempty"`
	// WriterQueries are the persistent queries that write into the source's topic.
	WriterQueries []string `json:"writerQueries,omitempty"`
	// Window is set for a windowed source: its keys carry a window (a windowed aggregation's
	// output, or a topic declared with WINDOW_TYPE).
	Window *Window `json:"window,omitempty"`
}

// WindowType is how a windowed key carries its window.
type WindowType string

// Window types. TUMBLING and HOPPING keys end with the window start (8 bytes, big-endian);
// SESSION keys end with the window end, then the start.
const (
	WindowTumbling WindowType = "TUMBLING"
	WindowHopping  WindowType = "HOPPING"
	WindowSession  WindowType = "SESSION"
)

// Window describes the windows of a windowed source.
type Window struct {
	Type WindowType `json:"type"`
	// SizeMs is the size of a time window (0 for sessions, or when not declared).
	SizeMs int64 `json:"sizeMs,omitempty"`
}

// IsSession reports whether the window is a session window.
func (w *Window) IsSession() bool { return w != nil && w.Type == WindowSession }

// KeyColumns returns the key columns in order.
func (s *Source) KeyColumns() []Column { return s.columnsWith(RoleKey) }

// ValueColumns returns the value columns in order.
func (s *Source) ValueColumns() []Column { return s.columnsWith(RoleValue) }

func (s *Source) columnsWith(r Role) []Column {
	var out []Column
	for _, c := range s.Columns {
		if c.Role == r {
			out = append(out, c)
		}
	}
	return out
}

// Column finds a column by exact name.
func (s *Source) Column(name string) (Column, int, bool) {
	for i, c := range s.Columns {
		if c.Name == name {
			return c, i, true
		}
	}
	return Column{}, -1, false
}

// SchemaString renders the columns as ksqlDB's DESCRIBE does: `ID INT KEY, NAME STRING`.
func (s *Source) SchemaString() string {
	parts := make([]string, 0, len(s.Columns))
	for _, c := range s.Columns {
		p := types.QuoteIdentIfNeeded(c.Name) + " " + c.Type.String()
		switch c.Role {
		case RoleKey:
			if s.Kind == Table {
				p += " PRIMARY KEY"
			} else {
				p += " KEY"
			}
		case RoleHeader:
			if c.HeaderKey != "" {
				p += " HEADER('" + strings.ReplaceAll(c.HeaderKey, "'", "''") + "')"
			} else {
				p += " HEADERS"
			}
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// Query is a persistent query.
type Query struct {
	ID        string   `json:"id"`
	Statement string   `json:"statement"`
	Sink      string   `json:"sink"`
	Sources   []string `json:"sources"`
	// Plan is the physical plan as the planner serialized it; the catalog does not look inside.
	Plan []byte `json:"plan"`
}

// Catalog is the in-memory view, rebuilt at start by replaying the command log. It is safe for
// concurrent use; the engine is its only writer.
type Catalog struct {
	mu      sync.RWMutex
	seq     int64
	sources map[string]*Source
	queries map[string]*Query
	types   map[string]types.Type
	applied map[string]bool
}

// New returns an empty catalog.
func New() *Catalog {
	return &Catalog{
		sources: map[string]*Source{},
		queries: map[string]*Query{},
		types:   map[string]types.Type{},
		applied: map[string]bool{},
	}
}

// Seq is the sequence number of the last applied command (0 when none).
func (c *Catalog) Seq() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.seq
}

// Source returns the source called name.
func (c *Catalog) Source(name string) (*Source, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.sources[name]
	return s, ok
}

// Sources returns every source of kind (all kinds when kind is ""), sorted by name.
func (c *Catalog) Sources(kind Kind) []*Source {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*Source
	for _, s := range c.sources {
		if kind == "" || s.Kind == kind {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Query returns the persistent query with id.
func (c *Catalog) Query(id string) (*Query, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	q, ok := c.queries[id]
	return q, ok
}

// Queries returns every persistent query, sorted by id.
func (c *Catalog) Queries() []*Query {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Query, 0, len(c.queries))
	for _, q := range c.queries {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Type returns the custom type registered under name (CREATE TYPE).
func (c *Catalog) Type(name string) (types.Type, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.types[name]
	return t, ok
}

// Types returns the custom types by name.
func (c *Catalog) Types() map[string]types.Type {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]types.Type, len(c.types))
	for k, v := range c.types {
		out[k] = v
	}
	return out
}

// Applied reports whether a startup-file statement with this fingerprint was already applied.
func (c *Catalog) Applied(fingerprint string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.applied[fingerprint]
}

// QueriesReading returns the ids of the persistent queries that read source name.
func (c *Catalog) QueriesReading(name string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for _, q := range c.queries {
		for _, s := range q.Sources {
			if s == name {
				out = append(out, q.ID)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
