// Package nexmark generates the Nexmark auction workload (person, auction and bid events) as
// JSON records on three topics, the layout RisingWave's Kafka benchmark and timeplus-io/nexmark
// use. It ports the generator of nexmark/nexmark (NexmarkConfiguration and generator/model):
// seeded, people : auctions : bids = 1 : 3 : 46, hot auctions/sellers/bidders at ratios 2/4/4,
// log-uniform prices and padding so each event averages the reference sizes.
//
// Events come out deterministic for a seed, so two systems fed the same preload read the same
// bytes and their outputs can be compared. It imports no streamsql package: bench/load writes
// its events into a log.
package nexmark
