// Package serde owns the key and value formats of Kafka records as ksqlDB defines them:
// JSON, DELIMITED, KAFKA and NONE (AVRO and PROTOBUF later). A Codec, built once per
// source or sink from a format and a column list, decodes record bytes into a row and
// encodes a row into record bytes, byte for byte the way ksqlDB's serializers do.
//
// It also owns the checks of a format against a schema (which types a format supports,
// WRAP_SINGLE_VALUE, delimiters), with ksqlDB's error texts, so that CREATE statements and
// running queries agree.
//
// Decoding is the hot path of every query: the JSON decoder is a hand-written single-pass
// scanner that matches field names without allocating, skips columns the plan does not
// need without materializing them, and parses numbers in place.
//
// It may import only types (and the standard library and shopspring/decimal).
package serde
