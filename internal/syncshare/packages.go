package syncshare

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// chunkSize is the size of the pieces a package file is stored in.
const chunkSize = 1 << 20

// PackageInput describes a package a provider builds.
type PackageInput struct {
	// Name titles the package [the service's name and the date].
	Name string `json:"name"`
	// Source says where the data comes from [provider and service].
	Source string `json:"source"`
	// Format of the package file: csv, json or xlsx [csv].
	Format string `json:"format"`
	// SourceFormat is the uploaded file's format; empty recognises it.
	SourceFormat string `json:"source_format"`
	// ValidFor is the package's validity window (D47-41.2c). Default and
	// upper bound: the usage regulation's validity period; required when
	// the regulation states none.
	ValidFor time.Duration `json:"-"`

	// validForErr is the mistake of a validity window that could not be
	// read (packageInput): BuildPackage reports it with the others.
	validForErr error
}

// Manifest describes a package (D47-41: every package states when it
// stops being valid).
type Manifest struct {
	ID          int64     `json:"id"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	Provider    string    `json:"provider"`
	Name        string    `json:"name"`
	Source      string    `json:"source"`
	Format      string    `json:"format"`
	MediaType   string    `json:"media_type"`
	FileName    string    `json:"file_name"`
	Items       []string  `json:"items"`
	Rows        int64     `json:"rows"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	ValidUntil  time.Time `json:"valid_until"`
	// Download is the gateway path that serves the file to consumers with
	// a connection account.
	Download string `json:"download"`
}

// Package is a package with its state as of now.
type Package struct {
	Manifest
	Expired   bool   `json:"expired"`
	CreatedBy string `json:"created_by,omitempty"`
	// FileRemovedAt is when PurgePackages removed the expired file; the
	// record and manifest stay.
	FileRemovedAt *time.Time `json:"file_removed_at,omitempty"`
	serviceID     int64
}

