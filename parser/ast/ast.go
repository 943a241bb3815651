package ast

import (
	"strings"

	"github.com/streamsql/streamsql/types"
)

// Node is any syntax tree node. Pos is where the node starts in the original text (the zero
// Position when the node was built by code rather than parsed).
type Node interface {
	Pos() types.Position
}

// Statement is one top-level statement. Text is its source text, without the terminating
// semicolon; the catalog stores it so that a restart replays exactly what the user wrote.
type Statement interface {
	Node
	Text() string
	stmt()
}

// Expr is a scalar expression.
type Expr interface {
	Node
	expr()
}

// StmtBase carries what every statement has: its start and its source text.
type StmtBase struct {
	Start  types.Position
	Source string
}

// Pos returns where the statement starts.
func (s *StmtBase) Pos() types.Position { return s.Start }

// Text returns the statement's source text.
func (s *StmtBase) Text() string { return s.Source }

func (*StmtBase) stmt() {}

// SetSource sets the statement's start and text; the parser calls it once a statement is read.
func (s *StmtBase) SetSource(start types.Position, text string) {
	s.Start, s.Source = start, text
}

// Ident is an identifier. ksqlDB upper-cases unquoted identifiers, so Name holds the upper-cased
// text when Quoted is false and the exact text (quotes removed) when it was written in double
// quotes or backticks.
type Ident struct {
	Name   string
	Quoted bool
	Pos    types.Position
}

// NewIdent returns an unquoted identifier, upper-cased the way the parser would.
func NewIdent(name string) Ident { return Ident{Name: strings.ToUpper(name)} }

// Equal reports whether two identifiers name the same thing (position ignored).
func (i Ident) Equal(j Ident) bool { return i.Name == j.Name && i.Quoted == j.Quoted }

// EqualFold reports whether the identifiers match the way Postgres clients expect from a
// catalog lookup: quoted names exactly, unquoted names ignoring case.
func (i Ident) EqualFold(name string) bool {
	if i.Quoted {
		return i.Name == name
	}
	return strings.EqualFold(i.Name, name)
}

// String returns the identifier as SQL: bare when that reads back the same, else in backticks.
func (i Ident) String() string { return quoteIdent(i) }

// QualifiedName is a possibly schema-qualified object name (`pg_catalog.pg_class`). ksqlDB
// names have no schema.
type QualifiedName struct {
	Schema *Ident
	Name   Ident
}

// Pos returns where the name starts.
func (q QualifiedName) Pos() types.Position {
	if q.Schema != nil {
		return q.Schema.Pos
	}
	return q.Name.Pos
}

// String returns the name as SQL.
func (q QualifiedName) String() string {
	if q.Schema != nil {
		return q.Schema.String() + "." + q.Name.String()
	}
	return q.Name.String()
}
