package pgcatalog

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// testEnv holds a table READINGS (keyed by DEVICE_ID) and a stream PAGEVIEWS.
func testEnv() *Env {
	return &Env{
		User: "postgres", Database: "postgres", PID: 42,
		Settings: NewSettings(map[string]string{"user": "postgres", "application_name": "test"}, "13.0.0"),
		Relations: []api.Relation{
			{Name: "READINGS", Kind: "TABLE", Topic: "readings", KeyFormat: "KAFKA", ValueFormat: "JSON", Columns: []api.RelationColumn{
				{Name: "DEVICE_ID", Type: types.StringType, Key: true},
				{Name: "TS", Type: types.TimestampType},
				{Name: "TEMP", Type: types.DoubleType},
				{Name: "HUMIDITY", Type: types.DoubleType},
			}},
			{Name: "PAGEVIEWS", Kind: "STREAM", Topic: "pageviews", KeyFormat: "KAFKA", ValueFormat: "JSON", Columns: []api.RelationColumn{
				{Name: "USER_ID", Type: types.StringType, Key: true},
				{Name: "PAGE", Type: types.StringType},
				{Name: "VIEWS", Type: types.BigintType},
				{Name: "TAGS", Type: types.ArrayOf(types.StringType)},
				{Name: "LOC", Type: types.StructOf(types.Field{Name: "LAT", Type: types.DoubleType})},
				{Name: "PRICE", Type: types.DecimalType(10, 2)},
			}},
		},
	}
}

func run(t *testing.T, sql string) *Result {
	t.Helper()
	res, err := Run(context.Background(), sql, testEnv())
	require.NoError(t, err, sql)
	return res
}

// texts renders a result's rows as text (NULL as "NULL").
func texts(res *Result) [][]string {
	out := make([][]string, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			if v == nil {
				out[i][j] = "NULL"
			} else {
				out[i][j] = string(AppendText(nil, v, res.Columns[j].OID))
			}
		}
	}
	return out
}

var oidLiteral = regexp.MustCompile(`\b16384\b`)

// TestCapturedCatalogQueries runs every catalog query the captured clients sent, with the
// captured relation OID replaced by READINGS' OID: each must answer, and where the capture
// shows Postgres' RowDescription, with the same column names and type OIDs.
func TestCapturedCatalogQueries(t *testing.T) {
	readings := run(t, "SELECT 'readings'::regclass::oid").Rows[0][0]
	oid := strings.TrimSpace(string(AppendText(nil, readings, oidOID)))
	caps := catalogCaptures(t)
	require.Greater(t, len(caps), 60)
	for _, c := range caps {
		sql := oidLiteral.ReplaceAllString(c.sql, oid)
		sql = regexp.MustCompile(`\$\d+`).ReplaceAllString(sql, "NULL")
		res, err := Run(context.Background(), sql, testEnv())
		if !assert.NoError(t, err, "%s:\n%s", c.source, sql) {
			continue
		}
		if c.want == nil {
			continue
		}
		if assert.Len(t, res.Columns, len(c.want), "%s:\n%s", c.source, sql) {
			for i, w := range c.want {
				got := res.Columns[i]
				assert.Equal(t, w.name, got.Name, "%s column %d:\n%s", c.source, i, sql)
				assert.Equal(t, w.oid, got.OID, "%s column %q type:\n%s", c.source, w.name, sql)
			}
		}
	}
}
