package opendata

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// accepted reports whether a new revision may serve the public at once:
// a clean check, or unreadable content the uploader confirmed at upload.
func accepted(c Check, in ResourceInput) bool {
	return c.Outcome == CheckClean || c.Outcome == CheckUnscanned && in.ConfirmNoPersonalData
}

func confirmNote(in ResourceInput) string {
	if in.ConfirmNote != "" {
		return in.ConfirmNote
	}
	return "Confirmed at upload: holds no personal information"
}

type datasetRow struct {
	state string
	name  string
}

func lockDataset(ctx context.Context, tx platform.Tx, id int64) (datasetRow, error) {
	var d datasetRow
	err := tx.QueryRowContext(ctx, `SELECT state, name FROM od_datasets WHERE id = $1`, id).Scan(&d.state, &d.name)
	if errors.Is(err, sql.ErrNoRows) {
		return d, platform.NotFound("dataset")
	}
	return d, err
}

// insertRevision records a revision and moves its file (if any) into
// place; *moved receives the final path so a failed transaction can remove it.
func (s *Store) insertRevision(ctx context.Context, tx platform.Tx, datasetID, resID int64, resUID, resName string, version int,
	ing *ingested, link string, mediaType string, check Check, confirm bool, note string, actor int64, now time.Time, moved *string) (int64, error) {
	rel := ""
	fileName := ""
	var size int64
	sha, enc := "", ""
	if ing != nil {
		rel = path.Join("resources", resUID, fmt.Sprintf("%d-%s%s", version, ing.sha256[:12], ing.format.Ext()))
		full := filepath.Join(s.filesDir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
			return 0, err
		}
		if err := os.Rename(ing.tmp, full); err != nil {
			return 0, fmt.Errorf("store upload: %w", err)
		}
		ing.tmp = ""
		*moved = full
		size, sha, enc = ing.size, ing.sha256, ing.encoding
		fileName = ing.fileName
		mediaType = ing.format.MediaType
	}
	result, _ := json.Marshal(map[string]any{"findings": check.Findings, "warnings": check.Warnings, "rows": check.Rows, "columns": check.Columns})
	var confBy, confAt any
	confNote := ""
	if confirm {
		confBy, confAt, confNote = actor, now, note
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO od_revisions (dataset_id, resource_id, resource_name, version, url, file_name, path,
		media_type, size, sha256, encoding, check_outcome, check_result, checked_at, confirmed_by, confirmed_at, confirm_note,
		created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$14) RETURNING id`,
		datasetID, resID, resName, version, link, fileName, rel, mediaType, size, sha, enc, check.Outcome, string(result), now,
		confBy, confAt, confNote, actor).Scan(&id)
	return id, err
}

// ingestResource checks a resource's fields, then ingests its file (the
// caller discards it), so a bad field is refused before any byte is read.
func (s *Store) ingestResource(in *ResourceInput, fileName string, src io.Reader) (*ingested, error) {
	var v platform.Validation
	in.validate(&v, fileName)
	// A declared format is checked with the other fields; the file's own
	// format and content are checked as it is read.
	if in.Format != "" {
		if f := FormatOf(in.Format); f.Code == "" {
			v.Add("format", "unsupported_format", "unsupported format %q; accepted: %s", in.Format, uploadFormatList())
		} else if f.LinkOnly {
			v.Add("format", "link_only_format", "%s resources are links to a service; add a link instead of a file", f.Code)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ing, err := s.ingest(src, fileName, in.Format)
	if err != nil {
		return nil, err
	}
	ing.fileName = cleanFileName(fileName, ing.format)
	return ing, nil
}

// AddUpload streams a file into a new resource of a dataset. The file is
// checked before anything is recorded: malformed content, a wrong format or
// a zip bomb refuses the upload; possible personal information records the
// resource but holds it until an officer decides (D47-20.1).
func (s *Store) AddUpload(ctx context.Context, actor, datasetID int64, in ResourceInput, fileName string, src io.Reader) (Resource, error) {
	ing, err := s.ingestResource(&in, fileName, src)
	if err != nil {
		return Resource{}, err
	}
	defer ing.discard()
	var resID int64
	moved := ""
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		d, err := lockDataset(ctx, tx, datasetID)
		if err != nil {
			return err
		}
		resID, err = insertResource(ctx, tx, datasetID, in, ing.format.Code, KindUpload, now)
		if err != nil {
			return err
		}
		var uid string
		if err := tx.QueryRowContext(ctx, `SELECT uid FROM od_resources WHERE id = $1`, resID).Scan(&uid); err != nil {
			return err
		}
		ok := accepted(ing.check, in)
		revID, err := s.insertRevision(ctx, tx, datasetID, resID, uid, in.Name, 1, ing, "", "", ing.check,
			ok && ing.check.Outcome == CheckUnscanned, confirmNote(in), actor, now, &moved)
		if err != nil {
			return err
		}
		return s.afterNewRevision(ctx, tx, datasetID, resID, revID, ok, d, "Added resource: "+in.Name, actor, now)
	})
	if err != nil {
		if moved != "" {
			_ = os.Remove(moved)
		}
		return Resource{}, err
	}
	_ = s.syncIndex(ctx)
	r, _, err := s.Resource(ctx, resID)
	return r, err
}

func quote(s string) string { return "\u201c" + s + "\u201d" }

func cleanFileName(name string, f Format) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == '"' || r == '/' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." {
		name = "data" + f.Ext()
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

func insertResource(ctx context.Context, tx platform.Tx, datasetID int64, in ResourceInput, format, kind string, now time.Time) (int64, error) {
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM od_resources WHERE dataset_id = $1`, datasetID).Scan(&pos); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO od_resources (uid, dataset_id, position, name, description, format, kind, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`, newUID(), datasetID, pos, in.Name, in.Description, format, kind, now).Scan(&id)
	return id, err
}

// afterNewRevision points the resource at a new revision: live at once
// when accepted (a published dataset gets a new version), else pending.
func (s *Store) afterNewRevision(ctx context.Context, tx platform.Tx, datasetID, resID, revID int64, ok bool, d datasetRow, note string, actor int64, now time.Time) error {
	if ok {
		if _, err := tx.ExecContext(ctx, `UPDATE od_resources SET current_rev = $1, updated_at = $2 WHERE id = $3`, revID, now, resID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_datasets SET data_updated_at = $1 WHERE id = $2`, now, datasetID); err != nil {
			return err
		}
		if d.state == StatePublished {
			if err := addVersion(ctx, tx, datasetID, actor, note, now); err != nil {
				return err
			}
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE od_resources SET pending_rev = $1, updated_at = $2 WHERE id = $3`, revID, now, resID); err != nil {
		return err
	}
	return touchDataset(ctx, tx, datasetID, now)
}

// ReplaceUpload uploads a new version of an uploaded resource. A clean new
// version replaces the live one at once (the old one stays downloadable as
// an earlier version); one with findings waits for an officer, and the live
// version keeps serving meanwhile. A previous pending version is discarded.
func (s *Store) ReplaceUpload(ctx context.Context, actor, resourceID int64, in ResourceInput, fileName string, src io.Reader) (Resource, error) {
	r, d, err := s.Resource(ctx, resourceID)
	if err != nil {
		return Resource{}, err
	}
	if r.Kind != KindUpload {
		return Resource{}, platform.Errorf(platform.EConflict, "not_upload", "only an uploaded file can be replaced by a file")
	}
	in.Name = r.Name
	if in.Description == "" {
		in.Description = r.Description
	}
	ing, err := s.ingestResource(&in, fileName, src)
	if err != nil {
		return Resource{}, err
	}
	defer ing.discard()
	moved := ""
	var dropped []string
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		row, err := lockDataset(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM od_revisions WHERE resource_id = $1`, r.ID).Scan(&version); err != nil {
			return err
		}
		if dropped, err = discardPending(ctx, tx, r.ID, now); err != nil {
			return err
		}
		ok := accepted(ing.check, in)
		revID, err := s.insertRevision(ctx, tx, d.ID, r.ID, r.UID, r.Name, version, ing, "", "", ing.check,
			ok && ing.check.Outcome == CheckUnscanned, confirmNote(in), actor, now, &moved)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_resources SET format = $1, description = $2 WHERE id = $3`, ing.format.Code, in.Description, r.ID); err != nil {
			return err
		}
		return s.afterNewRevision(ctx, tx, d.ID, r.ID, revID, ok, row, fmt.Sprintf("Updated resource: %s (version %d)", r.Name, version), actor, now)
	})
	if err != nil {
		if moved != "" {
			_ = os.Remove(moved)
		}
		return Resource{}, err
	}
	for _, p := range dropped {
		s.removeFile(p)
	}
	_ = s.syncIndex(ctx)
	r, _, err = s.Resource(ctx, resourceID)
	return r, err
}

// discardPending marks the resource's pending revision discarded and
// returns its file to delete after commit (held content may be personal data).
func discardPending(ctx context.Context, tx platform.Tx, resID int64, now time.Time) ([]string, error) {
	var pend sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT pending_rev FROM od_resources WHERE id = $1`, resID).Scan(&pend); err != nil {
		return nil, err
	}
	if !pend.Valid {
		return nil, nil
	}
	var p string
	if err := tx.QueryRowContext(ctx, `SELECT path FROM od_revisions WHERE id = $1`, pend.Int64).Scan(&p); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE od_revisions SET discarded_at = $1, path = '' WHERE id = $2`, now, pend.Int64); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE od_resources SET pending_rev = NULL WHERE id = $1`, resID); err != nil {
		return nil, err
	}
	if p == "" {
		return nil, nil
	}
	return []string{p}, nil
}

