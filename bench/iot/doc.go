// Package iot generates the IoT workload of the benchmarks: sensor readings (≈116-byte JSON,
// keyed by device id, about 2 % of them with humidity above 85) on one topic, and the devices
// table (one record per device) for a compacted topic.
//
// Readings are deterministic for a seed, so every system fed one preload reads the same bytes.
package iot
