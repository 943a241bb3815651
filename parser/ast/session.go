package ast

// Postgres session statements. Clients send these on their own (pgjdbc, psycopg2, Grafana,
// Metabase); they never reach the query parser. Setting names are lower-cased as Postgres does,
// and the multi-word forms are mapped to the setting they change (SET TIME ZONE → timezone,
// SHOW TRANSACTION ISOLATION LEVEL → transaction_isolation).

// SetSession is SET [SESSION|LOCAL] name {TO|=} value[, ...] | DEFAULT, and the special forms
// SET TIME ZONE, SET NAMES, SET ROLE, SET SESSION AUTHORIZATION, SET [SESSION CHARACTERISTICS
// AS] TRANSACTION ... Values are the values as text: strings decoded, words lower-cased,
// numbers as written. Default is SET name TO DEFAULT (Values is then empty).
type SetSession struct {
	StmtBase
	Name    string
	Values  []string
	Local   bool
	Default bool
}

// ResetSession is RESET name | RESET ALL.
type ResetSession struct {
	StmtBase
	Name string
	All  bool
}

// ShowSession is SHOW name | SHOW ALL (Postgres settings, not ksqlDB objects).
type ShowSession struct {
	StmtBase
	Name string
	All  bool
}

// Begin is BEGIN | START TRANSACTION with optional modes. Isolation is the lower-cased level
// ("read committed"), empty when not given.
type Begin struct {
	StmtBase
	Isolation string
	ReadOnly  bool
}

// Commit is COMMIT | END.
type Commit struct{ StmtBase }

// Rollback is ROLLBACK | ABORT.
type Rollback struct{ StmtBase }

// Declare is DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query. Push queries
// are read by psql through cursors.
type Declare struct {
	StmtBase
	Cursor Ident
	Binary bool
	Hold   bool
	Query  Query
}

// Fetch is FETCH [n | ALL | NEXT | FORWARD [n|ALL]] [FROM|IN] cursor, or MOVE with the same shape.
type Fetch struct {
	StmtBase
	Cursor Ident
	Count  int64 // rows to fetch when All is false (1 for NEXT or no count)
	All    bool
	Move   bool
}

// Close is CLOSE cursor | CLOSE ALL.
type Close struct {
	StmtBase
	Cursor Ident
	All    bool
}

// Discard is DISCARD ALL|PLANS|SEQUENCES|TEMP; What is upper-cased.
type Discard struct {
	StmtBase
	What string
}

// Deallocate is DEALLOCATE [PREPARE] name | ALL.
type Deallocate struct {
	StmtBase
	Name Ident
	All  bool
}

// Listen is LISTEN channel; Unlisten is UNLISTEN channel | *. Accepted and ignored by the
// engine, but clients (Postico, skunk) send them.
type Listen struct {
	StmtBase
	Channel Ident
}

// Unlisten is UNLISTEN channel | UNLISTEN *.
type Unlisten struct {
	StmtBase
	Channel Ident
	All     bool
}

// Copy is COPY table [(columns)] FROM STDIN | TO STDOUT [[WITH] (options)], or COPY (query) TO
// STDOUT. Option names are lower-cased; a bare option (BINARY, CSV) maps to "format".
type Copy struct {
	StmtBase
	Table   *QualifiedName
	Columns []Ident
	Query   Query
	From    bool // FROM STDIN; false means TO STDOUT
	Options map[string]string
}

// Empty is a statement with no tokens: a query string that is blank or only comments (pgx's
// ping `-- ping`). The wire layer answers it with EmptyQueryResponse.
type Empty struct{ StmtBase }
