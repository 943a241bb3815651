package kafka

import (
	"context"
	"fmt"
	"sort"

	kgo "github.com/segmentio/kafka-go"

	"github.com/streamsql/streamsql/broker"
)

// Offsets lists the earliest and latest offsets of every partition of topic with ListOffsets.
func (c *Cluster) Offsets(ctx context.Context, topic string) ([]broker.PartitionOffsets, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	n, err := c.partitionCount(ctx, topic)
	if err != nil {
		return nil, c.closedErr(wrap(err, "offsets of topic %s", topic))
	}
	out := make([]broker.PartitionOffsets, n)
	// kafka-go sends one request per partition and offset kind, each on its own connection;
	// asking for a few partitions at a time bounds the connections a wide topic opens.
	const perCall = maxParallelPartitions / 2
	for first := 0; first < int(n); first += perCall {
		last := min(first+perCall, int(n))
		reqs := make([]kgo.OffsetRequest, 0, 2*(last-first))
		for p := first; p < last; p++ {
			reqs = append(reqs, kgo.FirstOffsetOf(p), kgo.LastOffsetOf(p))
		}
		err = c.retry(ctx, topic, -1, c.opts.RequestTimeout, func(cl *kgo.Client) error {
			res, err := cl.ListOffsets(ctx, &kgo.ListOffsetsRequest{Topics: map[string][]kgo.OffsetRequest{topic: reqs}})
			if err != nil {
				return err
			}
			got := res.Topics[topic]
			if len(got) != last-first {
				return fmt.Errorf("kafka: ListOffsets answered for %d of %d partitions", len(got), last-first)
			}
			for _, po := range got {
				if po.Error != nil {
					return fmt.Errorf("partition %d: %w", po.Partition, po.Error)
				}
				if po.Partition < first || po.Partition >= last {
					return fmt.Errorf("kafka: ListOffsets answered for partition %d, not asked for", po.Partition)
				}
				out[po.Partition] = broker.PartitionOffsets{Earliest: po.FirstOffset, Latest: po.LastOffset}
			}
			return nil
		})
		if err != nil {
			break
		}
	}
	if err != nil {
		return nil, c.closedErr(wrap(err, "offsets of topic %s", topic))
	}
	return out, nil
}

// CommitOffsets stores offsets for group with OffsetCommit as a "simple" group: generation -1
// and no member id, which Kafka accepts for a group that has no active members. A group that
// also has kafka-go or Java consumers as members refuses such commits (ILLEGAL_GENERATION or
// UNKNOWN_MEMBER_ID). One request per topic, in topic order.
func (c *Cluster) CommitOffsets(ctx context.Context, group string, offsets map[broker.TopicPartition]int64) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	byTopic := make(map[string][]kgo.OffsetCommit)
	for tp, off := range offsets {
		// Kafka answers UNKNOWN_TOPIC_OR_PARTITION for a partition beyond the count, which
		// would otherwise look like stale routing and be retried.
		if err := c.checkPartition(ctx, tp.Topic, tp.Partition); err != nil {
			return c.closedErr(wrap(err, "commit offsets of group %s", group))
		}
		byTopic[tp.Topic] = append(byTopic[tp.Topic], kgo.OffsetCommit{Partition: int(tp.Partition), Offset: off})
	}
	topics := make([]string, 0, len(byTopic))
	for t := range byTopic {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	for _, topic := range topics {
		commits := byTopic[topic]
		err := c.retry(ctx, topic, -1, c.opts.RequestTimeout, func(cl *kgo.Client) error {
			res, err := cl.OffsetCommit(ctx, &kgo.OffsetCommitRequest{
				GroupID:      group,
				GenerationID: -1,
				Topics:       map[string][]kgo.OffsetCommit{topic: commits},
			})
			if err != nil {
				return err
			}
			for _, p := range res.Topics[topic] {
				if p.Error != nil {
					return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
				}
			}
			return nil
		})
		if err != nil {
			return c.closedErr(wrap(err, "commit offsets of group %s for topic %s", group, topic))
		}
	}
	return nil
}

// FetchOffsets reads group's committed offsets for every partition of topic with OffsetFetch.
// Kafka answers -1 for a partition without a commit; those are left out.
func (c *Cluster) FetchOffsets(ctx context.Context, group string, topic string) (map[int32]int64, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	n, err := c.partitionCount(ctx, topic)
	if err != nil {
		return nil, c.closedErr(wrap(err, "offsets of group %s for topic %s", group, topic))
	}
	parts := make([]int, n)
	for p := range parts {
		parts[p] = p
	}
	var out map[int32]int64
	err = c.retry(ctx, topic, -1, c.opts.RequestTimeout, func(cl *kgo.Client) error {
		out = make(map[int32]int64)
		res, err := cl.OffsetFetch(ctx, &kgo.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
		if err != nil {
			return err
		}
		if res.Error != nil {
			if code, _ := kafkaCode(res.Error); code == kgo.GroupIdNotFound {
				return nil // no group, no commits
			}
			return res.Error
		}
		for _, p := range res.Topics[topic] {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
			}
			if p.CommittedOffset >= 0 {
				out[int32(p.Partition)] = p.CommittedOffset
			}
		}
		return nil
	})
	if err != nil {
		return nil, c.closedErr(wrap(err, "offsets of group %s for topic %s", group, topic))
	}
	return out, nil
}
