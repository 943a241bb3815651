package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	kgo "github.com/segmentio/kafka-go"
	meta "github.com/segmentio/kafka-go/protocol/metadata"

	"github.com/streamsql/streamsql/broker"
)

// The topic configs streamsql sets and reports.
const (
	cfgCleanupPolicy  = "cleanup.policy"
	cfgRetentionMs    = "retention.ms"
	cfgRetentionBytes = "retention.bytes"
)

var describedConfigs = []string{cfgCleanupPolicy, cfgRetentionMs, cfgRetentionBytes}

// topicConfigEntries maps a TopicConfig onto Kafka topic configs. Zero retention fields are
// left to the broker's defaults; cleanup.policy is always set so that a broker whose
// log.cleanup.policy was changed still gives the documented default.
func topicConfigEntries(cfg broker.TopicConfig) ([]kgo.ConfigEntry, error) {
	cleanup := cfg.Cleanup
	if cleanup == "" {
		cleanup = broker.CleanupDelete
	}
	switch cleanup {
	case broker.CleanupDelete, broker.CleanupCompact, broker.CleanupCompactDelete:
	default:
		return nil, fmt.Errorf("%w: cleanup policy %q (want %q, %q or %q)", broker.ErrInvalidConfig,
			cleanup, broker.CleanupDelete, broker.CleanupCompact, broker.CleanupCompactDelete)
	}
	entries := []kgo.ConfigEntry{{ConfigName: cfgCleanupPolicy, ConfigValue: string(cleanup)}}
	switch {
	case cfg.Retention < 0:
		entries = append(entries, kgo.ConfigEntry{ConfigName: cfgRetentionMs, ConfigValue: "-1"})
	case cfg.Retention > 0:
		// Round up: a positive retention must not become 0 ms.
		ms := (cfg.Retention + time.Millisecond - 1) / time.Millisecond
		entries = append(entries, kgo.ConfigEntry{ConfigName: cfgRetentionMs, ConfigValue: strconv.FormatInt(int64(ms), 10)})
	}
	if cfg.RetentionBytes > 0 {
		entries = append(entries, kgo.ConfigEntry{ConfigName: cfgRetentionBytes, ConfigValue: strconv.FormatInt(cfg.RetentionBytes, 10)})
	}
	return entries, nil
}

// applyConfig fills cfg from Kafka's config entries. retention.ms -1 (forever) becomes a
// negative Retention; retention.bytes -1 (unlimited) becomes 0.
func applyConfig(cfg *broker.TopicConfig, entries []kgo.DescribeConfigResponseConfigEntry) error {
	for _, e := range entries {
		switch e.ConfigName {
		case cfgCleanupPolicy:
			cfg.Cleanup = parseCleanup(e.ConfigValue)
		case cfgRetentionMs:
			ms, err := strconv.ParseInt(e.ConfigValue, 10, 64)
			if err != nil {
				return fmt.Errorf("kafka: %s=%q: %w", e.ConfigName, e.ConfigValue, err)
			}
			if ms < 0 {
				cfg.Retention = -time.Millisecond
			} else {
				cfg.Retention = time.Duration(ms) * time.Millisecond
			}
		case cfgRetentionBytes:
			n, err := strconv.ParseInt(e.ConfigValue, 10, 64)
			if err != nil {
				return fmt.Errorf("kafka: %s=%q: %w", e.ConfigName, e.ConfigValue, err)
			}
			cfg.RetentionBytes = max(n, 0)
		}
	}
	return nil
}

// parseCleanup normalizes Kafka's list form ("delete,compact" and "compact,delete" are the
// same policy). A value streamsql has no name for is passed through unchanged.
func parseCleanup(v string) broker.CleanupPolicy {
	var compact, del, other bool
	for _, p := range strings.Split(v, ",") {
		switch strings.TrimSpace(p) {
		case "compact":
			compact = true
		case "delete":
			del = true
		case "":
		default:
			other = true
		}
	}
	switch {
	case other:
		return broker.CleanupPolicy(v)
	case compact && del:
		return broker.CleanupCompactDelete
	case compact:
		return broker.CleanupCompact
	case del:
		return broker.CleanupDelete
	}
	return broker.CleanupPolicy(v)
}

// CreateTopic creates name and waits (at most Options.TopicWait) until the cluster's metadata
// shows every partition with a leader, so that the next Produce or Fetch finds it.
func (c *Cluster) CreateTopic(ctx context.Context, name string, cfg broker.TopicConfig) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if cfg.Partitions < 1 {
		return fmt.Errorf("%w: topic %s: %d partitions (want at least 1)", broker.ErrInvalidConfig, name, cfg.Partitions)
	}
	entries, err := topicConfigEntries(cfg)
	if err != nil {
		return fmt.Errorf("kafka: create topic %s: %w", name, err)
	}
	req := &kgo.CreateTopicsRequest{Topics: []kgo.TopicConfig{{
		Topic:             name,
		NumPartitions:     int(cfg.Partitions),
		ReplicationFactor: int(c.opts.ReplicationFactor),
		ConfigEntries:     entries,
	}}}
	res, err := c.client(c.route.Load(), c.opts.RequestTimeout).CreateTopics(ctx, req)
	if err != nil {
		return c.closedErr(wrap(err, "create topic %s", name))
	}
	if err := res.Errors[name]; err != nil {
		if code, _ := kafkaCode(err); code == kgo.InvalidTopic {
			// An illegal name: for a create that is bad configuration, not a missing topic.
			return fmt.Errorf("kafka: create topic %s: %w: %w", name, broker.ErrInvalidConfig, err)
		}
		return wrap(err, "create topic %s", name)
	}
	if err := c.awaitTopic(ctx, name, func(t *meta.ResponseTopic) bool {
		if t == nil || len(t.Partitions) != int(cfg.Partitions) {
			return false
		}
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 || p.LeaderID < 0 {
				return false
			}
		}
		return true
	}); err != nil {
		return c.closedErr(fmt.Errorf("kafka: topic %s was created but is not ready: %w", name, err))
	}
	c.mu.Lock()
	c.topics[name] = topicMeta{partitions: cfg.Partitions, fetched: time.Now()}
	c.mu.Unlock()
	return nil
}

