package e2e

import (
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pgClient is a minimal protocol client (pgproto3) for tests that need one connection.
type pgClient struct {
	t      *testing.T
	addr   string
	nc     net.Conn
	fe     *pgproto3.Frontend
	pid    uint32
	secret []byte
	tx     byte
}

func dialPG(t *testing.T, addr string) *pgClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := &pgClient{t: t, addr: addr, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "e2e", "database": "streamsql"}})
	require.NoError(t, c.fe.Flush())
	_, err = c.untilReady()
	require.NoError(t, err)
	return c
}

// pgReply is what one round trip returned.
type pgReply struct {
	errs   []*pgproto3.ErrorResponse
	rows   [][]string
	params map[string]string
}

// untilReady reads messages through ReadyForQuery.
func (c *pgClient) untilReady() (*pgReply, error) {
	r := &pgReply{params: map[string]string{}}
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
		msg, err := c.fe.Receive()
		if err != nil {
			return r, err
		}
		switch m := msg.(type) {
		case *pgproto3.BackendKeyData:
			c.pid, c.secret = m.ProcessID, append([]byte(nil), m.SecretKey...)
		case *pgproto3.ErrorResponse:
			cp := *m
			r.errs = append(r.errs, &cp)
		case *pgproto3.DataRow:
			row := make([]string, len(m.Values))
			for i, v := range m.Values {
				row[i] = string(v)
			}
			r.rows = append(r.rows, row)
		case *pgproto3.ParameterStatus:
			r.params[m.Name] = m.Value
		case *pgproto3.ReadyForQuery:
			c.tx = m.TxStatus
			return r, nil
		}
	}
}

func (c *pgClient) query(sql string) (*pgReply, error) {
	c.fe.Send(&pgproto3.Query{String: sql})
	if err := c.fe.Flush(); err != nil {
		return nil, err
	}
	return c.untilReady()
}

// extended runs sql through Parse/Bind/Describe/Execute/Sync with n NULL parameters.
func (c *pgClient) extended(sql string, n int) (*pgReply, error) {
	c.fe.Send(&pgproto3.Parse{Query: sql})
	c.fe.Send(&pgproto3.Bind{Parameters: make([][]byte, n)})
	c.fe.Send(&pgproto3.Describe{ObjectType: 'P'})
	c.fe.Send(&pgproto3.Execute{})
	c.fe.Send(&pgproto3.Sync{})
	if err := c.fe.Flush(); err != nil {
		return nil, err
	}
	return c.untilReady()
}

// cancel sends a CancelRequest for this session on a new connection.
func (c *pgClient) cancel() {
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return
	}
	defer nc.Close()
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.CancelRequest{ProcessID: c.pid, SecretKey: c.secret})
	_ = fe.Flush()
}

var sqlstate = regexp.MustCompile(`^[0-9A-Z]{5}$`)

// TestClientCorpusOneConnection runs every statement of the captured client corpus (psql,
// pgjdbc, SQLAlchemy, Grafana, Metabase, Superset, DBeaver, pgx and ksqlDB statements) over
// one connection: each must answer or fail with a proper SQLSTATE, and none may close the
// connection. Push queries are cancelled after a moment (57014).
func TestClientCorpusOneConnection(t *testing.T) {
	s := startServer(t, "")
	data, err := os.ReadFile("../../pgcatalog/testdata/client-corpus.sql") // one copy of the captures, kept with pgcatalog
	require.NoError(t, err)
	c := dialPG(t, s.addr())

	r, err := c.query(`CREATE STREAM readings (device_id VARCHAR KEY, ts TIMESTAMP, temp DOUBLE, humidity DOUBLE) WITH (kafka_topic='readings', value_format='JSON', partitions=1);`)
	require.NoError(t, err)
	require.Empty(t, r.errs)

	param := regexp.MustCompile(`\$(\d+)`)
	answered, failed := 0, 0
	for _, chunk := range strings.Split(string(data), "-- @@ ")[1:] {
		name, sql, _ := strings.Cut(chunk, "\n")
		sql = strings.TrimSpace(sql)
		stop := time.AfterFunc(2*time.Second, c.cancel) // push queries never end by themselves
		var r *pgReply
		if m := param.FindAllStringSubmatch(sql, -1); m != nil {
			n := 0
			for _, p := range m {
				k, _ := strconv.Atoi(p[1])
				n = max(n, k)
			}
			r, err = c.extended(sql, n)
		} else {
			r, err = c.query(sql)
		}
		stop.Stop()
		require.NoError(t, err, "%s broke the connection:\n%s", name, sql)
		if len(r.errs) == 0 {
			answered++
			continue
		}
		failed++
		for _, e := range r.errs {
			assert.Regexp(t, sqlstate, e.Code, name)
			assert.NotEqual(t, "XX000", e.Code, "%s: internal error: %s\n%s", name, e.Message, sql)
			assert.Equal(t, "ERROR", e.Severity, "%s: %s", name, e.Message)
			t.Logf("%s: %s %s", name, e.Code, e.Message)
		}
		if c.tx == 'E' { // a failed statement inside BEGIN: end the block as clients do
			r, err := c.query("ROLLBACK")
			require.NoError(t, err)
			require.Empty(t, r.errs)
		}
	}
	t.Logf("corpus: %d answered, %d failed with a SQLSTATE", answered, failed)
	r, err = c.query("SELECT 1")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"1"}}, r.rows)
}
