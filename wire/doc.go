// Package wire speaks the Postgres wire protocol (github.com/jackc/pgx/v5/pgproto3) to psql,
// JDBC, psycopg, pgx and BI tools: sessions, authentication, the simple and extended
// protocols, type OIDs, SQLSTATE errors and push queries streamed as rows.
//
// It talks only to the engine's API and types. It must not import exec, planner, state,
// catalog or broker.
package wire
