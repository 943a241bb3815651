// Package agg owns the aggregate function library (ksqlDB's built-in UDAFs): the registry that
// SHOW FUNCTIONS, DESCRIBE FUNCTION and the docs read (All, Lookup, IsAggregate), the binding of
// a call to its argument types (Resolve), and the accumulators themselves with their compact
// binary state encoding for the state store.
//
// # Functions
//
// AVG, ATTR, COLLECT_LIST, COLLECT_SET, CORRELATION, COUNT, COUNT_DISTINCT, EARLIEST_BY_OFFSET,
// HISTOGRAM, LATEST_BY_OFFSET, MAX, MIN, STDDEV_SAMP, STDDEV_SAMPLE, SUM, SUM_LIST, TOPK and
// TOPKDISTINCT follow ksqlDB, quirks included (STDDEV_SAMP returns the sample variance, AVG of
// nothing is 0.0, SUM of nothing is 0, CORRELATION of too few points is NaN). STDDEV_POP and
// VARIANCE are streamsql additions.
//
// # Contract with the runtime
//
//   - An Aggregator is immutable and safe for concurrent use; its states are not. A state comes
//     from Init or DecodeState and is owned by the caller between calls. Add, Undo and Merge may
//     mutate the state they are given and return it (numeric functions always do: their state
//     is a pointer to a small struct, so Add does not allocate).
//   - Add keeps references to the argument values it stores (COLLECT_LIST, LATEST_BY_OFFSET ...):
//     values are immutable once produced. Result returns a value the caller may keep: it never
//     aliases memory a later Add mutates.
//   - Undo is ksqlDB's retraction for aggregations over a TABLE; call it only when CanUndo is
//     true (it leaves the state unchanged otherwise).
//   - Merge(a, b) combines two session windows' states, b being the later session. It may
//     mutate and return a; it never modifies b, and the result shares nothing mutable with b.
//
// # Imports
//
// agg may import only the types package of streamsql (plus the standard library and
// github.com/shopspring/decimal). The planner resolves calls; the runtime only sees Aggregator.
package agg
