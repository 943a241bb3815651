// Command streamsql is the server: it reads flags, opens the broker (a real Kafka cluster with
// --kafka, the embedded durable log otherwise), wires the engine and the Postgres endpoint, and
// stops cleanly on SIGINT/SIGTERM.
//
// It may import every streamsql package; nothing imports it.
package main
