// Package planner turns a parsed statement and the catalog into a typed logical plan and then a
// physical plan: data (versioned JSON with stable operator ids) that exec builds running tasks
// from, and that the catalog stores so a restart rebuilds the same queries.
//
// It may import types, parser/ast and catalog. It must not import exec's runtime, state,
// broker or wire.
package planner