// ParseValidFor reads a validity window: a Go duration ("720h") or whole
// days ("30d").
func ParseValidFor(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 3660 {
			return 0, platform.FieldError("valid_for", "invalid_duration", "the validity window is 1 to 3660 days, e.g. 30d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, platform.FieldError("valid_for", "invalid_duration", "the validity window is a duration such as 30d or 720h")
	}
	return d, nil
}

// window decides a package's validity window from the usage regulation
// (D47-22, D47-41.2c) and the provider's wish.
func window(svc Service, asked time.Duration) (time.Duration, error) {
	switch {
	case asked < 0:
		return 0, platform.FieldError("valid_for", "invalid_duration", "the validity window must be positive")
	case asked == 0 && svc.Validity <= 0:
		return 0, platform.FieldError("valid_for", "required", "the usage regulation states no validity period: state the package's window (e.g. 30d)")
	case asked == 0:
		return svc.Validity, nil
	case svc.Validity > 0 && asked > svc.Validity:
		return 0, platform.FieldError("valid_for", "beyond_regulation", "the usage regulation allows at most %s", humanDuration(svc.Validity))
	}
	return asked, nil
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}

// BuildPackage builds a package of a package service (D47-23.1c) from an
// uploaded CSV, XLSX or JSON file: it checks every row against the
// service's data items, writes the package in the chosen format (formula
// cells defused), stores it with its manifest and returns it. All or
// nothing: a bad file stores nothing, and a package is visible only once
// completely stored.
func (s *Store) BuildPackage(ctx context.Context, p *identity.Principal, ref string, in PackageInput, body io.Reader) (Package, error) {
	return s.buildPackage(ctx, p, ref, in, body, time.Time{})
}

func (s *Store) buildPackage(ctx context.Context, p *identity.Principal, ref string, in PackageInput, body io.Reader, at time.Time) (Package, error) {
	svc, err := s.service(ctx, p, ref, MethodPackage, true)
	if err != nil {
		return Package{}, err
	}
	// Every mistake of the package's description is reported at once; the
	// file is received and checked (every bad line listed) once they are
	// right.
	var v platform.Validation
	if err := v.Merge(in.validForErr); err != nil {
		return Package{}, err
	}
	var win time.Duration
	if !v.Has("valid_for") {
		win, err = window(svc, in.ValidFor)
		_ = v.Merge(err) // a field error only
	}
	in.Name, in.Source = strings.TrimSpace(in.Name), strings.TrimSpace(in.Source)
	if in.Name == "" {
		in.Name = svc.Name
	}
	if in.Source == "" {
		in.Source = svc.ProviderName + " — " + svc.Name
	}
	v.Check(utf8.RuneCountInString(in.Name) <= 300, "name", "too_long", "the name has at most 300 characters")
	v.Check(utf8.RuneCountInString(in.Source) <= 1000, "source", "too_long", "the source has at most 1000 characters")
	out := strings.ToLower(strings.TrimSpace(in.Format))
	if out == "" {
		out = FormatCSV
	}
	v.Check(containsString(Formats, out), "format", "unsupported_format", "the package format must be csv, json or xlsx")
	if err := v.Err(); err != nil {
		return Package{}, err
	}
	u, err := s.receive(body)
	if err != nil {
		return Package{}, err
	}
	defer u.remove()
	srcFormat, err := detectFormat(in.SourceFormat, u.path)
	if err != nil {
		return Package{}, err
	}
	var pb problems
	rows := int64(0)
	cols, err := s.readTable(u.path, srcFormat, svc, &pb, func(pos string, rec record) error { rows++; return nil })
	if err != nil {
		return Package{}, err
	}
	if pb.total == 0 && rows == 0 {
		pb.add("the file holds no rows")
	}
	if err := pb.err(); err != nil {
		return Package{}, err
	}
	file, size, sum, err := s.writePackage(u.path, srcFormat, out, svc, cols, &pb)
	if err != nil {
		return Package{}, err
	}
	defer os.Remove(file)
	if err := pb.err(); err != nil {
		return Package{}, err
	}
	items, _ := json.Marshal(cols)
	return s.storePackage(ctx, svc, in, out, string(items), rows, file, size, sum, win, p.FullName, at)
}

// writePackage writes the package file from the checked upload.
func (s *Store) writePackage(src, srcFormat, format string, svc Service, cols []string, pb *problems) (string, int64, [32]byte, error) {
	var sum [32]byte
	f, err := os.CreateTemp(s.opts.TmpDir, "package-*")
	if err != nil {
		return "", 0, sum, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	tw, err := newTableWriter(cw, format, cols, "Data")
	if err == nil {
		_, err = s.readTable(src, srcFormat, svc, pb, func(pos string, rec record) error { return tw.write(rec) })
		if cerr := tw.close(); err == nil {
			err = cerr
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, sum, fmt.Errorf("write package: %w", err)
	}
	copy(sum[:], h.Sum(nil))
	return f.Name(), cw.n, sum, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// storePackage records the package as building, writes its chunks in
// short transactions (SQLite's one writer is shared with the sharing log),
// then publishes it in one last transaction. On failure the row and its
// chunks are deleted.
func (s *Store) storePackage(ctx context.Context, svc Service, in PackageInput, format, items string, rows int64, file string,
	size int64, sum [32]byte, win time.Duration, by string, at time.Time) (Package, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sync_packages (service_id, service_identifier, service_name, provider_name, status,
			name, source, file_format, items, row_count, size_bytes, sha256, created_at, valid_until, created_by_name)
			VALUES ($1, $2, $3, $4, 'building', $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id`,
			svc.ID, svc.Identifier, svc.Name, svc.ProviderName, in.Name, in.Source, format, items, rows, size,
			hex.EncodeToString(sum[:]), now, by).Scan(&id)
	})
	if err != nil {
		return Package{}, fmt.Errorf("record package: %w", err)
	}
	fail := func(err error) (Package, error) {
		_ = s.deletePackage(context.WithoutCancel(ctx), id)
		return Package{}, err
	}
	f, err := os.Open(file)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	buf := make([]byte, chunkSize)
	for n := 0; ; {
		done := false
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			for k := 0; k < 8; k++ {
				m, err := io.ReadFull(f, buf)
				if m > 0 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO sync_package_chunks (package_id, n, data) VALUES ($1, $2, $3)`,
						id, n, buf[:m]); err != nil {
						return err
					}
					n++
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					done = true
					return nil
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fail(fmt.Errorf("store package: %w", err))
		}
		if done {
			break
		}
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if !at.IsZero() {
			now = at // demo data only
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_packages SET status = 'ready', created_at = $2, valid_until = $3 WHERE id = $1`,
			id, now, now.Add(win))
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("publish package: %w", err))
	}
	return s.loadPackage(ctx, id)
}

const packageColumns = `id, service_id, service_identifier, service_name, provider_name, name, source, file_format, items, row_count,
	size_bytes, sha256, created_at, valid_until, created_by_name, file_removed_at`

func (s *Store) scanPackage(row interface{ Scan(...any) error }) (Package, error) {
	var p Package
	var items string
	var removed sql.NullTime
	err := row.Scan(&p.ID, &p.serviceID, &p.Service, &p.ServiceName, &p.Provider, &p.Name, &p.Source, &p.Format, &items, &p.Rows,
		&p.Size, &p.SHA256, &p.CreatedAt, &p.ValidUntil, &p.CreatedBy, &removed)
	if err != nil {
		return p, err
	}
	if removed.Valid {
		t := removed.Time.UTC()
		p.FileRemovedAt = &t
	}
	if err := json.Unmarshal([]byte(items), &p.Items); err != nil {
		return p, fmt.Errorf("package %d items: %w", p.ID, err)
	}
	p.CreatedAt, p.ValidUntil = p.CreatedAt.UTC(), p.ValidUntil.UTC()
	p.MediaType = mediaTypes[p.Format]
	p.FileName = fmt.Sprintf("%s-%d.%s", p.Service, p.ID, p.Format)
	p.Download = "/s/" + p.Service + "/packages/" + strconv.FormatInt(p.ID, 10)
	// D47-41.2c: usable within the window, invalid after it.
	p.Expired = !s.now().Before(p.ValidUntil)
	return p, nil
}

// deletePackage removes a package whole; its chunks go with it (ON DELETE
// CASCADE).
func (s *Store) deletePackage(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sync_packages WHERE id = $1`, id)
		return err
	})
}

// loadPackage returns a complete package; building ones are not found.
func (s *Store) loadPackage(ctx context.Context, id int64) (Package, error) {
	p, err := s.scanPackage(s.db.Read.QueryRowContext(ctx, `SELECT `+packageColumns+` FROM sync_packages WHERE id = $1 AND status = 'ready'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Package{}, platform.NotFound("package")
	}
	return p, err
}

// packagesOf lists the complete packages of a service, newest first.
func (s *Store) packagesOf(ctx context.Context, serviceID int64) ([]Package, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+packageColumns+` FROM sync_packages WHERE service_id = $1 AND status = 'ready'
		ORDER BY created_at DESC, id DESC LIMIT 500`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("list packages: %w", err)
	}
	defer rows.Close()
	out := []Package{}
	for rows.Next() {
		p, err := s.scanPackage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// mayList: the provider's managers and overseers, and consumers holding an
// account for the service.
func (s *Store) mayList(ctx context.Context, p *identity.Principal, svc Service) (bool, error) {
	if canView(p, svc) {
		return true, nil
	}
	if s.acc == nil {
		return false, nil
	}
	accs, err := s.acc.VisibleAccounts(ctx, p, svc.ID)
	return len(accs) > 0, err
}

// Packages lists the packages of a package service for p.
func (s *Store) Packages(ctx context.Context, p *identity.Principal, ref string) (ServiceRef, []Package, error) {
	svc, err := s.viewable(ctx, p, ref, MethodPackage)
	if err != nil {
		return ServiceRef{}, nil, err
	}
	list, err := s.packagesOf(ctx, svc.ID)
	if !canView(p, svc) {
		for i := range list {
			list[i].CreatedBy = "" // officers' names are for the provider and its overseers
		}
	}
	return refOf(svc), list, err
}

// viewable loads a hosted service that p may see: as its provider's
// manager or overseer, or as the holder of an account for it. method ""
// accepts either hosted method.
func (s *Store) viewable(ctx context.Context, p *identity.Principal, ref, method string) (Service, error) {
	if p == nil {
		return Service{}, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	if s.svc == nil {
		return Service{}, platform.Errorf(platform.EUnavailable, "no_catalog", "the catalog is not available here")
	}
	svc, err := s.svc.HostedService(ctx, ref)
	if err != nil {
		return Service{}, err
	}
	ok, err := s.mayList(ctx, p, svc)
	if err != nil {
		return Service{}, err
	}
	if !ok {
		return Service{}, platform.NotFound("sharing service")
	}
	if method != "" && svc.Method != method || method == "" && svc.Method != MethodSync && svc.Method != MethodPackage {
		return Service{}, wrongMethod(svc, method)
	}
	return svc, nil
}

// PackageByID returns one package for p.
func (s *Store) PackageByID(ctx context.Context, p *identity.Principal, id int64) (Package, error) {
	pkg, err := s.loadPackage(ctx, id)
	if err != nil {
		return Package{}, err
	}
	svc, err := s.viewable(ctx, p, strconv.FormatInt(pkg.serviceID, 10), MethodPackage)
	if err != nil {
		return Package{}, platform.NotFound("package")
	}
	if !canView(p, svc) {
		pkg.CreatedBy = ""
	}
	return pkg, nil
}

// chunkReader streams a stored package file chunk by chunk. It reads on a
// context of its own: a download outlives the call's time limit, and a
// consumer who leaves stops it by failing the write.
type chunkReader struct {
	ctx  context.Context
	db   *sql.DB
	id   int64
	n    int
	skip int // bytes of chunk n before the reading position
	buf  []byte
	done bool
}

func (s *Store) openPackage(ctx context.Context, id int64) *chunkReader {
	return s.openPackageAt(ctx, id, 0)
}

// openPackageAt reads a package file from byte off on.
func (s *Store) openPackageAt(ctx context.Context, id int64, off int64) *chunkReader {
	return &chunkReader{ctx: context.WithoutCancel(ctx), db: s.db.Read, id: id, n: int(off / chunkSize), skip: int(off % chunkSize)}
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		var data []byte
		err := c.db.QueryRowContext(c.ctx, `SELECT data FROM sync_package_chunks WHERE package_id = $1 AND n = $2`, c.id, c.n).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read package %d chunk %d: %w", c.id, c.n, err)
		}
		c.n++
		c.buf = data[min(c.skip, len(data)):]
		c.skip = 0
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { c.done, c.buf = true, nil; return nil }
