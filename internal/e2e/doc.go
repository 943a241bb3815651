// Package e2e holds end-to-end tests that drive the real streamsql binary, built once by the
// tests, through the real psql client (and, against a Kafka broker named by STREAMSQL_KAFKA,
// the real kcat). Each test starts its own server on a free loopback port with a temporary
// --data-dir and always stops it. It has no code of its own and may import anything.
package e2e
