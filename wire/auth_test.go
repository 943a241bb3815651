package wire

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pgxConnect(t *testing.T, connString string) (*pgconn.PgConn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, connString)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func TestAuthentication(t *testing.T) {
	for _, method := range []string{AuthPassword, AuthMD5, AuthSCRAM} {
		t.Run(method, func(t *testing.T) {
			srv := startServer(t, Config{Auth: method, Users: map[string]string{"alice": "s3cret: with colon", "bob": ""}})
			url := func(user, password string) string {
				return "postgres://" + user + ":" + password + "@" + srv.addr + "/d?sslmode=disable"
			}
			conn, err := pgxConnect(t, "host=127.0.0.1 port="+srv.port+" user=alice dbname=d sslmode=disable password='s3cret: with colon'")
			require.NoError(t, err)
			res := conn.Exec(context.Background(), "SELECT 1")
			_, err = res.ReadAll()
			require.NoError(t, err)

			_, err = pgxConnect(t, url("alice", "wrong"))
			require.Error(t, err)
			assert.Equal(t, "28P01", pgCode(err), "%v", err)
			assert.Contains(t, err.Error(), `password authentication failed for user "alice"`)

			_, err = pgxConnect(t, url("mallory", "s3cret"))
			assert.Equal(t, "28P01", pgCode(err), "%v", err)
			eventually(t, "no session left", func() bool { return srv.b.sessions.Load() <= 1 })
		})
	}
	// Trust takes anyone.
	srv := startServer(t, Config{Users: map[string]string{"alice": "x"}})
	_, err := pgxConnect(t, "postgres://whoever@"+srv.addr+"/d?sslmode=disable")
	require.NoError(t, err)
}

func TestReadUsersFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "users")
	require.NoError(t, os.WriteFile(p, []byte("# users\nalice:pa:ss\r\n\nbob:\n"), 0o600))
	users, err := ReadUsersFile(p)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"alice": "pa:ss", "bob": ""}, users)
	require.NoError(t, os.WriteFile(p, []byte("nocolon\n"), 0o600))
	_, err = ReadUsersFile(p)
	assert.ErrorContains(t, err, ":1: want user:password")
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "streamsql test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestTLS(t *testing.T) {
	cert := selfSigned(t)
	srv := startServer(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Auth: AuthSCRAM, Users: map[string]string{"u": "pw"}})
	conn, err := pgxConnect(t, "postgres://u:pw@"+srv.addr+"/d?sslmode=require")
	require.NoError(t, err)
	_, err = conn.Exec(context.Background(), "SELECT 1").ReadAll()
	require.NoError(t, err)
	_, isTLS := conn.Conn().(*tls.Conn)
	assert.True(t, isTLS)
	// Without TLS the client may still connect unless the server requires TLS.
	_, err = pgxConnect(t, "postgres://u:pw@"+srv.addr+"/d?sslmode=disable")
	require.NoError(t, err)

	required := startServer(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, TLSRequired: true})
	_, err = pgxConnect(t, "postgres://u@"+required.addr+"/d?sslmode=disable")
	assert.Equal(t, "28000", pgCode(err), "%v", err)
	assert.ErrorContains(t, err, "this server requires SSL")

	// A server without TLS answers SSLRequest with N: sslmode=require clients refuse it.
	plain := startServer(t, Config{})
	_, err = pgxConnect(t, "postgres://u@"+plain.addr+"/d?sslmode=require")
	assert.ErrorContains(t, err, "server refused TLS connection")
}
