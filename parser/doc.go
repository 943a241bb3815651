// Package parser turns SQL text into streamsql's own AST (package parser/ast).
//
// It owns statement splitting (one lexer with Postgres rules for scripts, startup files and
// multi-statement simple queries), the hand-written recursive-descent parsers for the ksqlDB
// statements (CREATE STREAM/TABLE ... WITH, INSERT, DROP, ALTER, SHOW, DESCRIBE, TERMINATE,
// EXPLAIN, PRINT, SET/UNSET properties, CREATE/DROP TYPE), ksqlDB types, and the Postgres session
// statements clients send (SET/RESET/SHOW, BEGIN/COMMIT/ROLLBACK, DECLARE/FETCH/CLOSE, DISCARD,
// DEALLOCATE, LISTEN, COPY).
//
// Queries go through github.com/pingcap/tidb/pkg/parser (query.go, rewrite*.go, tidb.go,
// convert*.go):
//
//  1. peel: WINDOW, EMIT and PARTITION BY are taken off the query's top level and parsed here;
//  2. rewrite: token by token, what MySQL lacks becomes calls of reserved pseudo-functions
//     __ssql_* (`->`, `::T`, CAST(x AS ksqlDB type), `$n`, `[i]`, lambdas, STRUCT/MAP/ARRAY
//     constructors, `~`, `= ANY(array)`, IS DISTINCT FROM, FULL JOIN and WITHIN, NULLS FIRST,
//     set-returning functions in FROM); every name that is not SQL syntax is back-quoted so
//     that TiDB's reserved words (KEY, TABLE, SPLIT...) stay names;
//  3. TiDB parses the rendered text with ANSI_QUOTES, PIPES_AS_CONCAT and NO_BACKSLASH_ESCAPES;
//  4. convert: TiDB's AST becomes ours; literal values and positions come from our own tokens,
//     found through the offsets TiDB records on expressions, so they point into the original
//     text. No TiDB AST node leaves this package.
//
// Every error is a *types.Error with code 42601 (syntax error), 0A000 (recognized but not
// supported) or 54000 (nested too deeply) and a position in the original text. Parse recovers
// every panic at the statement boundary: nothing a client sends may crash the server.
//
// Known differences from Postgres: `||` binds like MySQL's `|` (below + and -, above
// comparisons, as in Postgres, but above & and <<), so bitwise `|` is refused; `~` binds like
// a comparison; JOIN needs ON or USING (CROSS JOIN and commas do not); cross-join chains are
// kept left-deep; window frames (ROWS BETWEEN), FILTER (WHERE), ORDER BY inside aggregates,
// NATURAL JOIN, LATERAL and VALUES as a query are refused.
//
// Imports: among streamsql packages only types (and parser/ast). It must not import catalog,
// planner, exec, wire or engine: they import it.
package parser
