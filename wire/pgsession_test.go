package wire

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

// The fake session describes one stream to the catalog.
func (s *fakeSession) Relations(context.Context) ([]api.Relation, error) {
	return []api.Relation{{Name: "READINGS", Kind: "STREAM", Topic: "readings", KeyFormat: "KAFKA", ValueFormat: "JSON",
		Columns: []api.RelationColumn{{Name: "DEVICE_ID", Type: types.StringType, Key: true}, {Name: "TEMP", Type: types.DoubleType}}}}, nil
}

func TestSessionStatements(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	tests := []struct {
		sql  string
		want []string
	}{
		{"SET application_name = 'bi'", []string{"ParameterStatus application_name=bi", "CommandComplete SET", "ReadyForQuery I"}},
		{"SHOW application_name", []string{"RowDescription application_name:25", "DataRow bi", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"SET SESSION datestyle TO 'ISO'", []string{"CommandComplete SET", "ReadyForQuery I"}},
		{"SET DateStyle = 'German'", []string{"ParameterStatus DateStyle=German, MDY", "CommandComplete SET", "ReadyForQuery I"}},
		{"RESET datestyle", []string{"ParameterStatus DateStyle=ISO, MDY", "CommandComplete RESET", "ReadyForQuery I"}},
		{"SET my.custom TO 42", []string{"CommandComplete SET", "ReadyForQuery I"}},
		{"SELECT current_setting('my.custom')", []string{"RowDescription current_setting:25", "DataRow 42", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"SET unknown_thing = on", []string{"CommandComplete SET", "ReadyForQuery I"}},
		{"SHOW unknown_thing", []string{"RowDescription unknown_thing:25", "DataRow on", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"SHOW nothing_set", []string{`ERROR 42704 unrecognized configuration parameter "nothing_set"`, "ReadyForQuery I"}},
		{"SET TIME ZONE 'Europe/Paris'", []string{"ParameterStatus TimeZone=Europe/Paris", "CommandComplete SET", "ReadyForQuery I"}},
		{"SHOW TIME ZONE", []string{"RowDescription TimeZone:25", "DataRow Europe/Paris", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"SHOW TRANSACTION ISOLATION LEVEL", []string{"RowDescription transaction_isolation:25", "DataRow read committed", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED", []string{"CommandComplete SET", "ReadyForQuery I"}},
		{"SHOW default_transaction_isolation", []string{"RowDescription default_transaction_isolation:25", "DataRow read uncommitted", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"SET server_version = '9'", []string{`ERROR 55P02 parameter "server_version" cannot be changed`, "ReadyForQuery I"}},
		{"SET client_encoding = 'LATIN1'", []string{"ERROR 0A000 conversion between LATIN1 and UTF8 is not supported", "ReadyForQuery I"}},
		{"SET LOCAL statement_timeout = 5", []string{"Notice SET LOCAL can only be used in transaction blocks", "CommandComplete SET", "ReadyForQuery I"}},
		{"RESET ALL", []string{"ParameterStatus TimeZone=UTC", "ParameterStatus application_name=rawtest", "CommandComplete RESET", "ReadyForQuery I"}},
		{"SHOW application_name", []string{"RowDescription application_name:25", "DataRow rawtest", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"DISCARD ALL", []string{"CommandComplete DISCARD ALL", "ReadyForQuery I"}},
		{"DEALLOCATE ALL", []string{"CommandComplete DEALLOCATE ALL", "ReadyForQuery I"}},
		{"DEALLOCATE PREPARE nope", []string{`ERROR 26000 prepared statement "nope" does not exist`, "ReadyForQuery I"}},
		{"UNLISTEN *", []string{"CommandComplete UNLISTEN", "ReadyForQuery I"}},
		{"SET ROLE NONE", []string{"CommandComplete SET", "ReadyForQuery I"}},
		{"-- only a comment", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{";;", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"SET 'auto.offset.reset' = 'earliest'", []string{"ERROR 42601 syntax error at or near \"SET\" @1", "ReadyForQuery I"}}, // the fake engine's answer: it went to the engine
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, c.query(tc.sql), tc.sql)
	}
	var show []string
	for _, m := range c.query("SHOW ALL") {
		show = append(show, m)
	}
	assert.Equal(t, "RowDescription name:25,setting:25,description:25", show[0])
	assert.Contains(t, show, "DataRow standard_conforming_strings|on|Causes '...' strings to treat backslashes literally.")
}

func TestTransactionBlocks(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	for _, step := range []struct{ sql, status string }{
		{"BEGIN", "T"}, {"SELECT 1", "T"}, {"SAVEPOINT a", "T"}, {"SELEC", "E"},
		{"SELECT 1", "E"}, // 25P02 until the block ends
		{"ROLLBACK TO SAVEPOINT a", "T"}, {"RELEASE a", "T"}, {"COMMIT", "I"},
		{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", "T"}, {"SELEC", "E"}, {"COMMIT", "I"},
		{"BEGIN READ ONLY", "T"}, {"END", "I"}, {"ABORT", "I"},
		{"BEGIN; SELEC", "E"}, {"ROLLBACK", "I"},
		{"SAVEPOINT x", "I"},
	} {
		assert.Equal(t, "ReadyForQuery "+step.status, last(c.query(step.sql)), step.sql)
	}
	assert.Equal(t, []string{"ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E"},
		func() []string { c.query("BEGIN"); c.query("SELEC"); return c.query("SELECT 1") }())
	assert.Equal(t, []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}, c.query("COMMIT"), "COMMIT of a failed block rolls back")
	assert.Equal(t, []string{"Notice there is no transaction in progress", "CommandComplete COMMIT", "ReadyForQuery I"}, c.query("COMMIT"))

	// SET LOCAL lasts until the block ends.
	c.query("BEGIN")
	assert.Equal(t, []string{"ParameterStatus application_name=tmp", "CommandComplete SET", "ReadyForQuery T"}, c.query("SET LOCAL application_name = 'tmp'"))
	assert.Equal(t, []string{"ParameterStatus application_name=rawtest", "CommandComplete COMMIT", "ReadyForQuery I"}, c.query("COMMIT"))
}

func TestCatalogQueriesOverTheWire(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	assert.Equal(t, []string{"RowDescription relname:19,attname:19,format_type:25", "DataRow readings|device_id|text", "DataRow readings|temp|double precision", "CommandComplete SELECT 2", "ReadyForQuery I"},
		c.query("SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'readings' AND a.attnum > 0 ORDER BY a.attnum"))
	assert.Equal(t, []string{"RowDescription version:25", "DataRow PostgreSQL 13.0 (streamsql) on x86_64-pc-linux-gnu, compiled by Go, 64-bit", "CommandComplete SELECT 1", "ReadyForQuery I"},
		c.query("select pg_catalog.version()"))
	// Mixed: the catalog, the engine and a session statement in one query string, the
	// engine's error position shifted to the whole string.
	assert.Equal(t, []string{"RowDescription current_schema:19", "DataRow public", "CommandComplete SELECT 1", "CommandComplete SET",
		"ERROR 42601 syntax error at or near \"bogus\" @37", "ReadyForQuery I"},
		c.query("select current_schema(); SET x = 1; bogus"))
	assert.Equal(t, []string{`ERROR 42P01 relation "pg_catalog.pg_nothing" does not exist`, "ReadyForQuery I"}, c.query("SELECT * FROM pg_catalog.pg_nothing"))
	assert.Equal(t, []string{`ERROR 42703 column "nope" does not exist`, "ReadyForQuery I"}, c.query("SELECT nope FROM pg_class"))
}

// TestCatalogExtendedProtocol: pgjdbc and pgx send catalog queries with parameters through
// Parse/Bind/Describe/Execute, asking for binary results.
func TestCatalogExtendedProtocol(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	sql := "SELECT t.oid, t.typname, t.typlen, t.typbyval FROM pg_catalog.pg_type t WHERE t.oid = $1"
	c.send(&pgproto3.Parse{Name: "s1", Query: sql, ParameterOIDs: []uint32{23}}, &pgproto3.Describe{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{})
	assert.Equal(t, []string{"ParseComplete", "ParameterDescription [23]", "RowDescription oid:26,typname:19,typlen:21,typbyval:16", "ReadyForQuery I"}, c.untilReady())
	c.send(&pgproto3.Bind{PreparedStatement: "s1", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 20}}, ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{}, &pgproto3.Sync{})
	assert.Equal(t, []string{"BindComplete", "DataRow \x00\x00\x00\x14|int8|\x00\x08|\x01", "CommandComplete SELECT 1", "ReadyForQuery I"}, c.untilReady())

	// SET through the extended protocol, as pgjdbc does after connecting.
	c.send(&pgproto3.Parse{Query: "SET extra_float_digits = 3"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{})
	assert.Equal(t, []string{"ParseComplete", "BindComplete", "CommandComplete SET", "ReadyForQuery I"}, c.untilReady())
	c.send(&pgproto3.Parse{Query: "BEGIN"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Parse{Query: "SHOW extra_float_digits"}, &pgproto3.Bind{},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	assert.Equal(t, []string{"ParseComplete", "BindComplete", "CommandComplete BEGIN", "ParseComplete", "BindComplete",
		"RowDescription extra_float_digits:25", "DataRow 3", "CommandComplete SHOW", "ReadyForQuery T"}, c.untilReady())
	require.Equal(t, "ReadyForQuery I", last(c.query("COMMIT")))
}
