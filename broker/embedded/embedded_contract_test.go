package embedded

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/brokertest"
)

func TestContract(t *testing.T) {
	brokertest.Run(t, func(t *testing.T) broker.Broker {
		l, err := Open(t.TempDir(), Options{CleanupInterval: -1})
		require.NoError(t, err)
		return l
	})
}
