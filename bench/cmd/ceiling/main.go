package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/streamsql/streamsql/bench/ceiling"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka bootstrap brokers, comma-separated")
	query := flag.String("query", "q0", "q0, q2 or alert")
	in := flag.String("in", "", "input topic")
	out := flag.String("out", "", "output topic (must exist)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := ceiling.Run(ctx, ceiling.Config{
		Brokers: strings.Split(*brokers, ","), Query: *query, In: *in, Out: *out,
		Ready: func() { fmt.Println("READY") },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}
