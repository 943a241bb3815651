package wire

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/streamsql/streamsql/engine/api"
	"github.com/streamsql/streamsql/types"
)

func TestCursorsSimpleProtocol(t *testing.T) {
	checkNoLeaks(t)
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	feed := srv.b.feed("f")
	steps := []struct {
		sql  string
		want []string
	}{
		{"DECLARE c CURSOR FOR ROWS 3", []string{"ERROR 25P01 DECLARE CURSOR can only be used in transaction blocks", "ReadyForQuery I"}},
		{"BEGIN", []string{"CommandComplete BEGIN", "ReadyForQuery T"}},
		// psql's FETCH_COUNT sequence.
		{"DECLARE _psql_cursor NO SCROLL CURSOR FOR ROWS 3", []string{"CommandComplete DECLARE CURSOR", "ReadyForQuery T"}},
		{"FETCH FORWARD 2 FROM _psql_cursor", []string{"RowDescription n:20,s:25", "DataRow 1|row\t1\n\\", "DataRow 2|row\t2\n\\", "CommandComplete FETCH 2", "ReadyForQuery T"}},
		{"FETCH FORWARD 2 FROM _psql_cursor", []string{"RowDescription n:20,s:25", "DataRow 3|row\t3\n\\", "CommandComplete FETCH 1", "ReadyForQuery T"}},
		{"FETCH NEXT FROM _psql_cursor", []string{"RowDescription n:20,s:25", "CommandComplete FETCH 0", "ReadyForQuery T"}},
		{"CLOSE _psql_cursor", []string{"CommandComplete CLOSE CURSOR", "ReadyForQuery T"}},
		{"FETCH 1 FROM _psql_cursor", []string{`ERROR 34000 cursor "_psql_cursor" does not exist`, "ReadyForQuery E"}},
		{"ROLLBACK", []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}},
		// A push query: FETCH waits for its rows.
		{"BEGIN; DECLARE \"Live\" CURSOR FOR STREAM f", []string{"CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "ReadyForQuery T"}},
		{"DECLARE \"Live\" CURSOR FOR ROWS 1", []string{`ERROR 42P03 cursor "Live" already exists`, "ReadyForQuery E"}},
		{"ROLLBACK", []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}},
		{"FETCH \"Live\"", []string{`ERROR 34000 cursor "Live" does not exist`, "ReadyForQuery I"}},
		{"BEGIN; DECLARE live CURSOR FOR STREAM f", []string{"CommandComplete BEGIN", "CommandComplete DECLARE CURSOR", "ReadyForQuery T"}},
	}
	for _, st := range steps {
		assert.Equal(t, st.want, c.query(st.sql), st.sql)
	}
	feed <- types.Row{int64(1), "a"}
	feed <- types.Row{int64(2), "b"}
	feed <- types.Row{int64(3), "c"}
	assert.Equal(t, []string{"CommandComplete MOVE 1", "ReadyForQuery T"}, c.query("MOVE 1 IN live"))
	assert.Equal(t, []string{"RowDescription n:20,s:25", "DataRow 3|c", "CommandComplete FETCH 1", "ReadyForQuery T"}, c.query("FETCH RELATIVE 2 live"))
	assert.Equal(t, []string{`ERROR 55000 cursor can only scan forward detail="" hint="Declare it with SCROLL option to enable backward scan."`, "ReadyForQuery E"}, c.query("FETCH PRIOR live"))
	assert.Equal(t, []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}, c.query("ROLLBACK"))
	eventually(t, "the cursor's stream closed by ROLLBACK", func() bool { return srv.b.openStreams.Load() == 0 })

	// WITH HOLD outlives the block; FETCH ALL of a finished result; a cursor over the catalog.
	assert.Equal(t, []string{"CommandComplete DECLARE CURSOR", "ReadyForQuery I"}, c.query("DECLARE h CURSOR WITH HOLD FOR ROWS 2"))
	assert.Equal(t, []string{"CommandComplete BEGIN", "CommandComplete COMMIT", "ReadyForQuery I"}, c.query("BEGIN; COMMIT"))
	assert.Equal(t, []string{"RowDescription n:20,s:25", "DataRow 1|row\t1\n\\", "DataRow 2|row\t2\n\\", "CommandComplete FETCH 2", "ReadyForQuery I"}, c.query("FETCH ALL FROM h"))
	assert.Equal(t, []string{"CommandComplete DECLARE CURSOR", "RowDescription amname:19", "DataRow heap", "CommandComplete FETCH 1", "CommandComplete CLOSE CURSOR", "ReadyForQuery I"},
		c.query("DECLARE am CURSOR WITH HOLD FOR SELECT amname FROM pg_catalog.pg_am ORDER BY 1 DESC; FETCH 1 am; CLOSE ALL"))
	assert.Equal(t, []string{"ERROR 42P11 cannot open CREATE query as cursor", "ReadyForQuery I"}, c.query("DECLARE x CURSOR WITH HOLD FOR CREATE STREAM x"))
	assert.Equal(t, []string{"ERROR 0A000 scrollable cursors are not supported: cursors scan forward only", "ReadyForQuery I"}, c.query("DECLARE x SCROLL CURSOR WITH HOLD FOR ROWS 1"))
}

