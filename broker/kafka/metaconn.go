package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/segmentio/kafka-go/protocol"
	"github.com/segmentio/kafka-go/protocol/apiversions"
	meta "github.com/segmentio/kafka-go/protocol/metadata"

	"github.com/streamsql/streamsql/broker"
)

// metaConn is one connection to a bootstrap broker used for Metadata requests only.
//
// It exists because kafka-go's Transport answers Metadata requests from its routing cache,
// which it refreshes on a timer: right after a topic is created or deleted by anyone (including
// us) the cache can be seconds out of date. Metadata is small and infrequent here (it is cached
// per topic by Cluster), so one serialized connection is enough.
type metaConn struct {
	addrs    []string
	clientID string
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	timeout  time.Duration // bounds an exchange when the caller's context has no deadline

	// sem serializes exchanges on the connection; a channel rather than a mutex so that a
	// caller whose context ends while waiting gives up.
	sem    chan struct{}
	next   int // index into addrs of the next broker to dial
	pc     *protocol.Conn
	closed bool
}

func newMetaConn(addrs []string, clientID string, dialTimeout, timeout time.Duration) *metaConn {
	d := &net.Dialer{Timeout: dialTimeout}
	return &metaConn{
		addrs:    addrs,
		clientID: clientID,
		dial:     d.DialContext,
		timeout:  timeout,
		sem:      make(chan struct{}, 1),
	}
}

// metadata asks the cluster for topics (nil: all topics). Auto-creation is never requested,
// so asking about a missing topic cannot create it.
func (m *metaConn) metadata(ctx context.Context, topics []string) (*meta.Response, error) {
	res, err := m.roundTrip(ctx, &meta.Request{TopicNames: topics})
	if err != nil {
		return nil, err
	}
	return res.(*meta.Response), nil
}

func (m *metaConn) roundTrip(ctx context.Context, req protocol.Message) (protocol.Message, error) {
	select {
	case m.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-m.sem }()
	if m.closed {
		return nil, broker.ErrClosed
	}

	deadline := time.Now().Add(m.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if m.pc == nil {
		if err := m.connect(ctx, deadline); err != nil {
			return nil, err
		}
	}
	pc := m.pc
	_ = pc.SetDeadline(deadline)
	// A cancelled context interrupts the exchange by expiring the connection's deadline.
	stop := context.AfterFunc(ctx, func() { _ = pc.SetDeadline(time.Unix(1, 0)) })
	res, err := pc.RoundTrip(req)
	if !stop() || err != nil {
		// Either the exchange failed mid-way or the interrupt fired (and may still be about to
		// touch the deadline): the connection's state is unknown, start over next time.
		_ = pc.Close()
		m.pc = nil
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("kafka: metadata request to %s: %w", pc.RemoteAddr(), err)
		}
	} else {
		_ = pc.SetDeadline(time.Time{})
	}
	return res, nil
}

// connect dials the bootstrap brokers in turn, starting after the last one that worked, and
// negotiates API versions the way kafka-go's Transport does.
func (m *metaConn) connect(ctx context.Context, deadline time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var errs []error
	for i := 0; i < len(m.addrs); i++ {
		addr := m.addrs[(m.next+i)%len(m.addrs)]
		pc, err := m.handshake(ctx, addr, deadline)
		if err == nil {
			m.next = (m.next + i) % len(m.addrs)
			m.pc = pc
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	m.next = (m.next + 1) % len(m.addrs)
	return fmt.Errorf("kafka: cannot reach any of %v: %w", m.addrs, errors.Join(errs...))
}

func (m *metaConn) handshake(ctx context.Context, addr string, deadline time.Time) (*protocol.Conn, error) {
	nc, err := m.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	pc := protocol.NewConn(nc, m.clientID)
	_ = pc.SetDeadline(deadline)
	r, err := pc.RoundTrip(new(apiversions.Request))
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("api versions from %s: %w", addr, err)
	}
	res := r.(*apiversions.Response)
	if res.ErrorCode != 0 {
		_ = pc.Close()
		return nil, fmt.Errorf("api versions from %s: %w", addr, kafkaError(res.ErrorCode))
	}
	versions := make(map[protocol.ApiKey]int16, len(res.ApiKeys))
	for _, k := range res.ApiKeys {
		key := protocol.ApiKey(k.ApiKey)
		versions[key] = key.SelectVersion(k.MinVersion, k.MaxVersion)
	}
	pc.SetVersions(versions)
	return pc, nil
}

func (m *metaConn) close() {
	m.sem <- struct{}{}
	defer func() { <-m.sem }()
	m.closed = true
	if m.pc != nil {
		_ = m.pc.Close()
		m.pc = nil
	}
}
