package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// this runs on (the kernel exports it as a constant to user space).
const clockTick = 100

// proc is a child process under measurement.
type proc struct {
	name  string
	cmd   *exec.Cmd
	start time.Time
	ready chan struct{}
	// readyAt and readyCPU are when the ready line appeared and the CPU used by then.
	readyAt  time.Time
	readyCPU float64
	exited   chan struct{}
	waitErr  error

	mu   sync.Mutex
	tail []string // last lines of output, for error messages
}

// startProc runs argv with extra environment, its output appended to logPath, and marks it
// ready when a line contains readyMark.
func startProc(name string, argv []string, env []string, logPath, readyMark string) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	// Own process group, so that a stray child cannot outlive the run, and so that Ctrl-C of
	// the harness reaches it only through the harness.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	p := &proc{name: name, cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p.start = time.Now()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		marked := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			p.mu.Lock()
			p.tail = append(p.tail, line)
			if len(p.tail) > 20 {
				p.tail = p.tail[1:]
			}
			p.mu.Unlock()
			if !marked && strings.Contains(line, readyMark) {
				marked = true
				p.readyAt = time.Now()
				p.readyCPU, _ = cpuSeconds(cmd.Process.Pid)
				close(p.ready)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
		logf.Close()
	}()
	go func() {
		p.waitErr = cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// lastLines is the end of the process's output.
func (p *proc) lastLines() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// waitReady waits for the ready line, the process's exit or the timeout.
func (p *proc) waitReady(ctx context.Context, timeout time.Duration) error {
	select {
	case <-p.ready:
		return nil
	case <-p.exited:
		return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, p.waitErr, p.lastLines())
	case <-time.After(timeout):
		return fmt.Errorf("%s not ready after %s:\n%s", p.name, timeout, p.lastLines())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop sends SIGTERM to the process, then SIGKILL to its group after grace.
func (p *proc) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		<-p.exited
	}
}

// alive reports whether the process still runs.
func (p *proc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// cpuSeconds is utime+stime of pid (all its threads: GC, JIT and compactions included).
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unparsable /proc stat")
	}
	return float64(ut+st) / clockTick, nil
}

// peakRSS is VmHWM of pid in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// dirBytes is the size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	_ = walk(dir, func(fi os.FileInfo) { n += fi.Size() })
	return n
}

func walk(dir string, f func(os.FileInfo)) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := dir + "/" + e.Name()
		if e.IsDir() {
			_ = walk(p, f)
			continue
		}
		if fi, err := e.Info(); err == nil {
			f(fi)
		}
	}
	return nil
}
