// Package api is the engine's whole surface as the outside sees it: sessions that run SQL text
// and hand back results (a command tag, a finished row set, or a live row stream). The
// Postgres endpoint (wire), the conformance runner and tests talk to the engine only through
// it, so the protocol never learns how queries run.
//
// It imports only types.
package api
