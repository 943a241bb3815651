// Package ceiling is the raw pipe the benchmarks measure streamsql against: kafka-go consumes
// one partition, encoding/json decodes each record into a typed struct, the stateless query
// (q0 projection, q2 selection, IoT alert) is applied in plain Go, encoding/json encodes the
// result and kafka-go produces it. No SQL, no state, no offset commits: what a hand-written
// service would cost on the same topics, so streamsql/ceiling is the price of the engine.
package ceiling
