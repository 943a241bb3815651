package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServerWith starts streamsql with extra flags (authentication, TLS, limits) on the
// embedded log and stops it when the test ends.
func startServerWith(t *testing.T, extra ...string) *server {
	t.Helper()
	s := &server{t: t, dataDir: t.TempDir(), port: freePort(t), logs: &syncBuffer{}}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("streamsql log:\n%s", s.logs.String())
		}
	})
	args := append([]string{"--data-dir", s.dataDir, "--pg-addr", s.addr()}, extra...)
	s.runs++
	cmd := exec.Command(binPath, args...)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-done:
			t.Fatalf("streamsql %v exited: %s", extra, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("streamsql did not listen within %v", waitTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// psqlAs runs psql -c sql as user with PGPASSWORD and extra connection settings (conninfo
// keywords), returning stdout and stderr together.
func (s *server) psqlAs(user, password, conninfo, sql string) (string, error) {
	args := []string{"-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql,
		fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=streamsql connect_timeout=10 %s", s.port, user, conninfo)}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", args...)
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PG") {
			env = append(env, e)
		}
	}
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAuthMethods: trust, cleartext password, MD5 and SCRAM-SHA-256 (verified against libpq
// through psql with PGPASSWORD); a wrong password and an unknown user are refused with 28P01.
func TestAuthMethods(t *testing.T) {
	needTool(t, "psql")
	users := filepath.Join(t.TempDir(), "users")
	require.NoError(t, os.WriteFile(users, []byte("# test users\nalice:wonder land\nbob:builder\n"), 0o600))
	for _, method := range []string{"password", "md5", "scram-sha-256"} {
		t.Run(method, func(t *testing.T) {
			s := startServerWith(t, "--auth", method, "--users-file", users)
			out, err := s.psqlAs("alice", "wonder land", "sslmode=disable", "SELECT current_user")
			require.NoError(t, err, out)
			assert.Equal(t, "alice", strings.TrimSpace(out))

			out, err = s.psqlAs("alice", "wrong", "sslmode=disable", "SELECT 1")
			require.Error(t, err)
			assert.Contains(t, out, `password authentication failed for user "alice"`)
			out, err = s.psqlAs("nobody", "builder", "sslmode=disable", "SELECT 1")
			require.Error(t, err)
			assert.Contains(t, out, `password authentication failed for user "nobody"`)
		})
	}
	t.Run("trust", func(t *testing.T) {
		s := startServerWith(t)
		out, err := s.psqlAs("anyone", "", "sslmode=disable", "SELECT current_user")
		require.NoError(t, err, out)
		assert.Equal(t, "anyone", strings.TrimSpace(out))
	})
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as PEM files.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}

// TestTLSWithPsql: psql with sslmode=require (and verify-full against the certificate) over
// TLS with SCRAM; a server without TLS is refused by sslmode=require clients with libpq's
// message; --tls-required refuses plain connections.
func TestTLSWithPsql(t *testing.T) {
	needTool(t, "psql")
	cert, key := writeCert(t)
	users := filepath.Join(t.TempDir(), "users")
	require.NoError(t, os.WriteFile(users, []byte("alice:secret\n"), 0o600))
	s := startServerWith(t, "--tls-cert", cert, "--tls-key", key, "--users-file", users)
	out, err := s.psqlAs("alice", "secret", "sslmode=require", `\conninfo`)
	require.NoError(t, err, out)
	assert.Contains(t, out, "SSL connection (protocol: TLSv1.3")
	out, err = s.psqlAs("alice", "secret", "sslmode=verify-full sslrootcert="+cert, "SELECT 42")
	require.NoError(t, err, out)
	assert.Equal(t, "42", strings.TrimSpace(out))
	out, err = s.psqlAs("alice", "secret", "sslmode=disable", "SELECT 1") // TLS offered, not required
	require.NoError(t, err, out)

	plain := startServerWith(t)
	out, err = plain.psqlAs("alice", "", "sslmode=require", "SELECT 1")
	require.Error(t, err)
	assert.Contains(t, out, "server does not support SSL, but SSL was required")

	strict := startServerWith(t, "--tls-cert", cert, "--tls-key", key, "--tls-required")
	out, err = strict.psqlAs("alice", "", "sslmode=disable", "SELECT 1")
	require.Error(t, err)
	assert.Contains(t, out, "this server requires SSL")
	out, err = strict.psqlAs("alice", "", "sslmode=require", "SELECT 1")
	require.NoError(t, err, out)
}

// TestLimits: one connection more than --max-connections gets FATAL 53300, and a message larger
// than --max-message-size closes its connection with 08P01; both say why.
func TestLimits(t *testing.T) {
	needTool(t, "psql")
	s := startServerWith(t, "--max-connections", "2", "--max-message-size", "4096")
	held := []*pgClient{dialPG(t, s.addr()), dialPG(t, s.addr())}
	out, err := s.psqlAs("e2e", "", "sslmode=disable", "SELECT 1")
	require.Error(t, err)
	assert.Contains(t, out, "sorry, too many clients already")
	held[0].nc.Close()
	require.Eventually(t, func() bool {
		_, err := s.psqlAs("e2e", "", "sslmode=disable", "SELECT 1")
		return err == nil
	}, waitTimeout, pollEvery)

	out, err = s.psqlAs("e2e", "", "sslmode=disable", "SELECT '"+strings.Repeat("x", 5000)+"'")
	require.Error(t, err)
	assert.Contains(t, out, "exceeds the server's limit of 4096 bytes")
	r, err := held[1].query("SELECT 1")
	require.NoError(t, err)
	assert.Empty(t, r.errs)
}
