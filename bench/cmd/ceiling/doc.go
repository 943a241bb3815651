// Command ceiling runs the raw kafka-go pipe of package ceiling as its own process, so that
// the harness measures its CPU and memory from /proc the same way as streamsql's and the
// peer's. It prints READY once connected and stops on SIGTERM/SIGINT.
//
//	ceiling --brokers 127.0.0.1:39092 --query q0 --in nexmark-bid --out out-q0
package main