// AddLink adds a resource that points elsewhere (an open API, a file on
// another site). govdx cannot scan it, so it is held unless the officer
// confirms it holds no personal information (D47-20.1).
func (s *Store) AddLink(ctx context.Context, actor, datasetID int64, in ResourceInput) (Resource, error) {
	var v platform.Validation
	in.validate(&v, "")
	u, err := url.Parse(in.URL)
	v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(in.URL) <= 2000,
		"url", "invalid_url", "give the full address, starting with https://")
	if in.Format == "" {
		in.Format = "HTML"
	}
	f := FormatOf(in.Format)
	v.Check(f.Code != "", "format", "unsupported_format", "unsupported format %q", in.Format)
	if err := v.Err(); err != nil {
		return Resource{}, err
	}
	check := Check{Outcome: CheckUnscanned, Findings: []Finding{},
		Warnings: []string{"linked content is not scanned: an officer must confirm it holds no personal information (D47-20.1)"}}
	if !f.Open {
		check.Warnings = append(check.Warnings, fmt.Sprintf("%s is not an open format (D47-17.1e)", f.Code))
	}
	var resID int64
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		d, err := lockDataset(ctx, tx, datasetID)
		if err != nil {
			return err
		}
		resID, err = insertResource(ctx, tx, datasetID, in, f.Code, KindLink, now)
		if err != nil {
			return err
		}
		ok := accepted(check, in)
		moved := ""
		revID, err := s.insertRevision(ctx, tx, datasetID, resID, "", in.Name, 1, nil, in.URL, f.MediaType, check, ok, confirmNote(in), actor, now, &moved)
		if err != nil {
			return err
		}
		return s.afterNewRevision(ctx, tx, datasetID, resID, revID, ok, d, "Added resource: "+in.Name, actor, now)
	})
	if err != nil {
		return Resource{}, err
	}
	_ = s.syncIndex(ctx)
	r, _, err := s.Resource(ctx, resID)
	return r, err
}

