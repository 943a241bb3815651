package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Case is one corpus line.
type Case struct {
	ID            string         `json:"id"`
	Feature       string         `json:"feature"`
	Statements    []string       `json:"statements"`
	Inputs        []Record       `json:"inputs"`
	Outputs       []Record       `json:"outputs"`
	ExpectedError *ExpectedError `json:"expected_error"`
	Properties    map[string]any `json:"properties"`
	ValueFormats  []string       `json:"value_formats"`
	NeedsSR       bool           `json:"needs_schema_registry"`
	Post          *Post          `json:"post"`
}

// Record is an input or expected output record. Key and Value keep their JSON text so that
// numbers are compared exactly as written.
type Record struct {
	Topic     string          `json:"topic"`
	Key       json.RawMessage `json:"key"`
	Value     json.RawMessage `json:"value"`
	Timestamp *int64          `json:"timestamp"`
	Headers   []Header        `json:"headers"`
	Window    *Window         `json:"window"`
	HasKey    bool            `json:"-"`
}

// Header is a record header; Value is base64 (or null).
type Header struct {
	Key   string  `json:"KEY"`
	Value *string `json:"VALUE"`
}

// Window bounds of a windowed output record.
type Window struct {
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Type  string `json:"type"`
}

// ExpectedError is what a failing case must report.
type ExpectedError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Post holds the checks made after the statements ran.
type Post struct {
	Sources []PostSource `json:"sources"`
}

// PostSource is the schema DESCRIBE must show for a source.
type PostSource struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Schema string `json:"schema"`
}

// UnmarshalJSON records whether "key" was present: a missing key is a null key, and so is
// "key": null.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return err
	}
	_, p.HasKey = probe["key"]
	if p.HasKey && bytes.Equal(bytes.TrimSpace(p.Key), []byte("null")) {
		p.HasKey = false
	}
	*r = Record(p)
	return nil
}

// LoadCorpus reads a JSON-lines corpus file.
func LoadCorpus(path string) ([]*Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(text, &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, &c)
	}
	return out, sc.Err()
}
