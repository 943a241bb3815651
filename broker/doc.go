// Package broker is streamsql's view of a log of records: topics split into partitions, records
// addressed by offset, and committed offsets per consumer group.
//
// It owns the Broker interface, the record and topic vocabulary, Kafka's default (murmur2) key
// partitioner, and the sentinel errors every implementation returns. Two implementations live
// below it and are held to one contract suite (broker/brokertest):
//
//   - broker/kafka: a real Apache Kafka cluster through github.com/segmentio/kafka-go;
//   - broker/embedded: a durable single-node log in Pebble, used when no Kafka is configured.
//
// Nothing in broker may import another streamsql package: the engine, state and tests build on
// it, never the reverse.
package broker
