// Package state owns operator state: Pebble-backed keyed stores (key-value, windowed, session,
// join buffers) in one Pebble DB per server, key-prefixed per query, operator and partition,
// with the committed input offsets written in the same batch as the state they produced, and
// changelog topics to rebuild a store.
//
// It may import types and broker. It must not import exec, planner, catalog, parser or wire.
package state