// Confirm records an officer's decision that a held revision may be
// published despite its findings (e.g. the phone numbers are those of public
// offices), with the reason; the revision then goes live.
func (s *Store) Confirm(ctx context.Context, actor, resourceID int64, note string) (Resource, error) {
	note = strings.TrimSpace(note)
	if err := checkText("note", note, 3, 1000); err != nil {
		return Resource{}, platform.FieldError("note", "reason_required", "state why the content may be published (at least 3 characters)")
	}
	r, d, err := s.Resource(ctx, resourceID)
	if err != nil {
		return Resource{}, err
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		row, err := lockDataset(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		var pend sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT pending_rev FROM od_resources WHERE id = $1`, r.ID).Scan(&pend); err != nil {
			return err
		}
		if !pend.Valid {
			return platform.Errorf(platform.EConflict, "nothing_held", "nothing waits for confirmation on this resource")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_revisions SET confirmed_by = $1, confirmed_at = $2, confirm_note = $3 WHERE id = $4`,
			actor, now, note, pend.Int64); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_resources SET pending_rev = NULL WHERE id = $1`, r.ID); err != nil {
			return err
		}
		return s.afterNewRevision(ctx, tx, d.ID, r.ID, pend.Int64, true, row, "Publication check confirmed: "+r.Name, actor, now)
	})
	if err != nil {
		return Resource{}, err
	}
	_ = s.syncIndex(ctx)
	r, _, err = s.Resource(ctx, resourceID)
	return r, err
}

// Discard removes a held revision (its file is deleted; the check result
// stays on record). A resource that never went live is removed with it.
func (s *Store) Discard(ctx context.Context, actor, resourceID int64) error {
	r, d, err := s.Resource(ctx, resourceID)
	if err != nil {
		return err
	}
	if r.Pending == nil {
		return platform.Errorf(platform.EConflict, "nothing_held", "nothing waits for confirmation on this resource")
	}
	if r.Current == nil {
		return s.DeleteResource(ctx, actor, resourceID)
	}
	var dropped []string
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if dropped, err = discardPending(ctx, tx, r.ID, now); err != nil {
			return err
		}
		return touchDataset(ctx, tx, d.ID, now)
	})
	if err != nil {
		return err
	}
	for _, p := range dropped {
		s.removeFile(p)
	}
	return nil
}

// DeleteResource removes a resource and its files; the revisions and their
// check results stay on record. A published dataset keeps at least one live
// resource (withdraw it instead).
func (s *Store) DeleteResource(ctx context.Context, actor, resourceID int64) error {
	r, d, err := s.Resource(ctx, resourceID)
	if err != nil {
		return err
	}
	var paths []string
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		row, err := lockDataset(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if row.state == StatePublished && r.Live() {
			var live int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_resources WHERE dataset_id = $1 AND current_rev IS NOT NULL`, d.ID).Scan(&live); err != nil {
				return err
			}
			if live <= 1 {
				return platform.Errorf(platform.EConflict, "last_resource", "a published dataset keeps at least one resource; withdraw the dataset instead")
			}
		}
		if paths, err = revisionFiles(ctx, tx, `SELECT path FROM od_revisions WHERE resource_id = $1 AND path <> ''`, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_revisions SET discarded_at = COALESCE(discarded_at, $1), path = '' WHERE resource_id = $2`, now, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM od_resources WHERE id = $1`, r.ID); err != nil {
			return err
		}
		if row.state == StatePublished && r.Live() {
			if err := addVersion(ctx, tx, d.ID, actor, "Removed resource: "+r.Name, now); err != nil {
				return err
			}
		}
		return touchDataset(ctx, tx, d.ID, now)
	})
	if err != nil {
		return err
	}
	for _, p := range paths {
		s.removeFile(p)
	}
	_ = s.syncIndex(ctx)
	return nil
}

