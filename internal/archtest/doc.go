// Package archtest enforces streamsql's one-way import graph: its test parses every package's
// non-test Go files and fails when a package imports a streamsql package its doc.go forbids, or
// when a package appears that the table does not know (so a new package has to declare its
// place in the graph). It has no code of its own.
package archtest
