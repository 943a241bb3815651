package wire

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"

	"github.com/streamsql/streamsql/types"
)

// The fake session takes COPY's batches: it records each INSERT and fails on a value 'boom'.
func (s *fakeSession) InsertBatch(ctx context.Context, sql string) (int, error) {
	stmts := strings.Split(sql, ";\n")
	for i, st := range stmts {
		if strings.Contains(st, "'boom'") {
			return i, types.Errorf(types.CodeDataException, "boom refused")
		}
	}
	s.b.mu.Lock()
	s.b.ran = append(s.b.ran, stmts...)
	s.b.mu.Unlock()
	return len(stmts), nil
}

func TestCopyFromStdin(t *testing.T) {
	srv := startServer(t, Config{})
	c := connectRaw(t, srv.addr)
	copyIn := func(sql string, chunks ...string) []string {
		t.Helper()
		c.send(&pgproto3.Query{String: sql})
		first, err := c.recv()
		if err != nil || first != "CopyInResponse" {
			return append([]string{first}, c.untilReady()...)
		}
		for _, ch := range chunks {
			c.send(&pgproto3.CopyData{Data: []byte(ch)})
		}
		c.send(&pgproto3.CopyDone{})
		return append([]string{first}, c.untilReady()...)
	}
	ins := func(vals string) string { return "INSERT INTO `READINGS` (`DEVICE_ID`, `TEMP`) VALUES (" + vals + ")" }
	insTD := func(vals string) string { return "INSERT INTO `READINGS` (`TEMP`, `DEVICE_ID`) VALUES (" + vals + ")" }
	tests := []struct {
		name, sql string
		chunks    []string
		want      []string
		inserted  []string
	}{
		{"text", "COPY readings FROM STDIN", []string{"a\t1.5\nb\t\\N\n", "c\\t\\\\d\t-2", "\n\\.\n"},
			[]string{"CopyInResponse", "CommandComplete COPY 3", "ReadyForQuery I"},
			[]string{ins("'a', 1.5"), ins("'b', NULL"), ins("'c\t\\d', (-2)")}},
		{"csv with header, quotes across chunks", "copy public.readings (temp, device_id) from stdin with (format csv, header true)",
			[]string{"temp,device_id\r\n1,\"x, \"", "\"y\"\"\nz\"\n", ",\"\"\n3,"},
			[]string{"CopyInResponse", "CommandComplete COPY 3", "ReadyForQuery I"},
			[]string{insTD("1, 'x, \"y\"\nz'"), insTD("NULL, ''"), insTD("3, NULL")}},
		{"legacy options", "COPY readings FROM STDIN WITH DELIMITER AS '|' NULL AS 'nil' CSV QUOTE AS '''' ", []string{"'a|b'|nil\n"},
			[]string{"CopyInResponse", "CommandComplete COPY 1", "ReadyForQuery I"},
			[]string{ins("'a|b', NULL")}},
		{"bad number", "COPY readings FROM STDIN (FORMAT csv)", []string{"a,1\nb,x\n"},
			[]string{"CopyInResponse", `ERROR 22P02 invalid input syntax for type double precision: "x" detail="COPY readings, line 2" hint=""`, "ReadyForQuery I"}, nil},
		{"engine refuses a row", "COPY readings FROM STDIN (FORMAT csv)", []string{"a,1\nboom,2\n"},
			[]string{"CopyInResponse", `ERROR 22000 boom refused detail="COPY readings, line 2" hint=""`, "ReadyForQuery I"}, nil},
		{"missing column", "COPY readings FROM STDIN", []string{"a\n"},
			[]string{"CopyInResponse", `ERROR 22P04 missing data for column "temp" detail="COPY readings, line 1" hint=""`, "ReadyForQuery I"}, nil},
		{"binary refused", "COPY readings FROM STDIN (FORMAT binary)", nil,
			[]string{"ERROR 0A000 COPY FROM STDIN in binary format is not supported; use text or csv", "ReadyForQuery I"}, nil},
		{"unknown relation", "COPY nope FROM STDIN", nil,
			[]string{`ERROR 42P01 relation "NOPE" does not exist`, "ReadyForQuery I"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.b.statements())
			assert.Equal(t, tc.want, copyIn(tc.sql, tc.chunks...))
			got := srv.b.statements()[before:]
			if len(got) == 0 {
				got = nil
			}
			assert.Equal(t, tc.inserted, got)
		})
	}

	// CopyFail ends the copy with an error; later CopyData is ignored and the session goes on.
	c.send(&pgproto3.Query{String: "COPY readings FROM STDIN"})
	first, _ := c.recv()
	assert.Equal(t, "CopyInResponse", first)
	c.send(&pgproto3.CopyData{Data: []byte("a\t1\n")}, &pgproto3.CopyFail{Message: "client gave up"}, &pgproto3.CopyData{Data: []byte("late")})
	assert.Equal(t, []string{"ERROR 57014 COPY from stdin failed: client gave up", "ReadyForQuery I"}, c.untilReady())
	assert.Equal(t, []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}, c.query("SELECT 1"))
}