// Resource returns a resource with its dataset.
func (s *Store) Resource(ctx context.Context, id int64) (Resource, Dataset, error) {
	var did int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT dataset_id FROM od_resources WHERE id = $1`, id).Scan(&did)
	if errors.Is(err, sql.ErrNoRows) {
		return Resource{}, Dataset{}, platform.NotFound("resource")
	}
	if err != nil {
		return Resource{}, Dataset{}, err
	}
	d, err := s.Dataset(ctx, did)
	if err != nil {
		return Resource{}, Dataset{}, err
	}
	for _, r := range d.Resources {
		if r.ID == id {
			return r, d, nil
		}
	}
	return Resource{}, Dataset{}, platform.NotFound("resource")
}

// ResourceByUID returns a resource by its uid (CKAN's resource id) or numeric id.
func (s *Store) ResourceByUID(ctx context.Context, uid string) (Resource, Dataset, error) {
	var id int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT id FROM od_resources WHERE uid = $1`, uid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Resource{}, Dataset{}, platform.NotFound("resource")
	}
	if err != nil {
		return Resource{}, Dataset{}, err
	}
	return s.Resource(ctx, id)
}

// RevisionRecord is a revision in a dataset's check history.
type RevisionRecord struct {
	Revision
	ResourceID   int64      `json:"resource_id"`
	ResourceName string     `json:"resource_name"`
	DiscardedAt  *time.Time `json:"discarded_at,omitempty"`
}

