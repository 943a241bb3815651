// Package pgcatalog answers the Postgres catalog queries that clients and BI tools send
// (psql's \d family and tab completion, pgjdbc's DatabaseMetaData, SQLAlchemy's inspector,
// Grafana, Metabase, DBeaver ...): the pg_catalog and information_schema relations, derived
// live from streamsql's streams and tables, evaluated by a small relational evaluator over a
// Postgres-dialect SELECT parser of its own (joins, subqueries, UNION, CTEs, CASE, GROUP BY,
// window row numbers, set-returning functions and the catalog functions and reg* casts those
// queries use). It also owns the session settings store behind SET/SHOW/current_setting()
// and pg_settings, and the routing rule that says which statements it answers.
//
// It imports only types and engine/api; the wire layer calls it, never the engine.
package pgcatalog
