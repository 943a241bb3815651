// Package engine is streamsql's facade: it opens the catalog (replaying the command log),
// restarts persistent queries from their stored plans, and runs statements for sessions —
// DDL, persistent queries, INSERT VALUES, push queries, SHOW/DESCRIBE/EXPLAIN, PRINT, SET —
// returning engine/api results. It is the only writer of the catalog.
//
// It may import every package below it (types, parser, catalog, planner, exec, state,
// broker); it must not import wire or cmd.
package engine
