package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connectPGX opens a pgx connection (default mode: statements prepared and cached, parameters
// and results binary where pgx has a codec for the type the server describes).
func connectPGX(t *testing.T, ctx context.Context, s *server) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://e2e@%s/streamsql?sslmode=disable&connect_timeout=10", s.addr()))
	require.NoError(t, err)
	if os.Getenv("TRACE") != "" {
		cfg.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
			f := pgproto3.NewFrontend(r, w)
			f.Trace(os.Stdout, pgproto3.TracerOptions{})
			return f
		}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	})
	return conn
}

// TestPgx drives the real binary with pgx: prepared statements with binary parameters and
// results, QueryRow on a pull query, and a push query read row by row while another
// connection inserts.
func TestPgx(t *testing.T) {
	s := startServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn := connectPGX(t, ctx, s)
	require.NoError(t, conn.Ping(ctx))

	_, err := conn.Exec(ctx, `CREATE STREAM s (k VARCHAR KEY, v INT, d DOUBLE, b BOOLEAN, big BIGINT) WITH (kafka_topic='s', value_format='JSON', partitions=1);`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SET 'auto.offset.reset'='earliest';`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `CREATE TABLE t AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY k;`)
	require.NoError(t, err)

	t.Run("prepared insert with binary parameters", func(t *testing.T) {
		sd, err := conn.Prepare(ctx, "ins", `INSERT INTO s (k, v, d, b, big) VALUES ($1, $2, $3, $4, $5)`)
		require.NoError(t, err)
		// The server infers the parameter types from the stream's columns, so pgx encodes them
		// in binary rather than as text.
		assert.Equal(t, []uint32{25, 23, 701, 16, 20}, sd.ParamOIDs)
		for i := 0; i < 6; i++ {
			k := "a"
			if i%2 == 1 {
				k = "b"
			}
			_, err := conn.Exec(ctx, "ins", k, int32(i), float64(i)+0.5, i%2 == 0, int64(i)<<40)
			require.NoError(t, err, "insert %d", i)
		}
	})

	t.Run("QueryRow on a pull query", func(t *testing.T) {
		deadline := time.Now().Add(waitTimeout)
		for {
			var n int64
			var total int32
			err := conn.QueryRow(ctx, `SELECT n, total FROM t WHERE k = $1`, "a").Scan(&n, &total)
			if err == nil && n == 3 {
				assert.Equal(t, int32(0+2+4), total)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pull query: n=%d err=%v after %v", n, err, waitTimeout)
			}
			time.Sleep(pollEvery)
		}
		// Binary results of every column type (a push query with LIMIT: streams have no pull
		// queries).
		var v int32
		var d float64
		var b bool
		var big int64
		err := conn.QueryRow(ctx, `SELECT v, d, b, big FROM s WHERE k = $1 AND v = $2 EMIT CHANGES LIMIT 1;`, "b", int32(3)).Scan(&v, &d, &b, &big)
		require.NoError(t, err)
		assert.Equal(t, []any{int32(3), 3.5, false, int64(3) << 40}, []any{v, d, b, big})
	})

	t.Run("push query read row by row", func(t *testing.T) {
		other := connectPGX(t, ctx, s)
		insert := func(i int) {
			_, err := other.Exec(ctx, `INSERT INTO s (k, v, d, b, big) VALUES ($1, $2, 0, true, 0)`, fmt.Sprintf("p%d", i), int32(100+i))
			require.NoError(t, err)
		}
		// pgx's Query returns once the first row arrives: one record is there before it, and
		// each further one is inserted after the previous row was read.
		insert(0)
		rows, err := conn.Query(ctx, `SELECT k, v FROM s WHERE v >= $1 EMIT CHANGES;`, int32(100))
		require.NoError(t, err)
		defer rows.Close()
		for i := 0; i < 3; i++ {
			require.True(t, rows.Next(), "row %d: %v", i, rows.Err())
			var k string
			var v int32
			require.NoError(t, rows.Scan(&k, &v))
			assert.Equal(t, fmt.Sprintf("p%d", i), k)
			assert.Equal(t, int32(100+i), v)
			if i < 2 {
				insert(i + 1)
			}
		}
		// A CancelRequest with the session's backend key ends the push query with 57014, and the
		// connection stays usable.
		require.NoError(t, conn.PgConn().CancelRequest(ctx))
		for rows.Next() {
		}
		var pgErr *pgconn.PgError
		require.ErrorAs(t, rows.Err(), &pgErr)
		assert.Equal(t, "57014", pgErr.Code)
		var one int32
		require.NoError(t, conn.QueryRow(ctx, `SELECT 1`).Scan(&one))
		assert.Equal(t, int32(1), one)
	})
}
