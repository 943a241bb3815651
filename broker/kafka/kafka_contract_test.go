package kafka

import (
	"testing"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/brokertest"
)

// TestContract holds Cluster to the contract every broker.Broker meets, against a real broker.
func TestContract(t *testing.T) {
	kafkaAddrs(t)
	brokertest.Run(t, func(t *testing.T) broker.Broker {
		return openCluster(t, Options{})
	})
}