// A cursor is a named portal: Execute reads it with a row limit (PortalSuspended), and several
// portals stay open at once inside a transaction block.
func TestCursorsAndPortalsExtended(t *testing.T) {
	checkNoLeaks(t)
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	c.query("BEGIN; DECLARE c1 CURSOR FOR ROWS 3")
	c.send(
		&pgproto3.Parse{Name: "s", Query: "ROWS 4"},
		&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s"},
		&pgproto3.Bind{DestinationPortal: "p2", PreparedStatement: "s", ResultFormatCodes: []int16{1, 0}},
		&pgproto3.Execute{Portal: "p1", MaxRows: 2},
		&pgproto3.Execute{Portal: "c1", MaxRows: 1},
		&pgproto3.Execute{Portal: "p2", MaxRows: 3},
		&pgproto3.Sync{},
	)
	assert.Equal(t, []string{"ParseComplete", "BindComplete", "BindComplete",
		"DataRow 1|row\t1\n\\", "DataRow 2|row\t2\n\\", "PortalSuspended",
		"DataRow 1|row\t1\n\\", "PortalSuspended",
		"DataRow \x00\x00\x00\x00\x00\x00\x00\x01|row\t1\n\\", "DataRow \x00\x00\x00\x00\x00\x00\x00\x02|row\t2\n\\", "DataRow \x00\x00\x00\x00\x00\x00\x00\x03|row\t3\n\\", "PortalSuspended",
		"ReadyForQuery T"}, c.untilReady())
	// The portals are still open after Sync inside the block.
	c.send(
		&pgproto3.Execute{Portal: "p1"},
		&pgproto3.Describe{ObjectType: 'P', Name: "c1"},
		&pgproto3.Execute{Portal: "c1"},
		&pgproto3.Close{ObjectType: 'P', Name: "p2"},
		&pgproto3.Sync{},
	)
	assert.Equal(t, []string{"DataRow 3|row\t3\n\\", "DataRow 4|row\t4\n\\", "CommandComplete SELECT 2",
		"RowDescription n:20,s:25", "DataRow 2|row\t2\n\\", "DataRow 3|row\t3\n\\", "CommandComplete SELECT 2",
		"CloseComplete", "ReadyForQuery T"}, c.untilReady())
	assert.Equal(t, []string{"CommandComplete COMMIT", "ReadyForQuery I"}, c.query("COMMIT"))
	c.send(&pgproto3.Execute{Portal: "p1"}, &pgproto3.Sync{})
	assert.Equal(t, []string{`ERROR 34000 portal "p1" does not exist`, "ReadyForQuery I"}, c.untilReady())
}

