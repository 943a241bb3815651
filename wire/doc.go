// Package wire speaks the Postgres wire protocol (github.com/jackc/pgx/v5/pgproto3) to psql,
// JDBC, psycopg, pgx and BI tools: sessions, authentication, the simple and extended
// protocols, type OIDs, SQLSTATE errors and push queries streamed as rows.
//
// It routes each statement: session statements (SET, SHOW, RESET, BEGIN/COMMIT/ROLLBACK,
// SAVEPOINT, DISCARD, DEALLOCATE ...) are answered here, catalog queries (pg_catalog,
// information_schema, SELECT without FROM) by pgcatalog over the engine's live catalog
// (api.CatalogReader), and everything else by the engine.
//
// It talks only to the engine's API, pgcatalog and types. It must not import exec, planner,
// state, catalog or broker.
package wire
