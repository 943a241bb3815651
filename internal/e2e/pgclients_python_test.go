package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pythonVenv returns the python of clients/python/.venv, creating the venv and installing
// requirements.txt (psycopg2-binary, SQLAlchemy from PyPI) the first time. It skips the test when
// python3 is missing or pip cannot install.
func pythonVenv(t *testing.T) string {
	t.Helper()
	python3 := needTool(t, "python3")
	dir, err := filepath.Abs(filepath.Join("clients", "python"))
	require.NoError(t, err)
	venv := filepath.Join(dir, ".venv")
	py := filepath.Join(venv, "bin", "python")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	check := exec.CommandContext(ctx, py, "-c", "import psycopg2, sqlalchemy")
	if check.Run() == nil {
		return py
	}
	if out, err := exec.CommandContext(ctx, python3, "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Skipf("python3 -m venv: %v\n%s", err, out)
	}
	pip := exec.CommandContext(ctx, py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", filepath.Join(dir, "requirements.txt"))
	if out, err := pip.CombinedOutput(); err != nil {
		t.Skipf("pip could not install psycopg2-binary and SQLAlchemy (no access to PyPI?): %v\n%s", err, out)
	}
	return py
}

// TestPsycopg2SQLAlchemy runs clients/python/client.py (psycopg2 + SQLAlchemy, the stack
// Superset uses) against the real binary: create_engine().connect(), the inspector
// (schemas, tables, columns, keys, indexes, comments) and queries with parameters.
func TestPsycopg2SQLAlchemy(t *testing.T) {
	py := pythonVenv(t)
	s := startServer(t, "")
	s.mustPSQL(`CREATE STREAM readings (device_id VARCHAR KEY, temp DOUBLE, n INT) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`)
	s.mustPSQL(`INSERT INTO readings (device_id, temp, n) VALUES ('d0', 20.5, 0); INSERT INTO readings (device_id, temp, n) VALUES ('d1', 21.5, 1);
		INSERT INTO readings (device_id, temp, n) VALUES ('d0', 22.5, 2); INSERT INTO readings (device_id, temp, n) VALUES ('d1', 23.5, 3);
		INSERT INTO readings (device_id, temp, n) VALUES ('d0', 24.5, 4);`)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, py, filepath.Join("clients", "python", "client.py"), "127.0.0.1", strconv.Itoa(s.port))
	run.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	out, err := run.CombinedOutput()
	t.Logf("python client:\n%s", out)
	require.NoError(t, err, "the Python client failed (timed out: %v)", ctx.Err() != nil)
	require.Contains(t, string(out), "ok done: all steps passed")
}
