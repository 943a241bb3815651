package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDebugEndpointServesPprof starts streamsql with --debug-addr and reads a goroutine dump
// from it; nothing but /debug/pprof/ is served there.
func TestDebugEndpointServesPprof(t *testing.T) {
	debugAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := &server{t: t, dataDir: t.TempDir(), port: freePort(t), logs: &syncBuffer{}, extra: []string{"--debug-addr", debugAddr}}
	t.Cleanup(func() { s.stop() })
	s.start()

	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + debugAddr + path)
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, s.logs.String())
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get("/debug/pprof/goroutine?debug=1")
	if code != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Fatalf("goroutine dump: status %d, body %.200q", code, body)
	}
	if code, _ := get("/"); code != http.StatusNotFound {
		t.Fatalf("GET / = %d, want 404: only the pprof handlers are served", code)
	}
}
