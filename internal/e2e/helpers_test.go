package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds on every wait: nothing in this package waits longer than waitTimeout for one thing.
const (
	waitTimeout = 30 * time.Second
	stopTimeout = 10 * time.Second
	pollEvery   = 100 * time.Millisecond
)

// binPath is the streamsql binary TestMain builds.
var binPath string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "streamsql-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: finding the module root:", err)
		return 1
	}
	binPath = filepath.Join(dir, "streamsql")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", binPath, "./cmd/streamsql")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/streamsql: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// moduleRoot is the directory holding go.mod (this package lives at internal/e2e).
func moduleRoot() (string, error) {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", err
	}
	return dir, nil
}

// needTool skips the test when an external client is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed: %v", name, err)
	}
	return p
}

// kafkaBroker returns the broker named by STREAMSQL_KAFKA, or skips the test.
func kafkaBroker(t *testing.T) string {
	t.Helper()
	v := os.Getenv("STREAMSQL_KAFKA")
	if v == "" {
		t.Skip("set STREAMSQL_KAFKA=host:port (make test starts a broker) to run Kafka tests")
	}
	return v
}

// syncBuffer is a bytes.Buffer safe for a process writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// server is one streamsql process; restart runs a new process on the same data dir and port.
type server struct {
	t       *testing.T
	dataDir string
	kafka   string
	port    int
	extra   []string // more command-line arguments

	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	logs *syncBuffer   // stderr of every process this server ran
	runs int
}

// startServer starts streamsql on a free port with a fresh data dir (over Kafka when kafka is
// not empty), waits until it accepts connections, and stops it when the test ends. On failure
// the server's log is printed.
func startServer(t *testing.T, kafka string) *server {
	t.Helper()
	s := &server{t: t, dataDir: t.TempDir(), kafka: kafka, port: freePort(t), logs: &syncBuffer{}}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("streamsql log (%d run(s), data dir %s):\n%s", s.runs, s.dataDir, s.logs.String())
		}
	})
	s.start()
	return s
}

func (s *server) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

func (s *server) start() {
	t := s.t
	t.Helper()
	args := []string{"--data-dir", s.dataDir, "--pg-addr", s.addr()}
	if s.kafka != "" {
		args = append(args, "--kafka", s.kafka)
	}
	args = append(args, s.extra...)
	s.runs++
	fmt.Fprintf(s.logs, "---- run %d: streamsql %s\n", s.runs, strings.Join(args, " "))
	cmd := exec.Command(binPath, args...)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting streamsql: %v", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done

	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("streamsql exited before listening on %s: %v\n%s", s.addr(), cmd.ProcessState, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("streamsql did not listen on %s within %v: %v", s.addr(), waitTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and kills the process if it has not exited after stopTimeout. It returns
// how long the clean stop took and whether it was clean (exited by itself, status 0).
func (s *server) stop() (time.Duration, bool) {
	if s.cmd == nil {
		return 0, true
	}
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	began := time.Now()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return time.Since(began), cmd.ProcessState.Success()
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-done
		return time.Since(began), false
	}
}

// restart stops the server cleanly (failing the test if SIGTERM did not stop it within
// stopTimeout with status 0) and starts a new process on the same data dir and port.
func (s *server) restart() {
	s.t.Helper()
	took, clean := s.stop()
	if !clean {
		s.t.Errorf("streamsql did not stop cleanly on SIGTERM (took %v)", took)
	}
	s.start()
}

// psqlArgs are the connection arguments shared by every psql call.
func (s *server) psqlArgs(extra ...string) []string {
	return append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-X", "-At"}, extra...)
}

func psqlEnv() []string {
	return append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PGUSER=e2e", "PGDATABASE=streamsql", "PGAPPNAME=streamsql-e2e")
}

type psqlResult struct {
	stdout, stderr string
	err            error // non-nil when psql exited non-zero or timed out
	timedOut       bool
}

// psqlWithin runs psql with args (after the connection arguments) and kills it after timeout.
func (s *server) psqlWithin(timeout time.Duration, args ...string) psqlResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", s.psqlArgs(args...)...)
	cmd.Env = psqlEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return psqlResult{stdout: out.String(), stderr: errb.String(), err: err, timedOut: ctx.Err() != nil}
}

// psql runs one -c command string with ON_ERROR_STOP and verbose errors.
func (s *server) psql(sql string) psqlResult {
	return s.psqlWithin(waitTimeout, "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-c", sql)
}

// mustPSQL runs sql (one -c) and fails the test unless psql succeeds; it returns stdout.
func (s *server) mustPSQL(sql string) string {
	s.t.Helper()
	r := s.psql(sql)
	if r.err != nil {
		s.t.Fatalf("psql -c %q: %v (timed out: %v)\nstdout:\n%s\nstderr:\n%s", sql, r.err, r.timedOut, r.stdout, r.stderr)
	}
	return r.stdout
}

// lines splits psql -At output into non-empty lines.
func lines(out string) []string {
	var res []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" {
			res = append(res, l)
		}
	}
	return res
}

