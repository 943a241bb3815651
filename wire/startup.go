package wire

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/pgcatalog"
	"github.com/streamsql/streamsql/types"
)

// reportedAtStartup are the settings a client is told about after authentication (and again,
// with ParameterStatus, whenever they change).
var reportedAtStartup = []string{
	"application_name", "client_encoding", "DateStyle", "default_transaction_read_only", "integer_datetimes",
	"IntervalStyle", "is_superuser", "server_encoding", "server_version", "session_authorization",
	"standard_conforming_strings", "TimeZone",
}

// startup runs the connection's first exchange: SSL/GSS negotiation (refused: no TLS yet), a
// cancel request, or the StartupMessage that opens a session. It reports whether a session
// is ready for queries.
func (c *conn) startup() bool {
	_ = c.nc.SetDeadline(time.Now().Add(startupTimeout))
	for negotiations := 0; ; negotiations++ {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			if !isDisconnect(err) {
				c.fatalClose(codeProtocolViolation, "invalid startup packet: "+err.Error())
			}
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			// A client may ask for SSL and then GSS encryption (libpq's gssencmode=prefer);
			// more than that is not a client we know.
			if negotiations >= 2 {
				c.fatalClose(codeProtocolViolation, "too many encryption requests")
				return false
			}
			if _, isSSL := m.(*pgproto3.SSLRequest); isSSL && c.srv.cfg.TLS != nil && !c.tls {
				if !c.startTLS() {
					return false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false
			}
		case *pgproto3.CancelRequest:
			c.srv.cancelRequest(m.ProcessID, m.SecretKey)
			return false
		case *pgproto3.StartupMessage:
			if c.srv.cfg.TLS != nil && c.srv.cfg.TLSRequired && !c.tls {
				c.fatalClose(codeInvalidAuthorization, "this server requires SSL: connect with sslmode=require")
				return false
			}
			return c.open(m)
		default:
			c.fatalClose(codeProtocolViolation, "unexpected startup message")
			return false
		}
	}
}

// startTLS answers an SSLRequest with 'S' and runs the TLS handshake; the connection then
// speaks the protocol over TLS.
func (c *conn) startTLS() bool {
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return false
	}
	tc := tls.Server(c.nc, c.srv.cfg.TLS)
	if err := tc.Handshake(); err != nil {
		c.log.Debug("wire: TLS handshake failed", "err", err)
		return false
	}
	c.nc, c.tls = tc, true
	c.be = pgproto3.NewBackend(tc, tc)
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageSize)
	return true
}

// open authenticates the user (Config.Auth), admits the session, creates it on the backend and
// tells the client about the server.
func (c *conn) open(m *pgproto3.StartupMessage) bool {
	params := make(map[string]string, len(m.Parameters))
	var unknownOptions []string
	for k, v := range m.Parameters {
		// _pq_.* are protocol extensions; we support none and must say so.
		if strings.HasPrefix(k, "_pq_.") {
			unknownOptions = append(unknownOptions, k)
			continue
		}
		params[k] = v
	}
	user := params["user"]
	if user == "" {
		c.fatalClose(codeInvalidAuthorization, "no PostgreSQL user name specified in startup packet")
		return false
	}
	if params["database"] == "" {
		params["database"] = user
	}

	// Protocol 3.2 differs from 3.0 only in allowing a longer cancel key, which we use.
	keyLen := 4
	if m.ProtocolVersion == pgproto3.ProtocolVersion32 {
		keyLen = 32
	}
	c.secret = make([]byte, keyLen)
	_, _ = rand.Read(c.secret)
	if !c.authenticate(user) {
		return false
	}
	if !c.srv.register(c) {
		c.fatalClose(codeTooManyConnections, "sorry, too many clients already")
		return false
	}
	sess, err := c.srv.backend.NewSession(c.ctx, params)
	if err != nil {
		var te *types.Error
		code, msg := types.CodeInternal, err.Error()
		if errors.As(err, &te) {
			code, msg = te.Code, te.Message
		}
		c.fatalClose(code, msg)
		return false
	}
	c.sess = sess
	c.user, c.database = user, params["database"]
	c.settings = pgcatalog.NewSettings(params, c.srv.cfg.ServerVersion)

	if len(unknownOptions) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: m.ProtocolVersion & 0xffff, UnrecognizedOptions: unknownOptions})
	}
	c.send(&pgproto3.AuthenticationOk{})
	for _, name := range reportedAtStartup {
		v, _ := c.settings.Get(name)
		c.send(&pgproto3.ParameterStatus{Name: name, Value: v})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	if !c.ready() {
		return false
	}
	_ = c.nc.SetDeadline(time.Time{})
	c.started.Store(true)
	c.log.Debug("wire: session started", "pid", c.pid, "user", user, "database", params["database"], "application_name", params["application_name"])
	return true
}
