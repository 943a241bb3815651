package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	kgo "github.com/segmentio/kafka-go"
	meta "github.com/segmentio/kafka-go/protocol/metadata"

	"github.com/streamsql/streamsql/broker"
)

// Options tune a Cluster. The zero value is usable: every zero field takes the default named
// in its comment.
type Options struct {
	// ClientID is sent with every request (broker logs and quotas use it). Default "streamsql".
	ClientID string
	// ReplicationFactor of the topics CreateTopic makes. Default 1 (a single-node cluster);
	// -1 asks for the broker's default.replication.factor.
	ReplicationFactor int16
	// DialTimeout bounds connecting to a broker. Default 5 s.
	DialTimeout time.Duration
	// RequestTimeout bounds one request when the caller's context allows longer (or has no
	// deadline); a Fetch may additionally wait its MaxWait. Default 30 s.
	RequestTimeout time.Duration
	// RetryTimeout bounds how long one call keeps retrying transient failures (a leader
	// moving, a coordinator loading, a lost connection). Default 15 s.
	RetryTimeout time.Duration
	// TopicWait bounds how long CreateTopic and DeleteTopic wait for the cluster's metadata to
	// show the change. Default 30 s.
	TopicWait time.Duration
	// MetadataMaxAge is how long a topic's partition count is trusted before it is asked for
	// again (it is also refreshed whenever a request suggests it changed). Default 1 min.
	MetadataMaxAge time.Duration
	// MaxBatchBytes is the largest record batch Produce sends in one request, estimated from
	// the records' sizes. Kafka checks message.max.bytes (default 1 MiB) against a whole
	// batch, not a record, so bigger Produce calls are split. Default 1,000,000.
	MaxBatchBytes int
	// Compression of produced batches. Default none.
	Compression kgo.Compression
}

func (o Options) withDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = "streamsql"
	}
	if o.ReplicationFactor == 0 {
		o.ReplicationFactor = 1
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.RetryTimeout <= 0 {
		o.RetryTimeout = 15 * time.Second
	}
	if o.TopicWait <= 0 {
		o.TopicWait = 30 * time.Second
	}
	if o.MetadataMaxAge <= 0 {
		o.MetadataMaxAge = time.Minute
	}
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = 1_000_000
	}
	return o
}

// Cluster is a broker.Broker backed by a Kafka cluster. It is safe for concurrent use.
type Cluster struct {
	opts  Options
	addr  net.Addr
	meta  *metaConn
	ctx   context.Context // cancelled by Close: ends in-flight calls and kafka-go's goroutines
	stop  context.CancelFunc
	dead  atomic.Bool
	rr    atomic.Uint32 // round-robin position for null-key records
	route atomic.Pointer[route]

	routeMu sync.Mutex // serializes replacing route

	mu     sync.RWMutex
	topics map[string]topicMeta

	ahead readAhead
}

var _ broker.Broker = (*Cluster)(nil)

// route is one kafka-go Transport: its connection pools and its cached cluster layout.
type route struct {
	tr   *kgo.Transport
	born time.Time
}

// topicMeta is what Cluster caches about a topic.
type topicMeta struct {
	partitions int32
	fetched    time.Time
}

// Open connects to the cluster reachable through brokers (host:port bootstrap addresses) and
// checks that it answers. ctx bounds the check only.
func Open(ctx context.Context, brokers []string, opts Options) (*Cluster, error) {
	if len(brokers) == 0 {
		return nil, errors.New("kafka: no bootstrap brokers given")
	}
	opts = opts.withDefaults()
	bctx, stop := context.WithCancel(context.Background())
	c := &Cluster{
		opts:   opts,
		addr:   kgo.TCP(brokers...),
		meta:   newMetaConn(append([]string(nil), brokers...), opts.ClientID, opts.DialTimeout, opts.RequestTimeout),
		ctx:    bctx,
		stop:   stop,
		topics: make(map[string]topicMeta),
	}
	c.route.Store(c.newRoute())
	if _, err := c.meta.metadata(ctx, []string{}); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) newRoute() *route {
	return &route{
		tr: &kgo.Transport{
			Dial:        (&net.Dialer{Timeout: c.opts.DialTimeout}).DialContext,
			DialTimeout: c.opts.DialTimeout,
			ClientID:    c.opts.ClientID,
			Context:     c.ctx,
		},
		born: time.Now(),
	}
}

// client returns a kafka-go Client over the current route. timeout is kafka-go's
// Client.Timeout: it bounds the request and, halved, becomes the timeout Kafka is given for
// produce acks and admin operations. Fetch uses 0 and bounds itself (see Fetch).
func (c *Cluster) client(r *route, timeout time.Duration) *kgo.Client {
	return &kgo.Client{Addr: c.addr, Transport: r.tr, Timeout: timeout}
}

// refreshRoutes replaces the Transport seen by a failed request with a new one, whose first
// request loads a fresh cluster layout. kafka-go offers no other way to refresh the layout
// before its timer does. Concurrent callers that saw the same route replace it once; a route
// younger than minRouteAge is kept so that a burst of failures does not churn connections.
func (c *Cluster) refreshRoutes(seen *route) {
	const minRouteAge = 200 * time.Millisecond
	c.routeMu.Lock()
	defer c.routeMu.Unlock()
	cur := c.route.Load()
	if cur != seen || time.Since(cur.born) < minRouteAge || c.dead.Load() {
		return
	}
	c.route.Store(c.newRoute())
	// In-flight requests keep their connections until they finish; idle ones close now.
	cur.tr.CloseIdleConnections()
}