// CheckHistory lists every revision of a dataset's resources with its kept
// check result, newest first, including discarded ones.
func (s *Store) CheckHistory(ctx context.Context, datasetID int64) ([]RevisionRecord, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+revisionColumns+`, v.resource_name, v.discarded_at FROM od_revisions v
		WHERE v.dataset_id = $1 ORDER BY v.id DESC`, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RevisionRecord{}
	for rows.Next() {
		var rec RevisionRecord
		var disc sql.NullTime
		var name string
		v, resID, err := scanRevision(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &name, &disc)...)
		}))
		if err != nil {
			return nil, err
		}
		rec.Revision, rec.ResourceID, rec.ResourceName, rec.DiscardedAt = v, resID, name, nullTime(disc)
		out = append(out, rec)
	}
	return out, rows.Err()
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Revision returns one accepted revision of a resource by version (earlier
// versions stay downloadable).
func (s *Store) Revision(ctx context.Context, resourceID int64, version int) (Revision, error) {
	v, _, err := scanRevision(s.db.Read.QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM od_revisions v
		WHERE v.resource_id = $1 AND v.version = $2 AND v.discarded_at IS NULL`, resourceID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return Revision{}, platform.NotFound("version")
	}
	if err == nil && v.Check.Held() {
		return Revision{}, platform.NotFound("version")
	}
	return v, err
}

// Revisions lists the accepted versions of a resource, newest first.
func (s *Store) Revisions(ctx context.Context, resourceID int64) ([]Revision, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+revisionColumns+` FROM od_revisions v
		WHERE v.resource_id = $1 AND v.discarded_at IS NULL ORDER BY v.version DESC`, resourceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		v, _, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		if !v.Check.Held() {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

// OpenFile opens a revision's stored file.
func (s *Store) OpenFile(v Revision) (*os.File, error) {
	if v.Path == "" {
		return nil, platform.NotFound("file")
	}
	f, err := os.Open(filepath.Join(s.filesDir, filepath.FromSlash(v.Path)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, platform.NotFound("file")
	}
	return f, err
}

// FilePath is the absolute path of a revision's file (for previews).
func (s *Store) FilePath(v Revision) string {
	return filepath.Join(s.filesDir, filepath.FromSlash(v.Path))
}

// CountDownload adds one to a resource's download count.
func (s *Store) CountDownload(ctx context.Context, resourceID int64) error {
	_, err := s.db.Write.ExecContext(ctx, `UPDATE od_resources SET downloads = downloads + 1 WHERE id = $1`, resourceID)
	return err
}
