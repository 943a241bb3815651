package kafka

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/broker"
)

// kafkaAddrs returns the brokers named by STREAMSQL_KAFKA, or skips the test.
func kafkaAddrs(t testing.TB) []string {
	t.Helper()
	v := os.Getenv("STREAMSQL_KAFKA")
	if v == "" {
		t.Skip("set STREAMSQL_KAFKA=host:port (make test starts a broker) to run Kafka tests")
	}
	return strings.Split(v, ",")
}

// openCluster opens a Cluster on the test broker and closes it when the test ends.
func openCluster(t testing.TB, opts Options) *Cluster {
	t.Helper()
	addrs := kafkaAddrs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Open(ctx, addrs, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9._-]`)

// uniqueTopic names a topic after the test with a random suffix, so runs against a shared
// broker never collide.
func uniqueTopic(t testing.TB) string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	name := unsafeChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 180 {
		name = name[len(name)-180:]
	}
	return "kt." + name + "." + hex.EncodeToString(r[:])
}

// createTopic creates a unique topic and deletes it when the test ends.
func createTopic(t testing.TB, c *Cluster, cfg broker.TopicConfig) string {
	t.Helper()
	name := uniqueTopic(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, c.CreateTopic(ctx, name, cfg))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.DeleteTopic(ctx, name)
	})
	return name
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
