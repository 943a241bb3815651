package ast

import (
	"github.com/streamsql/streamsql/types"
)

// SourceKind says whether a source is a stream (append-only) or a table (changelog by key).
type SourceKind int

// Source kinds.
const (
	KindStream SourceKind = iota + 1
	KindTable
)

func (k SourceKind) String() string {
	switch k {
	case KindStream:
		return "STREAM"
	case KindTable:
		return "TABLE"
	}
	return "SOURCE"
}

// Properties are the `WITH (name = value, ...)` of a ksqlDB statement. Names are lower-cased
// (ksqlDB matches them case-insensitively); values keep their literal kind, so that
// `partitions=1` and `partitions='1'` stay distinguishable for error messages.
type Properties map[string]*Literal

// ColumnDef is one column of CREATE STREAM/TABLE or ALTER ... ADD COLUMN.
type ColumnDef struct {
	Name Ident
	// Type is the column type. When the declaration names a custom type (CREATE TYPE), TypeRef
	// holds the declaration and Type is the zero Type: the planner resolves it.
	Type    types.Type
	TypeRef *TypeRef
	// Key marks `KEY` (a stream's key column), PrimaryKey `PRIMARY KEY` (a table's).
	Key        bool
	PrimaryKey bool
	// Headers marks a column filled from record headers: `HEADERS` (all of them, HeaderKey is
	// empty) or `HEADER('k')` (the last header named k).
	Headers   bool
	HeaderKey string
}

// CreateSource is CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (columns) WITH (...).
type CreateSource struct {
	StmtBase
	Kind        SourceKind
	OrReplace   bool
	IfNotExists bool
	// ReadOnly is CREATE SOURCE STREAM/TABLE: no INSERT, and a table is materialized for pull queries.
	ReadOnly bool
	Name     Ident
	Columns  []ColumnDef
	With     Properties
}

// CreateAsSelect is CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (...)] AS SELECT:
// a persistent query writing a new source.
type CreateAsSelect struct {
	StmtBase
	Kind        SourceKind
	OrReplace   bool
	IfNotExists bool
	Name        Ident
	With        Properties
	Select      *Select
}

// InsertSelect is INSERT INTO target [WITH (...)] SELECT: a persistent query into an existing stream.
type InsertSelect struct {
	StmtBase
	Target Ident
	With   Properties
	Select *Select
}

// InsertValues is INSERT INTO target [(columns)] VALUES (values).
type InsertValues struct {
	StmtBase
	Target  Ident
	Columns []Ident // nil when the statement lists none
	Values  []Expr
}

// Drop is DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC].
type Drop struct {
	StmtBase
	Kind        SourceKind
	IfExists    bool
	Name        Ident
	DeleteTopic bool
}

// AlterSource is ALTER STREAM|TABLE name ADD [COLUMN] col type, ...
type AlterSource struct {
	StmtBase
	Kind    SourceKind
	Name    Ident
	Columns []ColumnDef
}

// CreateType is CREATE TYPE [IF NOT EXISTS] name AS type.
type CreateType struct {
	StmtBase
	IfNotExists bool
	Name        Ident
	Type        types.Type
	TypeRef     *TypeRef // set when the type mentions other custom types
}

// DropType is DROP TYPE [IF EXISTS] name.
type DropType struct {
	StmtBase
	IfExists bool
	Name     Ident
}

// ShowTarget is what a ksqlDB SHOW/LIST lists.
type ShowTarget string

// ksqlDB SHOW targets.
const (
	ShowStreams    ShowTarget = "STREAMS"
	ShowTables     ShowTarget = "TABLES"
	ShowQueries    ShowTarget = "QUERIES"
	ShowTopics     ShowTarget = "TOPICS"
	ShowProperties ShowTarget = "PROPERTIES"
	ShowFunctions  ShowTarget = "FUNCTIONS"
	ShowTypes      ShowTarget = "TYPES"
	ShowVariables  ShowTarget = "VARIABLES"
	ShowConnectors ShowTarget = "CONNECTORS"
)

// Show is ksqlDB's SHOW|LIST target [EXTENDED]. AllTopics is SHOW ALL TOPICS (internal ones too).
type Show struct {
	StmtBase
	What      ShowTarget
	Extended  bool
	AllTopics bool
}

// Describe is DESCRIBE [EXTENDED] source.
type Describe struct {
	StmtBase
	Name     Ident
	Extended bool
}

// DescribeSources is DESCRIBE STREAMS|TABLES [EXTENDED]: every source of a kind.
type DescribeSources struct {
	StmtBase
	Kind     SourceKind
	Extended bool
}

// DescribeFunction is DESCRIBE FUNCTION name.
type DescribeFunction struct {
	StmtBase
	Name Ident
}

// Terminate is TERMINATE query_id | TERMINATE ALL.
type Terminate struct {
	StmtBase
	QueryID Ident
	All     bool
}

// Explain is EXPLAIN statement | EXPLAIN query_id. Exactly one of Statement and QueryID is set.
type Explain struct {
	StmtBase
	Statement Statement
	QueryID   *Ident
}

// SetProperty is ksqlDB's SET 'name' = 'value': a session property (quoted name, which is how
// it differs from a Postgres SET).
type SetProperty struct {
	StmtBase
	Name  string
	Value string
}

// UnsetProperty is ksqlDB's UNSET 'name'.
type UnsetProperty struct {
	StmtBase
	Name string
}

// Print is PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n]. A topic written as a
// string literal is a Quoted identifier with the exact name.
type Print struct {
	StmtBase
	Topic         Ident
	FromBeginning bool
	Interval      *int64
	Limit         *int64
}
