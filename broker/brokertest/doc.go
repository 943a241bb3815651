// Package brokertest is the contract every broker.Broker implementation must meet. Each
// implementation's tests call Run with a constructor; the same cases run against the embedded
// log and against a real Kafka broker, so the engine can treat them as interchangeable.
//
// It imports only broker (and test libraries).
package brokertest