func TestInferParamTypes(t *testing.T) {
	rels := []api.Relation{
		{Name: "READINGS", Columns: []api.RelationColumn{
			{Name: "DEVICE_ID", Type: types.StringType, Key: true}, {Name: "TEMP", Type: types.DoubleType},
			{Name: "N", Type: types.IntType}, {Name: "TS", Type: types.TimestampType}, {Name: "H", Type: types.StringType, Header: true},
			{Name: "TAGS", Type: types.ArrayOf(types.StringType)}}},
		{Name: "stats", Columns: []api.RelationColumn{{Name: "k", Type: types.BigintType}, {Name: "TEMP", Type: types.IntType}}},
	}
	tests := []struct {
		sql  string
		want []uint32
	}{
		{"INSERT INTO readings (device_id, temp, n) VALUES ($1, $2, $3)", []uint32{oidText, oidFloat8, oidInt4}},
		{"insert into public.READINGS values ($3, $2, $1, 'x', $4)", []uint32{oidInt4, oidFloat8, oidText, 0}},
		{"INSERT INTO readings (n, ROWTIME, temp) VALUES (abs($1), $2, ($3))", []uint32{0, 0, 0}},
		{"SELECT * FROM readings WHERE device_id = $1 AND $2 < n AND temp BETWEEN $3 AND $4 LIMIT $5", []uint32{oidText, oidInt4, oidFloat8, oidFloat8, oidInt8}},
		{"SELECT * FROM readings r WHERE r.ts >= $1 AND n IN ($2, 3, $3) AND device_id NOT IN ($4)", []uint32{oidTimestamp, oidInt4, oidInt4, oidText}},
		{"SELECT * FROM readings WHERE tags = $1 OR upper(device_id) = $2", []uint32{0, 0}},
		{`SELECT * FROM readings JOIN "stats" ON true WHERE k = $1 AND temp = $2 AND n = $3`, []uint32{oidInt8, 0, oidInt4}},
		{"SELECT * FROM nothing WHERE x = $1", []uint32{0}},
		{"SELECT '$1', \"$2\" FROM readings WHERE n = $1 -- $2", []uint32{oidInt4}},
	}
	for _, tc := range tests {
		oids := make([]uint32, maxParam(tc.sql))
		inferParamTypes(tc.sql, oids, rels)
		assert.Equal(t, tc.want, oids, tc.sql)
	}
	// A type the client gave is kept.
	oids := []uint32{oidVarchar}
	inferParamTypes("SELECT * FROM readings WHERE n = $1", oids, rels)
	require.Equal(t, []uint32{oidVarchar}, oids)
}

// Describe of a statement reports the parameter types inferred from the catalog, so that pgx and
// pgjdbc send binary values; an error skips to Sync, and pipelined batches after it run.
func TestDescribeInfersParameters(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	c.send(
		&pgproto3.Parse{Name: "ins", Query: "INSERT INTO readings (device_id, temp) VALUES ($1, $2)"},
		&pgproto3.Describe{ObjectType: 'S', Name: "ins"},
		&pgproto3.Parse{Name: "given", Query: "INSERT INTO readings (device_id, temp) VALUES ($1, $2)", ParameterOIDs: []uint32{oidVarchar}},
		&pgproto3.Describe{ObjectType: 'S', Name: "given"},
		&pgproto3.Sync{},
		&pgproto3.Bind{PreparedStatement: "ins", ParameterFormatCodes: []int16{0, 1}, Parameters: [][]byte{[]byte("d'1"), {0x40, 0x35, 0x80, 0, 0, 0, 0, 0}}},
		&pgproto3.Execute{},
		&pgproto3.Execute{Portal: "nope"},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "SELECT 1"},
		&pgproto3.Bind{},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	assert.Equal(t, []string{"ParseComplete", "ParameterDescription [25 701]", "NoData", "ParseComplete", "ParameterDescription [1043 701]", "NoData", "ReadyForQuery I"}, c.untilReady())
	assert.Equal(t, []string{"BindComplete", `ERROR 42601 syntax error at or near "INSERT" @1`, "ReadyForQuery I"}, c.untilReady())
	assert.Equal(t, []string{"ParseComplete", "BindComplete", "RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}, c.untilReady())
	assert.Contains(t, srv.b.statements(), "INSERT INTO readings (device_id, temp) VALUES ('d''1', 21.5)")
}
