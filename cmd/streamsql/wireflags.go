package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"

	"github.com/streamsql/streamsql/wire"
)

// wireFlags are the Postgres endpoint's authentication, TLS and limit flags.
type wireFlags struct {
	auth, usersFile    string
	tlsCert, tlsKey    string
	tlsRequired        bool
	maxMessageSize     int
	maxConnectionsFlag *int
}

func addWireFlags(fs *flag.FlagSet, maxConns *int) *wireFlags {
	w := &wireFlags{maxConnectionsFlag: maxConns}
	fs.StringVar(&w.auth, "auth", "", "client authentication: trust, password, md5 or scram-sha-256 (default scram-sha-256 with --users-file, else trust)")
	fs.StringVar(&w.usersFile, "users-file", "", "file of user:password lines that --auth checks")
	fs.StringVar(&w.tlsCert, "tls-cert", "", "PEM certificate (chain) for TLS on the Postgres endpoint; needs --tls-key")
	fs.StringVar(&w.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.BoolVar(&w.tlsRequired, "tls-required", false, "refuse clients that do not use TLS (needs --tls-cert)")
	fs.IntVar(&w.maxMessageSize, "max-message-size", 16<<20, "largest client message in bytes; a larger one closes the connection with 08P01")
	return w
}

// config builds the wire server's configuration from the flags.
func (w *wireFlags) config(logger *slog.Logger) (wire.Config, error) {
	cfg := wire.Config{MaxConnections: *w.maxConnectionsFlag, MaxMessageSize: w.maxMessageSize, Logger: logger, Auth: w.auth}
	if w.usersFile != "" {
		users, err := wire.ReadUsersFile(w.usersFile)
		if err != nil {
			return cfg, fmt.Errorf("--users-file: %w", err)
		}
		cfg.Users = users
		if cfg.Auth == "" {
			cfg.Auth = wire.AuthSCRAM
		}
	}
	switch cfg.Auth {
	case "", wire.AuthTrust:
	case wire.AuthPassword, wire.AuthMD5, wire.AuthSCRAM:
		if w.usersFile == "" {
			return cfg, fmt.Errorf("--auth %s needs --users-file", cfg.Auth)
		}
	default:
		return cfg, fmt.Errorf("--auth: %q is not trust, password, md5 or scram-sha-256", cfg.Auth)
	}
	if (w.tlsCert == "") != (w.tlsKey == "") {
		return cfg, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if w.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(w.tlsCert, w.tlsKey)
		if err != nil {
			return cfg, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if w.tlsRequired {
		if cfg.TLS == nil {
			return cfg, fmt.Errorf("--tls-required needs --tls-cert and --tls-key")
		}
		cfg.TLSRequired = true
	}
	return cfg, nil
}
