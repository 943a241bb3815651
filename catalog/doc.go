// Package catalog holds what the server knows: streams, tables, their columns, keys, topics and
// formats, and the persistent queries with their plans. It is persisted as an append-only
// command log on the broker and rebuilt at start by replaying it.
//
// It may import types, parser/ast and broker. It must not import planner, exec, state or wire.
package catalog
