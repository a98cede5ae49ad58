package main

// Test harness: a real oss-mock (the repo's dist/bin/oss-mock.cjs, built by `npm ci`) on 127.0.0.1 and the driver
// binary built from this directory, driven over the protocol exactly as the suite drives it. The same file in every
// Go driver (each is its own module, built from its directory alone); what is SDK-specific is in driver_test.go.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	accessKeyID     = "go-driver-test-id"
	accessKeySecret = "go-driver-test-secret"
	region          = "cn-hangzhou"
	KiB             = 1024
	MiB             = 1024 * KiB
)

var (
	endpoint  string // http://127.0.0.1:PORT
	driverBin string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "go-driver-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	driverBin = filepath.Join(dir, "driver")
	if out, err := exec.Command("go", "build", "-o", driverBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	stop, err := startMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start oss-mock (run `npm ci` at the repo root first):", err)
		return 1
	}
	defer stop()
	return m.Run()
}

// startMock runs the repo's mock on a free port and returns a function that kills it (by its PID).
func startMock() (func(), error) {
	bin, err := filepath.Abs("../../../dist/bin/oss-mock.cjs")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", bin, "--port", "0", "--access-key-id", accessKeyID, "--access-key-secret", accessKeySecret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case endpoint = <-found:
		return stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return nil, fmt.Errorf("%s printed no listening line", bin)
	}
}

// ---- the mock's control API (README "Slowing, breaking and observing uploads") ----

type mockEvent struct {
	Seq        int    `json:"seq"`
	Type       string `json:"type"`
	Operation  string `json:"operation"`
	Key        string `json:"key"`
	UploadID   string `json:"uploadId"`
	PartNumber int    `json:"partNumber"`
	Status     int    `json:"status"`
	Code       string `json:"code"`
}

func control(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, endpoint+"/_mock"+path, body)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /_mock%s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s /_mock%s: %d %s", method, path, res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s /_mock%s: %v", method, path, err)
		}
	}
}

// addRule adds a throttle/fault rule until the returned function (or the end of the test) removes it.
func addRule(t *testing.T, rule map[string]any) (remove func()) {
	t.Helper()
	var r struct{ ID string }
	control(t, "POST", "/rules", rule, &r)
	var once sync.Once
	remove = func() {
		once.Do(func() {
			// a rule whose `times` is used up has already left the list
			req, _ := http.NewRequest("DELETE", endpoint+"/_mock/rules/"+r.ID, nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		})
	}
	t.Cleanup(remove)
	return remove
}

// waitInflight returns once `count` matching request bodies have each reached minBytes on the server.
func waitInflight(t *testing.T, match map[string]any, minBytes, count int) {
	t.Helper()
	control(t, "POST", "/wait", map[string]any{"match": match, "minBytes": minBytes, "count": count, "timeoutMs": 15000}, nil)
}

func lastSeq(t *testing.T) int {
	var r struct{ LastSeq int }
	control(t, "GET", "/events?limit=0", nil, &r)
	return r.LastSeq
}

func events(t *testing.T, since int, key string) []mockEvent {
	t.Helper()
	var r struct{ Events []mockEvent }
	control(t, "GET", fmt.Sprintf("/events?since=%d", since), nil, &r)
	var out []mockEvent
	for _, e := range r.Events {
		if e.Seq > since && e.Key == key {
			out = append(out, e)
		}
	}
	return out
}

func ofType(es []mockEvent, typ string) []mockEvent {
	var out []mockEvent
	for _, e := range es {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// waitStoredParts polls the event log until the server holds n parts of key; returns their upload ID.
func waitStoredParts(t *testing.T, since int, key string, n int, running <-chan reply) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case r := <-running:
			t.Fatalf("the upload ended before %d parts were stored: %+v", n, r)
		default:
		}
		byUpload := map[string]map[int]bool{}
		for _, e := range ofType(events(t, since, key), "part.stored") {
			if byUpload[e.UploadID] == nil {
				byUpload[e.UploadID] = map[int]bool{}
			}
			byUpload[e.UploadID][e.PartNumber] = true
			if len(byUpload[e.UploadID]) >= n {
				return e.UploadID
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the server never held %d parts of %s", n, key)
	return ""
}

// ---- buckets: newBucket (driver_test.go) makes them with the SDK itself ----

var bucketSeq struct {
	sync.Mutex
	n int
}

func bucketName() string {
	bucketSeq.Lock()
	defer bucketSeq.Unlock()
	bucketSeq.n++
	return fmt.Sprintf("go-driver-%d-%d", os.Getpid(), bucketSeq.n)
}

// ---- the driver process ----

type wireErr struct {
	Code        string `json:"code"`
	Status      int    `json:"status"`
	Message     string `json:"message"`
	RequestID   string `json:"requestId"`
	Interrupted bool   `json:"interrupted"`
	SDKError    string `json:"sdkError"`
}

type reply struct {
	ID      int64          `json:"id"`
	OK      bool           `json:"ok"`
	Result  map[string]any `json:"result"`
	Error   *wireErr       `json:"error"`
	Event   string         `json:"event"`
	Bytes   int64          `json:"bytes"`
	Level   string         `json:"level"`
	Message string         `json:"message"`
}

type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  bytes.Buffer
	mu      sync.Mutex
	next    int64
	pending map[int64]chan reply
	events  []reply
	done    chan struct{}
}

// startDriver runs the driver binary with extra environment variables (e.g. TZ=UTC).
func startDriver(t *testing.T, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(driverBin), pending: map[int64]chan reply{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = &p.stderr
	p.stdin, _ = p.cmd.StdinPipe()
	stdout, _ := p.cmd.StdoutPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.read(stdout)
	t.Cleanup(p.kill)
	return p
}

func (p *proc) read(stdout io.Reader) {
	defer close(p.done)
	in := bufio.NewReaderSize(stdout, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var r reply
			if json.Unmarshal(line, &r) == nil {
				p.mu.Lock()
				if r.Event != "" {
					p.events = append(p.events, r)
				} else if ch := p.pending[r.ID]; ch != nil {
					ch <- r
					delete(p.pending, r.ID)
				}
				p.mu.Unlock()
			}
		}
		if err != nil {
			return
		}
	}
}

// start sends a request and returns where its answer will arrive.
func (p *proc) start(op string, args map[string]any) <-chan reply {
	_, ch := p.startID(op, args)
	return ch
}

// startID is start that also returns the request's id.
func (p *proc) startID(op string, args map[string]any) (int64, <-chan reply) {
	p.mu.Lock()
	p.next++
	id := p.next
	ch := make(chan reply, 1)
	p.pending[id] = ch
	p.mu.Unlock()
	line, _ := json.Marshal(map[string]any{"id": id, "op": op, "args": args})
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.t.Fatalf("%s: writing to the driver: %v", op, err)
	}
	return id, ch
}

func (p *proc) wait(op string, ch <-chan reply) reply {
	p.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-p.done:
		p.t.Fatalf("%s: the driver exited; stderr: %s", op, p.stderr.String())
	case <-time.After(60 * time.Second):
		p.t.Fatalf("%s: no answer in 60 s", op)
	}
	return reply{}
}

