// Package planner turns a parsed statement and the catalog into a plan, and a plan into the
// runtime's spec. A plan is data (versioned JSON, expressions kept as canonical SQL text) that
// the catalog stores, so a restart rebuilds exactly the query that was planned, whatever the
// catalog has become since.
//
// It binds names and types (Bind, with ksqlDB's naming of output columns and its key rules),
// checks formats against schemas through exec/serde, and compiles expressions with exec/expr.
// It may import types, parser, parser/ast, catalog and exec (for the spec it builds); it must
// not import the engine, state or wire.
package planner
