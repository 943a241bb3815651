// Package ast is streamsql's SQL syntax tree: statements, queries, expressions and declared
// types, as produced by package parser and consumed by the catalog and the planner.
//
// It owns the node types, Format (canonical SQL text that parses back to an equal tree; plans
// store expressions that way) and Dump (a readable, position-free listing used by golden tests).
// Identifiers keep ksqlDB's case rule: unquoted names are upper-cased, quoted names are exact,
// and Quoted says which, so the Postgres catalog layer can match lower-case client names.
//
// Imports: among streamsql packages only types. It must not import parser (parser imports it),
// nor catalog, planner, exec, wire or engine; and no TiDB package: TiDB nodes stay in parser.
package ast