// call runs an op that must succeed and returns its result.
func (p *proc) call(op string, args map[string]any) map[string]any {
	p.t.Helper()
	r := p.wait(op, p.start(op, args))
	if !r.OK {
		p.t.Fatalf("%s: %+v", op, r.Error)
	}
	return r.Result
}

// fail runs an op that must fail and returns its error.
func (p *proc) fail(op string, args map[string]any) *wireErr {
	p.t.Helper()
	r := p.wait(op, p.start(op, args))
	if r.OK || r.Error == nil {
		p.t.Fatalf("%s: expected an error, got %+v", op, r.Result)
	}
	return r.Error
}

// progressEvents counts the progress events of one request (id), or of all (id 0).
func (p *proc) progressEvents(id int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range p.events {
		if e.Event == "progress" && (id == 0 || e.ID == id) {
			n++
		}
	}
	return n
}

// logs joins the messages of the log events of one level.
func (p *proc) logs(level string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var lines []string
	for _, e := range p.events {
		if e.Event == "log" && e.Level == level {
			lines = append(lines, e.Message)
		}
	}
	return strings.Join(lines, "\n")
}

// kill ends the driver with SIGKILL, as the suite's restart variant does.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

// client opens a client on the mock with the given signature version and extra createClient args.
func (p *proc) client(sig string, extra ...any) string {
	p.t.Helper()
	args := map[string]any{
		"endpoint": endpoint, "accessKeyId": accessKeyID, "accessKeySecret": accessKeySecret,
		"region": region, "signatureVersion": sig,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		args[extra[i].(string)] = extra[i+1]
	}
	return p.call("createClient", args)["client"].(string)
}

// stsClient creates a client that signs with a credential minted by the mock's POST /_mock/sts, so its
// access key id, secret and security token belong together as an STS credential from RAM would.
func (p *proc) stsClient(sig string) string {
	p.t.Helper()
	var cred struct {
		AccessKeyID     string `json:"accessKeyId"`
		AccessKeySecret string `json:"accessKeySecret"`
		SecurityToken   string `json:"securityToken"`
	}
	control(p.t, "POST", "/sts", map[string]any{}, &cred)
	return p.client(sig, "accessKeyId", cred.AccessKeyID, "accessKeySecret", cred.AccessKeySecret, "securityToken", cred.SecurityToken)
}

// ---- small helpers ----

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "body.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func unquote(etag any) string { return strings.Trim(fmt.Sprint(etag), `"`) }