// Close releases the Cluster's connections. Calls in flight end with broker.ErrClosed or
// their context's error; later calls return broker.ErrClosed.
func (c *Cluster) Close() error {
	if c.dead.Swap(true) {
		return nil
	}
	c.stop()
	c.meta.close()
	c.ahead.mu.Lock()
	c.ahead.m = nil // read-ahead holds response buffers
	c.ahead.mu.Unlock()
	c.routeMu.Lock()
	c.route.Load().tr.CloseIdleConnections()
	c.routeMu.Unlock()
	return nil
}

// begin starts a call: it fails once the Cluster is closed and otherwise returns a context
// that Close also cancels.
func (c *Cluster) begin(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if c.dead.Load() {
		return nil, nil, broker.ErrClosed
	}
	cctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(c.ctx, cancel)
	return cctx, func() { unhook(); cancel() }, nil
}

// closedErr turns the cancellation Close causes into broker.ErrClosed.
func (c *Cluster) closedErr(err error) error {
	if err != nil && c.dead.Load() && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w (%v)", broker.ErrClosed, err)
	}
	return err
}

// partitionCount is topic's partition count, from the cache when it is fresh enough.
func (c *Cluster) partitionCount(ctx context.Context, topic string) (int32, error) {
	c.mu.RLock()
	tm, ok := c.topics[topic]
	c.mu.RUnlock()
	if ok && time.Since(tm.fetched) < c.opts.MetadataMaxAge {
		return tm.partitions, nil
	}
	return c.refreshTopic(ctx, topic)
}

// refreshTopic asks the cluster for topic's partition count and caches it; it returns
// broker.ErrUnknownTopic (and forgets the topic) when the cluster does not know it.
func (c *Cluster) refreshTopic(ctx context.Context, topic string) (int32, error) {
	res, err := c.meta.metadata(ctx, []string{topic})
	if err != nil {
		return 0, err
	}
	t, err := findTopic(res, topic)
	if err != nil {
		c.forget(topic)
		return 0, err
	}
	n := int32(len(t.Partitions))
	c.mu.Lock()
	c.topics[topic] = topicMeta{partitions: n, fetched: time.Now()}
	c.mu.Unlock()
	return n, nil
}

// forget drops what is cached about topic.
func (c *Cluster) forget(topic string) {
	c.mu.Lock()
	delete(c.topics, topic)
	c.mu.Unlock()
	c.ahead.dropTopic(topic)
}

// findTopic picks topic out of a metadata response; broker.ErrUnknownTopic when absent.
func findTopic(res *meta.Response, topic string) (*meta.ResponseTopic, error) {
	for i := range res.Topics {
		t := &res.Topics[i]
		if t.Name != topic {
			continue
		}
		switch code := kgo.Error(t.ErrorCode); code {
		case 0, kgo.LeaderNotAvailable:
			// LEADER_NOT_AVAILABLE: the topic exists, a partition is electing a leader.
			return t, nil
		case kgo.UnknownTopicOrPartition, kgo.InvalidTopic:
			return nil, fmt.Errorf("%w: %s", broker.ErrUnknownTopic, topic)
		default:
			return nil, fmt.Errorf("kafka: metadata of topic %s: %w", topic, code)
		}
	}
	return nil, fmt.Errorf("%w: %s", broker.ErrUnknownTopic, topic)
}

// retry runs op until it succeeds, fails for good, or Options.RetryTimeout passes. op gets a
// client over the current route. partition < 0 means the request is about the whole topic.
//
// On a stale failure the topic is looked up afresh: a topic that is gone ends the call with
// broker.ErrUnknownTopic, a partition beyond the count with broker.ErrInvalidPartition;
// otherwise kafka-go's layout is reloaded before the next attempt.
func (c *Cluster) retry(ctx context.Context, topic string, partition int32, timeout time.Duration, op func(*kgo.Client) error) error {
	give := time.Now().Add(c.opts.RetryTimeout)
	backoff := 20 * time.Millisecond
	for {
		r := c.route.Load()
		err := op(c.client(r, timeout))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return c.closedErr(ctx.Err())
		}
		kind := classify(err)
		if kind == permanent || time.Now().Add(backoff).After(give) {
			return err
		}
		if kind == stale && topic != "" {
			n, merr := c.refreshTopic(ctx, topic)
			switch {
			case errors.Is(merr, broker.ErrUnknownTopic):
				return merr
			case merr == nil && partition >= n:
				return fmt.Errorf("%w: topic %s has %d partitions, not partition %d", broker.ErrInvalidPartition, topic, n, partition)
			}
			c.refreshRoutes(r)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return c.closedErr(ctx.Err())
		case <-t.C:
		}
		if backoff *= 2; backoff > time.Second {
			backoff = time.Second
		}
	}
}

// checkPartition validates partition against topic's partition count, asking the cluster
// again before refusing (partitions may have been added since the count was cached).
func (c *Cluster) checkPartition(ctx context.Context, topic string, partition int32) error {
	n, err := c.partitionCount(ctx, topic)
	if err != nil {
		return err
	}
	if partition >= 0 && partition < n {
		return nil
	}
	if partition >= n {
		if n, err = c.refreshTopic(ctx, topic); err != nil {
			return err
		}
		if partition < n {
			return nil
		}
	}
	return fmt.Errorf("%w: topic %s has %d partitions, not partition %d", broker.ErrInvalidPartition, topic, n, partition)
}
