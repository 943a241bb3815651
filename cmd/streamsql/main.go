package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamsql/streamsql/broker"
	"github.com/streamsql/streamsql/broker/embedded"
	"github.com/streamsql/streamsql/broker/kafka"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/wire"
)

// DefaultPGAddr is where the Postgres endpoint listens unless --pg-addr says otherwise. It is
// not 5432 so that streamsql runs beside a real Postgres.
const DefaultPGAddr = "127.0.0.1:5433"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "streamsql:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("streamsql", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./data", "directory for the embedded log and state")
	pgAddr := fs.String("pg-addr", DefaultPGAddr, "address of the Postgres wire endpoint")
	kafkaBrokers := fs.String("kafka", "", "Kafka bootstrap brokers (host:port,...); the embedded log when empty")
	queriesFile := fs.String("queries-file", "", "a .sql file or a directory of .sql files applied at start (idempotently)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	maxConns := fs.Int("max-connections", 100, "maximum concurrent client connections")
	wf := addWireFlags(fs, maxConns)
	commandTopic := fs.String("command-topic", "", "the catalog's command log topic (default _streamsql_commands); servers sharing it share a catalog and its queries")
	debugAddr := fs.String("debug-addr", os.Getenv("STREAMSQL_DEBUG_ADDR"), "address of an HTTP endpoint serving Go's /debug/pprof/ (profiles, execution traces); off when empty (STREAMSQL_DEBUG_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *debugAddr != "" {
		dln, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
		// Only the pprof handlers, on their own mux: nothing else is exposed there.
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dsrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = dsrv.Serve(dln) }()
		defer dsrv.Close()
		logger.Info("debug endpoint", "addr", dln.Addr().String(), "pprof", "http://"+dln.Addr().String()+"/debug/pprof/")
	}

	var b broker.Broker
	if *kafkaBrokers != "" {
		kb, err := kafka.Open(ctx, strings.Split(*kafkaBrokers, ","), kafka.Options{})
		if err != nil {
			return fmt.Errorf("connecting to Kafka %s: %w", *kafkaBrokers, err)
		}
		b = kb
		logger.Info("using Kafka", "brokers", *kafkaBrokers)
	} else {
		dir := filepath.Join(*dataDir, "log")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		lb, err := embedded.Open(dir, embedded.Options{})
		if err != nil {
			return fmt.Errorf("opening the embedded log in %s: %w", dir, err)
		}
		b = lb
		logger.Info("using the embedded log", "dir", dir)
	}
	defer b.Close()

	// On Kafka, operator state lives in Pebble under the data directory (mirrored to changelog
	// topics); on the embedded log it shares the log's own database.
	eng, err := engine.Open(ctx, engine.Config{Broker: b, Logger: logger, StateDir: filepath.Join(*dataDir, "state"), CommandTopic: *commandTopic})
	if err != nil {
		return err
	}
	defer eng.Close()

	if *queriesFile != "" {
		if err := eng.ApplyFiles(ctx, *queriesFile); err != nil {
			return fmt.Errorf("--queries-file %s: %w", *queriesFile, err)
		}
	}

	ln, err := net.Listen("tcp", *pgAddr)
	if err != nil {
		return fmt.Errorf("--pg-addr: %w", err)
	}
	wcfg, err := wf.config(logger)
	if err != nil {
		return err
	}
	srv := wire.New(wcfg, eng)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("streamsql ready", "pg", ln.Addr().String(), "connect", "psql -h "+hostOf(ln.Addr())+" -p "+portOf(ln.Addr()))

	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-errc:
		if err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return nil
}

func hostOf(a net.Addr) string {
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

func portOf(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}