// DeleteTopic deletes name and waits (at most Options.TopicWait) until the cluster's metadata
// no longer lists it.
func (c *Cluster) DeleteTopic(ctx context.Context, name string) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	c.forget(name)
	res, err := c.client(c.route.Load(), c.opts.RequestTimeout).DeleteTopics(ctx, &kgo.DeleteTopicsRequest{Topics: []string{name}})
	if err != nil {
		return c.closedErr(wrap(err, "delete topic %s", name))
	}
	if err := res.Errors[name]; err != nil {
		return wrap(err, "delete topic %s", name)
	}
	if err := c.awaitTopic(ctx, name, func(t *meta.ResponseTopic) bool { return t == nil }); err != nil {
		return c.closedErr(fmt.Errorf("kafka: topic %s was deleted but still listed: %w", name, err))
	}
	c.forget(name)
	return nil
}

// awaitTopic polls the cluster's metadata until ready accepts name's entry (nil when the topic
// does not exist).
func (c *Cluster) awaitTopic(ctx context.Context, name string, ready func(*meta.ResponseTopic) bool) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.TopicWait)
	defer cancel()
	backoff := 10 * time.Millisecond
	for {
		res, err := c.meta.metadata(ctx, []string{name})
		if err == nil {
			t, terr := findTopic(res, name)
			switch {
			case errors.Is(terr, broker.ErrUnknownTopic):
				t = nil
			case terr != nil:
				return terr
			}
			if ready(t) {
				return nil
			}
		} else if ctx.Err() == nil && classify(err) == permanent {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			if err == nil {
				err = ctx.Err()
			}
			return err
		case <-t.C:
		}
		backoff = min(backoff*2, 250*time.Millisecond)
	}
}

// DescribeTopic reports name's partition count (from metadata) and its cleanup and retention
// configs (from DescribeConfigs).
func (c *Cluster) DescribeTopic(ctx context.Context, name string) (broker.TopicInfo, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return broker.TopicInfo{}, err
	}
	defer done()
	res, err := c.meta.metadata(ctx, []string{name})
	if err != nil {
		return broker.TopicInfo{}, c.closedErr(err)
	}
	t, err := findTopic(res, name)
	if err != nil {
		c.forget(name)
		return broker.TopicInfo{}, err
	}
	infos, err := c.describe(ctx, []*meta.ResponseTopic{t})
	if err != nil {
		return broker.TopicInfo{}, c.closedErr(err)
	}
	return infos[0], nil
}

// ListTopics lists the cluster's topics, internal ones (__consumer_offsets,
// __transaction_state, ...) excluded, sorted by name.
func (c *Cluster) ListTopics(ctx context.Context) ([]broker.TopicInfo, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	res, err := c.meta.metadata(ctx, nil)
	if err != nil {
		return nil, c.closedErr(err)
	}
	var topics []*meta.ResponseTopic
	for i := range res.Topics {
		t := &res.Topics[i]
		if t.IsInternal || kgo.Error(t.ErrorCode) == kgo.UnknownTopicOrPartition {
			continue
		}
		topics = append(topics, t)
	}
	sort.Slice(topics, func(i, j int) bool { return topics[i].Name < topics[j].Name })
	if len(topics) == 0 {
		return []broker.TopicInfo{}, nil
	}
	infos, err := c.describe(ctx, topics)
	if err != nil {
		return nil, c.closedErr(err)
	}
	return infos, nil
}

// describe builds TopicInfos for topics (in order) with one DescribeConfigs request. A topic
// deleted between the metadata and the configs request is reported as unknown.
func (c *Cluster) describe(ctx context.Context, topics []*meta.ResponseTopic) ([]broker.TopicInfo, error) {
	req := &kgo.DescribeConfigsRequest{Resources: make([]kgo.DescribeConfigRequestResource, len(topics))}
	for i, t := range topics {
		req.Resources[i] = kgo.DescribeConfigRequestResource{
			ResourceType: kgo.ResourceTypeTopic,
			ResourceName: t.Name,
			ConfigNames:  describedConfigs,
		}
	}
	var res *kgo.DescribeConfigsResponse
	err := c.retry(ctx, "", -1, c.opts.RequestTimeout, func(cl *kgo.Client) error {
		var err error
		res, err = cl.DescribeConfigs(ctx, req)
		return err
	})
	if err != nil {
		return nil, wrap(err, "describe configs")
	}
	byName := make(map[string]*kgo.DescribeConfigResponseResource, len(res.Resources))
	for i := range res.Resources {
		byName[res.Resources[i].ResourceName] = &res.Resources[i]
	}
	infos := make([]broker.TopicInfo, len(topics))
	for i, t := range topics {
		info := broker.TopicInfo{Name: t.Name, Config: broker.TopicConfig{Partitions: int32(len(t.Partitions))}}
		r := byName[t.Name]
		if r == nil {
			return nil, fmt.Errorf("kafka: describe configs of topic %s: no answer for it", t.Name)
		}
		if r.Error != nil {
			return nil, wrap(r.Error, "describe configs of topic %s", t.Name)
		}
		if err := applyConfig(&info.Config, r.ConfigEntries); err != nil {
			return nil, fmt.Errorf("topic %s: %w", t.Name, err)
		}
		infos[i] = info
	}
	return infos, nil
}
