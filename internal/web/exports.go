package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Exports runs the web UI's long exports (a year of the sharing log as
// XLSX takes a minute) as background jobs: the person starts one, its page
// shows how far it got, and the finished file is downloaded from there. A
// request that wrote the file itself would show nothing until the end and
// would be cut by the server's write timeout.
//
// Jobs and their files belong to the process that runs them: they are in
// memory and under dir, removed ExportTTL after they finish and at start.
// With several web nodes behind a load balancer, sessions must stick to a
// node for these pages (see docs/architecture.md).
type Exports struct {
	dir  string
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu   sync.Mutex
	jobs map[string]*exportJob
	now  func() time.Time
}

const (
	// ExportTTL is how long a finished export stays downloadable.
	ExportTTL = time.Hour
	// maxRunningPerUser and maxRunning bound the work exports may start:
	// each holds a database read and a CPU while it runs.
	maxRunningPerUser = 2
	maxRunning        = 6
	// maxKeptPerUser bounds a person's list of recent exports.
	maxKeptPerUser = 20
)

// ExportSpec describes one export. Write writes the file to w and reports
// the rows written so far through progress (as often as it likes); it
// returns the number of rows.
type ExportSpec struct {
	Title       string // what the job's page calls it, in the person's language
	Filename    string // the downloaded file's name
	ContentType string
	Back        string // the page the export was started from
	Total       int64  // rows expected; 0 when not known
	Write       func(ctx context.Context, w io.Writer, progress func(rows int64)) (int64, error)
}

// Export states.
const (
	ExportRunning   = "running"
	ExportDone      = "done"
	ExportFailed    = "failed"
	ExportCancelled = "cancelled"
)

type exportJob struct {
	id      string
	owner   int64
	spec    ExportSpec
	created time.Time
	cancel  context.CancelFunc
	rows    atomic.Int64

	mu       sync.Mutex
	state    string
	err      error
	size     int64
	finished time.Time
	path     string
}

// ExportStatus is a job as its page and its status URL show it.
type ExportStatus struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Filename string    `json:"filename"`
	Back     string    `json:"back"`
	State    string    `json:"state"`
	Rows     int64     `json:"rows"`
	Total    int64     `json:"total"`
	Percent  int       `json:"percent"`
	Bytes    int64     `json:"bytes"`
	Created  time.Time `json:"created"`
	Finished time.Time `json:"finished,omitzero"`
	// Error is the failure's message (English; pages translate it).
	Error string `json:"error,omitempty"`
	File  string `json:"file,omitempty"` // download URL once done
}

// NewExports prepares the export jobs of a process in a directory of its
// own under dir (web nodes may share a data directory), removing what
// processes that stopped long ago left there. Close stops them.
func NewExports(dir string, log *slog.Logger) (*Exports, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("exports: %w", err)
	}
	removeStale(dir, time.Now().Add(-2*ExportTTL), log)
	run, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		return nil, fmt.Errorf("exports: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	x := &Exports{dir: run, log: log, ctx: ctx, stop: stop, jobs: map[string]*exportJob{}, now: time.Now}
	x.wg.Add(1)
	go x.janitor()
	return x, nil
}

// removeStale removes the run directories under dir untouched since
// before: a live process writes into its own whenever an export starts.
func removeStale(dir string, before time.Time, log *slog.Logger) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range des {
		info, err := de.Info()
		if err != nil || !de.IsDir() || !strings.HasPrefix(de.Name(), "run-") || info.ModTime().After(before) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
			log.Warn("exports: cannot remove an old run's files", "dir", de.Name(), "err", err)
		}
	}
}

// Close cancels running exports, waits for them and removes the files.
func (x *Exports) Close() error {
	x.stop()
	x.wg.Wait()
	return os.RemoveAll(x.dir)
}

