package ceiling

import (
	"encoding/json"
	"testing"
)

func TestTransforms(t *testing.T) {
	tf, err := transformFor("q2")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tf([]byte(`{"auction":246,"bidder":1,"price":7,"channel":"c","url":"u","date_time":5,"extra":"x","ingest_ns":11}`))
	if err != nil || string(out) != `{"AUCTION":246,"PRICE":7,"INGEST_NS":11}` {
		t.Fatalf("q2 of auction 246: %s, %v", out, err)
	}
	if out, _ := tf([]byte(`{"auction":247}`)); out != nil {
		t.Fatalf("q2 kept auction 247: %s", out)
	}
	tf, _ = transformFor("alert")
	out, _ = tf([]byte(`{"device_id":"d","ts":3,"humidity":85.5,"ingest_ns":9}`))
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil || m["HUMIDITY"] != 85.5 {
		t.Fatalf("alert: %s %v", out, err)
	}
	if _, err := transformFor("avg5m"); err == nil {
		t.Fatal("a stateful query got a pipe")
	}
}