// printed is one record of PRINT's output.
type printed struct {
	key, value string
	partition  int
}

func (p printed) String() string { return fmt.Sprintf("%s|%s|%d", p.key, p.value, p.partition) }

var printLine = regexp.MustCompile(`^rowtime: \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{3} Z, key: (.*?), value: (.*), partition: (\d+)$`)

func parsePrinted(t *testing.T, line string) printed {
	t.Helper()
	m := printLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("PRINT line not in ksqlDB's format (rowtime: ..., key: ..., value: ..., partition: N): %q", line)
	}
	p, _ := strconv.Atoi(m[3])
	return printed{key: m[1], value: m[2], partition: p}
}

// printN runs PRINT 'topic' FROM BEGINNING LIMIT n and returns its n records. PRINT blocks until
// n records exist, so this also waits (at most waitTimeout) for asynchronous producers.
func (s *server) printN(topic string, n int) []printed {
	s.t.Helper()
	sql := fmt.Sprintf("PRINT '%s' FROM BEGINNING LIMIT %d;", topic, n)
	r := s.psql(sql)
	if r.timedOut {
		s.t.Fatalf("%s did not complete within %v: the topic holds fewer than %d records", sql, waitTimeout, n)
	}
	if r.err != nil {
		s.t.Fatalf("%s: %v\n%s", sql, r.err, r.stderr)
	}
	ls := lines(r.stdout)
	if len(ls) != n {
		s.t.Fatalf("%s returned %d lines, want %d:\n%s", sql, len(ls), n, r.stdout)
	}
	res := make([]printed, len(ls))
	for i, l := range ls {
		res[i] = parsePrinted(s.t, l)
	}
	return res
}

// expectExactlyPrinted checks the topic holds exactly want (as "key|value|partition", in any
// order): PRINT LIMIT len(want) must return them, and PRINT LIMIT len(want)+1 must still be
// waiting for one more record after settle.
func (s *server) expectExactlyPrinted(topic string, want []string, settle time.Duration) {
	s.t.Helper()
	got := s.printN(topic, len(want))
	gotS := make([]string, len(got))
	for i, p := range got {
		gotS[i] = p.String()
	}
	sameMultiset(s.t, "PRINT '"+topic+"'", gotS, want)
	sql := fmt.Sprintf("PRINT '%s' FROM BEGINNING LIMIT %d;", topic, len(want)+1)
	r := s.psqlWithin(settle, "-v", "ON_ERROR_STOP=1", "-c", sql)
	if !r.timedOut {
		s.t.Errorf("%s completed (err %v), but the topic should hold only %d records; output:\n%s%s", sql, r.err, len(want), r.stdout, r.stderr)
	}
}

// sameMultiset fails unless got and want hold the same strings the same number of times.
func sameMultiset(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got  %d: %q\n want %d: %q", what, len(g), g, len(w), w)
	}
}

// pushQuery is a psql running a push query (COPY (... EMIT CHANGES) TO STDOUT) in the
// background, its stdout read line by line as rows arrive.
type pushQuery struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	stderr *syncBuffer
	done   chan struct{}
	mu     sync.Mutex
	seen   []string
}

// startPush starts psql running sql. psql writes COPY data with stdio, which is block-buffered
// when stdout is a pipe, so rows would only appear when psql exits: it runs under
// `stdbuf -oL` to see each row as it arrives.
func (s *server) startPush(sql string) *pushQuery {
	t := s.t
	t.Helper()
	stdbuf := needTool(t, "stdbuf")
	args := append([]string{"-oL", "psql"}, s.psqlArgs("-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-c", sql)...)
	cmd := exec.Command(stdbuf, args...) // stdbuf execs psql: the pid is psql's
	cmd.Env = psqlEnv()
	pq := &pushQuery{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = pq.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting psql: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			pq.lines <- sc.Text()
		}
		close(pq.lines)
		_ = cmd.Wait()
		close(pq.done)
	}()
	t.Cleanup(func() {
		select {
		case <-pq.done:
		default:
			_ = cmd.Process.Kill()
			<-pq.done
		}
	})
	return pq
}

// next returns the next row within timeout ("", false when none came or psql ended).
func (pq *pushQuery) next(timeout time.Duration) (string, bool) {
	select {
	case l, ok := <-pq.lines:
		if ok {
			pq.mu.Lock()
			pq.seen = append(pq.seen, l)
			pq.mu.Unlock()
		}
		return l, ok
	case <-time.After(timeout):
		return "", false
	}
}