// Start runs spec in the background for the person p and returns the job's id.
func (x *Exports) Start(p *identity.Principal, spec ExportSpec) (string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ctx.Err() != nil {
		return "", platform.Errorf(platform.EUnavailable, "shutting_down", "the server is stopping; try again in a moment")
	}
	mine, running := 0, 0
	for _, j := range x.jobs {
		if j.status().State != ExportRunning {
			continue
		}
		running++
		if j.owner == p.UserID {
			mine++
		}
	}
	if mine >= maxRunningPerUser {
		return "", platform.Errorf(platform.ETooMany, "exports_running", "you already have exports running; wait for one to finish or cancel it")
	}
	if running >= maxRunning {
		return "", platform.Errorf(platform.ETooMany, "exports_busy", "the server is busy with other exports; try again in a minute")
	}
	id, err := newExportID()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithCancel(x.ctx)
	j := &exportJob{id: id, owner: p.UserID, spec: spec, created: x.now(), cancel: cancel, state: ExportRunning,
		path: filepath.Join(x.dir, id)}
	x.jobs[id] = j
	x.forgetOldest(p.UserID)
	x.wg.Add(1)
	go x.run(ctx, j)
	return id, nil
}

func newExportID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("exports: id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// run writes the job's file; a failure removes it.
func (x *Exports) run(ctx context.Context, j *exportJob) {
	defer x.wg.Done()
	defer j.cancel()
	size, err := x.write(ctx, j)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.finished = x.now()
	switch {
	case err == nil:
		j.state, j.size = ExportDone, size
		return
	case ctx.Err() != nil:
		j.state = ExportCancelled
	default:
		j.state, j.err = ExportFailed, err
		if platform.StatusOf(platform.ErrorClass(err)) >= 500 {
			x.log.Error("export failed", "title", j.spec.Title, "err", err)
		}
	}
	_ = os.Remove(j.path)
}

func (x *Exports) write(ctx context.Context, j *exportJob) (int64, error) {
	if err := os.MkdirAll(x.dir, 0o700); err != nil {
		return 0, fmt.Errorf("exports: %w", err)
	}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("exports: create file: %w", err)
	}
	cw := &countingWriter{w: f}
	_, werr := j.spec.Write(ctx, cw, func(n int64) { j.rows.Store(n) })
	cerr := f.Close()
	if werr != nil {
		return 0, werr
	}
	if cerr != nil {
		return 0, fmt.Errorf("exports: close file: %w", cerr)
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// forgetOldest drops owner's finished jobs beyond maxKeptPerUser, oldest
// first. x.mu is held.
func (x *Exports) forgetOldest(owner int64) {
	var done []*exportJob
	for _, j := range x.jobs {
		if j.owner == owner && j.status().State != ExportRunning {
			done = append(done, j)
		}
	}
	slices.SortFunc(done, func(a, b *exportJob) int { return a.created.Compare(b.created) })
	for len(done) > maxKeptPerUser {
		x.drop(done[0])
		done = done[1:]
	}
}

// drop forgets a finished job and removes its file. x.mu is held.
func (x *Exports) drop(j *exportJob) {
	delete(x.jobs, j.id)
	_ = os.Remove(j.path)
}

// janitor removes finished jobs ExportTTL after they finished.
func (x *Exports) janitor() {
	defer x.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-x.ctx.Done():
			return
		case <-t.C:
			x.expire()
		}
	}
}

func (x *Exports) expire() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, j := range x.jobs {
		if s := j.status(); s.State != ExportRunning && x.now().Sub(s.Finished) > ExportTTL {
			x.drop(j)
		}
	}
}

func (j *exportJob) status() ExportStatus {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := ExportStatus{ID: j.id, Title: j.spec.Title, Filename: j.spec.Filename, Back: j.spec.Back, State: j.state,
		Rows: j.rows.Load(), Total: j.spec.Total, Bytes: j.size, Created: j.created, Finished: j.finished}
	if j.err != nil {
		s.Error = platform.AsError(j.err).Message
	}
	switch {
	case s.State == ExportDone:
		s.Percent = 100
		s.File = "/exports/" + j.id + "/file"
	case s.Total > 0:
		s.Percent = int(min(99, 100*s.Rows/s.Total))
	}
	return s
}

