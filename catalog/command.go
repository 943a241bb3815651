package catalog

import (
	"encoding/json"
	"fmt"

	"github.com/streamsql/streamsql/types"
)

// Op is what a command does to the catalog.
type Op string

const (
	OpCreateSource   Op = "createSource"
	OpReplaceSource  Op = "replaceSource"
	OpDropSource     Op = "dropSource"
	OpStartQuery     Op = "startQuery"
	OpTerminateQuery Op = "terminateQuery"
	OpCreateType     Op = "createType"
	OpDropType       Op = "dropType"
	OpMarkApplied    Op = "markApplied"
)

// Command is one entry of the command log: a catalog mutation as data, so replay never has to
// re-plan (a later planner might plan differently) and a restart rebuilds exactly what ran.
type Command struct {
	Seq       int64   `json:"seq"`
	Op        Op      `json:"op"`
	Statement string  `json:"statement,omitempty"`
	Source    *Source `json:"source,omitempty"`
	Query     *Query  `json:"query,omitempty"`
	// Name is the object a drop/terminate/type command names.
	Name string      `json:"name,omitempty"`
	Type *types.Type `json:"type,omitempty"`
	// Fingerprint identifies a startup-file statement (OpMarkApplied).
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Encode serializes a command for the log.
func (cmd *Command) Encode() ([]byte, error) { return json.Marshal(cmd) }

// DecodeCommand parses one log entry.
func DecodeCommand(b []byte) (*Command, error) {
	var cmd Command
	if err := json.Unmarshal(b, &cmd); err != nil {
		return nil, fmt.Errorf("catalog: bad command log entry: %w", err)
	}
	return &cmd, nil
}

// Apply mutates the in-memory view. It checks the command against the current state, so an
// invalid command changes nothing. Commands must be applied in Seq order.
func (c *Catalog) Apply(cmd *Command) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(cmd); err != nil {
		return err
	}
	switch cmd.Op {
	case OpCreateSource, OpReplaceSource:
		s := *cmd.Source
		c.sources[s.Name] = &s
	case OpDropSource:
		delete(c.sources, cmd.Name)
	case OpStartQuery:
		q := *cmd.Query
		c.queries[q.ID] = &q
		if sink, ok := c.sources[q.Sink]; ok {
			updated := *sink
			updated.WriterQueries = append(append([]string(nil), sink.WriterQueries...), q.ID)
			c.sources[q.Sink] = &updated
		}
	case OpTerminateQuery:
		q := c.queries[cmd.Name]
		delete(c.queries, cmd.Name)
		if sink, ok := c.sources[q.Sink]; ok {
			updated := *sink
			updated.WriterQueries = nil
			for _, id := range sink.WriterQueries {
				if id != cmd.Name {
					updated.WriterQueries = append(updated.WriterQueries, id)
				}
			}
			c.sources[q.Sink] = &updated
		}
	case OpCreateType:
		c.types[cmd.Name] = *cmd.Type
	case OpDropType:
		delete(c.types, cmd.Name)
	case OpMarkApplied:
		c.applied[cmd.Fingerprint] = true
	}
	if cmd.Seq > c.seq {
		c.seq = cmd.Seq
	}
	return nil
}

func (c *Catalog) check(cmd *Command) error {
	switch cmd.Op {
	case OpCreateSource:
		if cmd.Source == nil {
			return fmt.Errorf("catalog: %s without a source", cmd.Op)
		}
		if _, ok := c.sources[cmd.Source.Name]; ok {
			return types.Errorf(types.CodeDuplicateTable, "Cannot add %s '%s': A %s with the same name already exists",
				kindWord(cmd.Source.Kind), cmd.Source.Name, kindWord(c.sources[cmd.Source.Name].Kind))
		}
	case OpReplaceSource:
		if cmd.Source == nil {
			return fmt.Errorf("catalog: %s without a source", cmd.Op)
		}
	case OpDropSource:
		if _, ok := c.sources[cmd.Name]; !ok {
			return types.Errorf(types.CodeUndefinedTable, "Source %s does not exist.", cmd.Name)
		}
	case OpStartQuery:
		if cmd.Query == nil {
			return fmt.Errorf("catalog: %s without a query", cmd.Op)
		}
		if _, ok := c.queries[cmd.Query.ID]; ok {
			return types.Errorf(types.CodeDuplicateObject, "query %s already exists", cmd.Query.ID)
		}
	case OpTerminateQuery:
		if _, ok := c.queries[cmd.Name]; !ok {
			return types.Errorf(types.CodeUndefinedObject, "Unknown queryId: %s", cmd.Name)
		}
	case OpCreateType:
		if cmd.Type == nil {
			return fmt.Errorf("catalog: %s without a type", cmd.Op)
		}
	case OpDropType, OpMarkApplied:
	default:
		return fmt.Errorf("catalog: unknown command op %q", cmd.Op)
	}
	return nil
}

func kindWord(k Kind) string {
	if k == Table {
		return "table"
	}
	return "stream"
}
