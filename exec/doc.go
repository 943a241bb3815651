// Package exec is the runtime: tasks (one per input partition per stage), the operators they
// run over batches of records (source, filter, project, aggregate, window, join, sink), record
// serde, event time and the lifecycle of persistent and push queries.
//
// It may import types, state and broker. It must not import catalog, planner's builder, parser
// or wire: it receives physical plans as data.
package exec