// job returns owner's job id; not found for anyone else's.
func (x *Exports) job(owner int64, id string) (*exportJob, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	j, ok := x.jobs[id]
	if !ok || j.owner != owner {
		return nil, platform.NotFound("export")
	}
	return j, nil
}

// Status returns owner's job id as its page shows it.
func (x *Exports) Status(owner int64, id string) (ExportStatus, error) {
	j, err := x.job(owner, id)
	if err != nil {
		return ExportStatus{}, err
	}
	return j.status(), nil
}

// List returns owner's jobs, newest first.
func (x *Exports) List(owner int64) []ExportStatus {
	x.mu.Lock()
	var out []ExportStatus
	for _, j := range x.jobs {
		if j.owner == owner {
			out = append(out, j.status())
		}
	}
	x.mu.Unlock()
	slices.SortFunc(out, func(a, b ExportStatus) int { return b.Created.Compare(a.Created) })
	return out
}

// Cancel stops owner's running job id; a finished one is removed.
func (x *Exports) Cancel(owner int64, id string) error {
	j, err := x.job(owner, id)
	if err != nil {
		return err
	}
	j.cancel()
	x.mu.Lock()
	defer x.mu.Unlock()
	if j.status().State != ExportRunning {
		x.drop(j)
	}
	return nil
}

// Register adds the job pages: /exports (mine), /exports/{id} (progress
// and download), its status as JSON for the page's script, the file, and
// cancelling.
func (x *Exports) Register(mux *http.ServeMux, site *Site) {
	mux.HandleFunc("GET /exports", site.Handler(x.listPage(site)))
	mux.HandleFunc("GET /exports/{id}", site.Handler(x.jobPage(site)))
	mux.HandleFunc("GET /exports/{id}/status", x.statusJSON)
	mux.HandleFunc("GET /exports/{id}/file", site.Handler(x.file))
	mux.HandleFunc("POST /exports/{id}/cancel", site.Handler(x.cancel))
}

func (x *Exports) listPage(site *Site) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := RequireLogin(r)
		if err != nil {
			return err
		}
		site.Page(w, r, "exports.html", x.List(p.UserID))
		return nil
	}
}

func (x *Exports) jobPage(site *Site) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := RequireLogin(r)
		if err != nil {
			return err
		}
		s, err := x.Status(p.UserID, r.PathValue("id"))
		if err != nil {
			return err
		}
		site.Page(w, r, "export.html", s)
		return nil
	}
}

func (x *Exports) statusJSON(w http.ResponseWriter, r *http.Request) {
	p := identity.FromContext(r.Context())
	if p == nil {
		platform.WriteProblem(w, r, platform.Errorf(platform.EUnauthorized, "login_required", "please log in"))
		return
	}
	s, err := x.Status(p.UserID, r.PathValue("id"))
	if err != nil {
		platform.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	platform.WriteJSON(w, http.StatusOK, s)
}

func (x *Exports) file(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireLogin(r)
	if err != nil {
		return err
	}
	j, err := x.job(p.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s := j.status()
	if s.State != ExportDone {
		return platform.Errorf(platform.EConflict, "export_not_ready", "the export is not finished")
	}
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return platform.NotFound("export")
	}
	if err != nil {
		return fmt.Errorf("exports: open file: %w", err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", j.spec.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+j.spec.Filename+`"; filename*=UTF-8''`+url.PathEscape(j.spec.Filename))
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", s.Finished, f)
	return nil
}

func (x *Exports) cancel(w http.ResponseWriter, r *http.Request) error {
	p, err := RequireLogin(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	s, err := x.Status(p.UserID, id)
	if err != nil {
		return err
	}
	if err := x.Cancel(p.UserID, id); err != nil {
		return err
	}
	notice := "The export was cancelled."
	if s.State != ExportRunning {
		notice = "The export was removed."
	}
	Redirect(w, r, "/exports", notice)
	return nil
}
