// Package load writes generated events into a log through broker.Broker, so one code path
// feeds the embedded log and a Kafka cluster: Preload (N events as fast as the log takes them,
// for throughput runs) and Pace (a fixed rate for a fixed time, each event stamped with its
// production wall clock, for latency runs).
package load
