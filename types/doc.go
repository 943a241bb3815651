// Package types is streamsql's shared vocabulary: SQL data types (ksqlDB's BOOLEAN, INT, BIGINT,
// DOUBLE, DECIMAL, STRING, BYTES, TIMESTAMP, DATE, TIME, ARRAY, MAP, STRUCT) and the coded error
// every layer returns (a Postgres SQLSTATE plus an optional statement position).
//
// It is the leaf of the import graph: it must not import any other streamsql package.
package types
