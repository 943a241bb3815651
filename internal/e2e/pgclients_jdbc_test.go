package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestJDBC builds and runs the pgjdbc client program (clients/jdbc, org.postgresql:postgresql
// from Maven Central) against the real binary: DatabaseMetaData, a PreparedStatement run more
// than prepareThreshold times (named server-side statement, binary results), a push query read
// with a fetch size (a named portal executed two rows at a time in a transaction), and an error
// that leaves the connection usable. It skips when java or mvn is not installed.
func TestJDBC(t *testing.T) {
	java := needTool(t, "java")
	mvn := needTool(t, "mvn")
	dir, err := filepath.Abs(filepath.Join("clients", "jdbc"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, mvn, "-B", "-q", "package", "dependency:build-classpath", "-Dmdep.outputFile=target/cp.txt")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		if ctx.Err() != nil || strings.Contains(string(out), "Could not resolve") || strings.Contains(string(out), "Could not transfer") {
			t.Skipf("mvn could not fetch pgjdbc (no access to Maven Central?): %v\n%s", err, out)
		}
		t.Fatalf("mvn package: %v\n%s", err, out)
	}
	cp, err := os.ReadFile(filepath.Join(dir, "target", "cp.txt"))
	require.NoError(t, err)

	s := startServer(t, "")
	s.mustPSQL(`CREATE STREAM readings (device_id VARCHAR KEY, temp DOUBLE, n INT) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`)

	rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer rcancel()
	run := exec.CommandContext(rctx, java, "-cp", filepath.Join(dir, "target", "classes")+string(os.PathListSeparator)+strings.TrimSpace(string(cp)),
		"streamsql.Main", "127.0.0.1", strconv.Itoa(s.port))
	out, err := run.CombinedOutput()
	t.Logf("jdbc client:\n%s", out)
	require.NoError(t, err, "the JDBC client failed (timed out: %v)", rctx.Err() != nil)
	require.Contains(t, string(out), "ok done: all steps passed")
}