// waitFor reads rows until every line of want has been seen (in any order) or waitTimeout.
// It returns all rows read, including ones not in want.
func (pq *pushQuery) waitFor(want []string) []string {
	pq.t.Helper()
	missing := map[string]int{}
	for _, w := range want {
		missing[w]++
	}
	var got []string
	deadline := time.Now().Add(waitTimeout)
	for len(missing) > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			pq.t.Fatalf("push query: rows %q did not arrive within %v; got %q; psql stderr: %s", keys(missing), waitTimeout, got, pq.stderr.String())
		}
		l, ok := pq.next(left)
		if !ok {
			select {
			case <-pq.done:
				pq.t.Fatalf("push query psql ended (%v) before rows %q arrived; got %q; stderr: %s", pq.cmd.ProcessState, keys(missing), got, pq.stderr.String())
			default:
			}
			continue
		}
		got = append(got, l)
		if missing[l] > 0 {
			missing[l]--
			if missing[l] == 0 {
				delete(missing, l)
			}
		}
	}
	return got
}

// drain collects any rows arriving within d.
func (pq *pushQuery) drain(d time.Duration) []string {
	var got []string
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return got
		}
		l, ok := pq.next(left)
		if !ok {
			return got
		}
		got = append(got, l)
	}
}

// interrupt sends SIGINT (psql answers by sending a CancelRequest) and waits for psql to exit.
func (pq *pushQuery) interrupt() (exitCode int, stderr string) {
	pq.t.Helper()
	if err := pq.cmd.Process.Signal(os.Interrupt); err != nil {
		pq.t.Fatalf("SIGINT to psql: %v", err)
	}
	select {
	case <-pq.done:
	case <-time.After(stopTimeout):
		pq.t.Fatalf("psql did not exit within %v of SIGINT; stderr: %s", stopTimeout, pq.stderr.String())
	}
	return pq.cmd.ProcessState.ExitCode(), pq.stderr.String()
}

func keys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// murmur2 is Kafka's murmur2 hash (org.apache.kafka.common.utils.Utils.murmur2).
func murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	length := len(data)
	h := seed ^ uint32(length)
	for i := 0; i+4 <= length; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := length &^ 3
	switch length % 4 {
	case 3:
		h ^= uint32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[tail])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// kafkaPartition is the partition Kafka's default (murmur2) partitioner gives a key.
func kafkaPartition(key string, partitions int) int {
	return int(uint32(murmur2([]byte(key)))&0x7fffffff) % partitions
}

// kcatProduce writes "key:value" lines to topic. librdkafka's default partitioner is
// consistent_random (CRC32), not the Java client's murmur2: murmur2_random is the Java-
// compatible one, so the keys land where a Java producer (and ksqlDB) would put them.
func kcatProduce(t *testing.T, brokerAddr, topic string, records []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kcat", "-P", "-b", brokerAddr, "-t", topic, "-K:", "-X", "topic.partitioner=murmur2_random")
	cmd.Stdin = strings.NewReader(strings.Join(records, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P -t %s: %v\n%s", topic, err, out)
	}
}

// kcatRecord is one record read by kcat -f '%k|%s|%p\n'.
type kcatRecord = printed

// kcatConsume reads topic from the beginning to its current end.
func kcatConsume(t *testing.T, brokerAddr, topic string) []kcatRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kcat", "-C", "-b", brokerAddr, "-t", topic, "-o", "beginning", "-e", "-q", "-f", `%k|%s|%p\n`)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat -C -t %s: %v\n%s", topic, err, errb.String())
	}
	var recs []kcatRecord
	for _, l := range lines(out.String()) {
		i, j := strings.Index(l, "|"), strings.LastIndex(l, "|")
		if i < 0 || i == j {
			t.Fatalf("kcat line %q is not key|value|partition", l)
		}
		p, err := strconv.Atoi(l[j+1:])
		if err != nil {
			t.Fatalf("kcat line %q: %v", l, err)
		}
		recs = append(recs, kcatRecord{key: l[:i], value: l[i+1 : j], partition: p})
	}
	return recs
}

// kcatAwait polls topic until it holds at least n records (at most waitTimeout), then waits
// settle and reads it again, so records arriving late (duplicates) are seen too.
func kcatAwait(t *testing.T, brokerAddr, topic string, n int, settle time.Duration) []kcatRecord {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var recs []kcatRecord
	for {
		recs = kcatConsume(t, brokerAddr, topic)
		if len(recs) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s holds %d records after %v, want %d: %v", topic, len(recs), waitTimeout, n, recs)
		}
		time.Sleep(pollEvery * 2)
	}
	time.Sleep(settle)
	return kcatConsume(t, brokerAddr, topic)
}

func recordStrings(rs []kcatRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}
