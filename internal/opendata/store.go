package opendata

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Options configure a Store; zero values take the defaults.
type Options struct {
	// MaxUpload bounds one uploaded file (default 200 MiB).
	MaxUpload int64
	// MaxUnzipped bounds what a zip package (XLSX, ODS, ZIP) may expand to
	// (default 1 GiB): larger packages are refused as zip bombs.
	MaxUnzipped int64
	// RequireOpenFormats refuses closed formats (XLS) instead of warning (D47-17.1e).
	RequireOpenFormats bool
	// Rules and Calendar apply the review and update cadences (default: shipped).
	Rules    *rules.Registry
	Calendar *workday.Calendar
	// SyncInterval is how stale the search index may get before a search
	// reloads changes other nodes made (default 2 s).
	SyncInterval time.Duration
}

// Store keeps datasets, resources and their files, the plan and feedback,
// and the search index over published datasets.
type Store struct {
	db       *platform.DB
	filesDir string
	opts     Options
	index    *Index

	syncMu   sync.Mutex
	lastRev  int64
	lastSync time.Time
}

// NewStore opens the store on db with files under filesDir
// ("<data>/opendata") and loads the search index.
func NewStore(ctx context.Context, db *platform.DB, filesDir string, opts Options) (*Store, error) {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 200 << 20
	}
	if opts.MaxUnzipped <= 0 {
		opts.MaxUnzipped = 1 << 30
	}
	if opts.Rules == nil {
		opts.Rules = rules.Default()
	}
	if opts.Calendar == nil {
		opts.Calendar = workday.Default()
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = 2 * time.Second
	}
	for _, d := range []string{filesDir, filepath.Join(filesDir, "tmp"), filepath.Join(filesDir, "resources")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("open data files: %w", err)
		}
	}
	s := &Store{db: db, filesDir: filesDir, opts: opts, index: NewIndex()}
	s.sweepTmp(24 * time.Hour)
	if err := s.syncIndex(ctx); err != nil {
		return nil, fmt.Errorf("load open data index: %w", err)
	}
	return s, nil
}

// MaxUpload is the upload limit in bytes.
func (s *Store) MaxUpload() int64 { return s.opts.MaxUpload }

// Index is the search index (kept in step with the store).
func (s *Store) Index() *Index { return s.index }

func (s *Store) tmpDir() string { return filepath.Join(s.filesDir, "tmp") }

// sweepTmp removes temporary uploads older than age, left by a process that
// stopped mid-upload (younger ones may belong to a running upload).
func (s *Store) sweepTmp(age time.Duration) {
	ents, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			_ = os.Remove(filepath.Join(s.tmpDir(), e.Name()))
		}
	}
}

func (s *Store) now() time.Time { return s.db.Now().UTC() }

// newUID returns a random UUID (version 4), the id CKAN clients expect.
func newUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return string(out)
}

// nextRev takes the next change number; the row lock orders concurrent
// writers, so revisions become visible in the order they were taken.
func nextRev(ctx context.Context, tx platform.Tx) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, `UPDATE od_counter SET rev = rev + 1 WHERE id = 1 RETURNING rev`).Scan(&rev)
	return rev, err
}

func touchDataset(ctx context.Context, tx platform.Tx, id int64, now time.Time) error {
	rev, err := nextRev(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE od_datasets SET rev = $1, updated_at = $2 WHERE id = $3`, rev, now, id)
	return err
}

// addVersion records a published change: the dataset's version goes up by
// one with a note (its public changelog).
func addVersion(ctx context.Context, tx platform.Tx, datasetID, actor int64, note string, now time.Time) error {
	var v int
	if err := tx.QueryRowContext(ctx, `UPDATE od_datasets SET version = version + 1 WHERE id = $1 RETURNING version`, datasetID).Scan(&v); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO od_dataset_versions (dataset_id, version, note, created_by, created_at) VALUES ($1,$2,$3,$4,$5)`,
		datasetID, v, note, actor, now)
	return err
}

// versionAndTouch records a published change (addVersion) and marks the
// dataset changed.
func versionAndTouch(ctx context.Context, tx platform.Tx, id, actor int64, note string, now time.Time) error {
	if err := addVersion(ctx, tx, id, actor, note, now); err != nil {
		return err
	}
	return touchDataset(ctx, tx, id, now)
}

func datasetSearchText(in DatasetInput) string {
	return platform.Fold(strings.Join(append([]string{in.Name, in.Title, in.Notes}, in.Tags...), " "))
}

// changeDataset runs change on dataset id in a transaction, then refreshes
// the search index and returns the dataset as it now is.
func (s *Store) changeDataset(ctx context.Context, id int64, change func(tx platform.Tx, now time.Time) error) (Dataset, error) {
	if err := s.db.Tx(ctx, change); err != nil {
		return Dataset{}, err
	}
	_ = s.syncIndex(ctx)
	return s.Dataset(ctx, id)
}

// CreateDataset adds a draft dataset. A name already taken gets a numeric
// suffix when it was derived from the title, and is refused when given.
func (s *Store) CreateDataset(ctx context.Context, actor int64, in DatasetInput) (Dataset, error) {
	explicit := strings.TrimSpace(in.Name) != ""
	if err := in.Validate(); err != nil {
		return Dataset{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if err := checkOrg(ctx, tx, in.OrgID); err != nil {
			return err
		}
		name := in.Name
		for i := 2; ; i++ {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_datasets WHERE name = $1`, name).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				break
			}
			if explicit {
				return platform.FieldError("name", "duplicate_name", "the URL name %q is taken", name)
			}
			name = fmt.Sprintf("%s-%d", strings.TrimRight(in.Name[:min(len(in.Name), 95)], "-"), i)
		}
		in.Name = name
		rev, err := nextRev(ctx, tx)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO od_datasets (uid, name, org_id, title, notes, license_id, frequency,
			temporal_from, temporal_to, spatial, contact_name, contact_email, state, search_text, created_by, created_at, updated_at, rev)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'draft',$13,$14,$15,$15,$16) RETURNING id`,
			newUID(), in.Name, in.OrgID, in.Title, in.Notes, in.LicenseID, in.Frequency, in.TemporalFrom, in.TemporalTo,
			in.Spatial, in.ContactName, in.ContactEmail, datasetSearchText(in), actor, now, rev).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("name", "duplicate_name", "the URL name %q is taken", in.Name)
		}
		if err != nil {
			return fmt.Errorf("insert dataset: %w", err)
		}
		return writeTagsThemes(ctx, tx, id, in)
	})
	if err != nil {
		return Dataset{}, err
	}
	return s.Dataset(ctx, id)
}

func checkOrg(ctx context.Context, q platform.Querier, orgID int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, orgID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return platform.FieldError("org_id", "unknown_org", "organisation %d does not exist", orgID)
	}
	return nil
}

func writeTagsThemes(ctx context.Context, tx platform.Tx, id int64, in DatasetInput) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM od_dataset_tags WHERE dataset_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM od_dataset_themes WHERE dataset_id = $1`, id); err != nil {
		return err
	}
	for i, t := range in.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO od_dataset_tags (dataset_id, tag, position) VALUES ($1,$2,$3)`, id, t, i); err != nil {
			return err
		}
	}
	for _, t := range in.Themes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO od_dataset_themes (dataset_id, theme) VALUES ($1,$2)`, id, t); err != nil {
			return err
		}
	}
	return nil
}

// UpdateDataset replaces a dataset's metadata. A change to a published
// dataset raises its version with the note given.
func (s *Store) UpdateDataset(ctx context.Context, actor, id int64, in DatasetInput) (Dataset, error) {
	explicit := strings.TrimSpace(in.Name) != ""
	if err := in.Validate(); err != nil {
		return Dataset{}, err
	}
	return s.changeDataset(ctx, id, func(tx platform.Tx, now time.Time) error {
		row, err := lockDataset(ctx, tx, id)
		if err != nil {
			return err
		}
		if !explicit {
			in.Name = row.name
		}
		if err := checkOrg(ctx, tx, in.OrgID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE od_datasets SET name=$1, org_id=$2, title=$3, notes=$4, license_id=$5, frequency=$6,
			temporal_from=$7, temporal_to=$8, spatial=$9, contact_name=$10, contact_email=$11, search_text=$12 WHERE id=$13`,
			in.Name, in.OrgID, in.Title, in.Notes, in.LicenseID, in.Frequency, in.TemporalFrom, in.TemporalTo, in.Spatial,
			in.ContactName, in.ContactEmail, datasetSearchText(in), id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("name", "duplicate_name", "the URL name %q is taken", in.Name)
		}
		if err != nil {
			return fmt.Errorf("update dataset: %w", err)
		}
		if err := writeTagsThemes(ctx, tx, id, in); err != nil {
			return err
		}
		if row.state != StatePublished {
			return touchDataset(ctx, tx, id, now)
		}
		note := in.VersionNote
		if note == "" {
			note = "Metadata updated"
		}
		return versionAndTouch(ctx, tx, id, actor, note, now)
	})
}

// Publish makes a draft or withdrawn dataset public. Every resource must
// have an accepted revision: a resource held by its publication check
// (D47-20.1) blocks the whole dataset, so nothing is half-published.
func (s *Store) Publish(ctx context.Context, actor, id int64, note string) (Dataset, error) {
	return s.changeDataset(ctx, id, func(tx platform.Tx, now time.Time) error {
		row, err := lockDataset(ctx, tx, id)
		if err != nil {
			return err
		}
		if row.state == StatePublished {
			return platform.Errorf(platform.EConflict, "already_published", "the dataset is already published")
		}
		rows, err := tx.QueryContext(ctx, `SELECT name, current_rev IS NOT NULL FROM od_resources WHERE dataset_id = $1 ORDER BY position, id`, id)
		if err != nil {
			return err
		}
		var held []string
		count := 0
		for rows.Next() {
			var name string
			var live bool
			if err := rows.Scan(&name, &live); err != nil {
				rows.Close()
				return err
			}
			count++
			if !live {
				held = append(held, "\u201c"+name+"\u201d")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if count == 0 {
			return platform.Errorf(platform.EConflict, "no_resources", "add at least one resource before publishing")
		}
		if len(held) > 0 {
			// D47-20.1: publication waits for an officer's decision on possible personal information.
			return platform.Errorf(platform.EConflict, "held_by_check",
				"resource %s is held by its publication check: confirm it holds no personal information, replace or remove it first", strings.Join(held, ", "))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE od_datasets SET state = 'published', published_at = COALESCE(published_at, $1),
			data_updated_at = COALESCE(data_updated_at, $1) WHERE id = $2`, now, id); err != nil {
			return err
		}
		if note == "" {
			note = "Published"
		}
		return versionAndTouch(ctx, tx, id, actor, note, now)
	})
}

// Withdraw takes a published dataset off the portal, with a reason.
func (s *Store) Withdraw(ctx context.Context, actor, id int64, reason string) (Dataset, error) {
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, 3, 1000); err != nil {
		return Dataset{}, err
	}
	return s.changeDataset(ctx, id, func(tx platform.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE od_datasets SET state = 'withdrawn' WHERE id = $1 AND state = 'published'`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return platform.Errorf(platform.EConflict, "not_published", "only a published dataset can be withdrawn")
		}
		return versionAndTouch(ctx, tx, id, actor, "Withdrawn: "+reason, now)
	})
}

// DeleteDataset removes a draft that was never published, with its files.
func (s *Store) DeleteDataset(ctx context.Context, id int64) error {
	var paths []string
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var state string
		var published sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT state, published_at FROM od_datasets WHERE id = $1`, id).Scan(&state, &published)
		if errors.Is(err, sql.ErrNoRows) {
			return platform.NotFound("dataset")
		}
		if err != nil {
			return err
		}
		if published.Valid {
			return platform.Errorf(platform.EConflict, "was_published", "a dataset that was published cannot be deleted; withdraw it instead")
		}
		if paths, err = revisionFiles(ctx, tx, `SELECT path FROM od_revisions WHERE dataset_id = $1 AND path <> ''`, id); err != nil {
			return err
		}
		for _, q := range []string{`UPDATE od_requests SET dataset_id = NULL WHERE dataset_id = $1`,
			`UPDATE od_plan_items SET dataset_id = NULL WHERE dataset_id = $1`,
			`DELETE FROM od_revisions WHERE dataset_id = $1`, `DELETE FROM od_resources WHERE dataset_id = $1`,
			`DELETE FROM od_datasets WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range paths {
		s.removeFile(p)
	}
	return nil
}

// execOne runs a statement that must touch a row of kind: none is its 404.
func execOne(ctx context.Context, tx platform.Tx, kind, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return platform.NotFound(kind)
	}
	return nil
}

// revisionFiles lists the stored files of the revisions query selects
// (one path column, one id argument), to remove once the deletion commits.
func revisionFiles(ctx context.Context, tx platform.Tx, query string, id int64) ([]string, error) {
	return platform.QueryColumn[string](ctx, tx, query, id)
}

func (s *Store) removeFile(rel string) {
	if rel == "" {
		return
	}
	full := filepath.Join(s.filesDir, filepath.FromSlash(rel))
	_ = os.Remove(full)
	_ = os.Remove(filepath.Dir(full)) // the resource's folder, when empty
}

// --- reading ---

const datasetColumns = `d.id, d.uid, d.name, d.org_id, o.code, o.name, o.path, d.title, d.notes, d.license_id, d.frequency,
	d.temporal_from, d.temporal_to, d.spatial, d.contact_name, d.contact_email, d.state, d.version, d.created_at,
	d.updated_at, d.published_at, d.data_updated_at`

func scanDataset(row interface{ Scan(...any) error }) (Dataset, error) {
	var d Dataset
	var pub, upd sql.NullTime
	err := row.Scan(&d.ID, &d.UID, &d.Name, &d.OrgID, &d.OrgCode, &d.OrgName, &d.OrgPath, &d.Title, &d.Notes, &d.LicenseID,
		&d.Frequency, &d.TemporalFrom, &d.TemporalTo, &d.Spatial, &d.ContactName, &d.ContactEmail, &d.State, &d.Version,
		&d.CreatedAt, &d.UpdatedAt, &pub, &upd)
	d.PublishedAt = nullTime(pub)
	d.DataUpdatedAt = nullTime(upd)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// Dataset returns one dataset with its resources, in any state.
func (s *Store) Dataset(ctx context.Context, id int64) (Dataset, error) {
	ds, err := s.loadDatasets(ctx, s.db.Read, `d.id = $1`, id)
	if err != nil {
		return Dataset{}, err
	}
	if len(ds) == 0 {
		return Dataset{}, platform.NotFound("dataset")
	}
	return ds[0], nil
}

// DatasetByName returns a dataset by its URL name or its uid.
func (s *Store) DatasetByName(ctx context.Context, name string) (Dataset, error) {
	ds, err := s.loadDatasets(ctx, s.db.Read, `(d.name = $1 OR d.uid = $1)`, name)
	if err != nil {
		return Dataset{}, err
	}
	if len(ds) == 0 {
		return Dataset{}, platform.NotFound("dataset")
	}
	return ds[0], nil
}

// PublishedByName returns a published dataset (404 for drafts and withdrawn ones).
func (s *Store) PublishedByName(ctx context.Context, name string) (Dataset, error) {
	d, err := s.DatasetByName(ctx, name)
	if err != nil {
		return d, err
	}
	if !d.Published() {
		return Dataset{}, platform.NotFound("dataset")
	}
	return d, nil
}

// PublishedByIDs loads published datasets in the order of ids.
func (s *Store) PublishedByIDs(ctx context.Context, ids []int64) ([]Dataset, error) {
	if len(ids) == 0 {
		return []Dataset{}, nil
	}
	ph, args := inList(ids, 1)
	ds, err := s.loadDatasets(ctx, s.db.Read, `d.state = 'published' AND d.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, err
	}
	pos := map[int64]int{}
	for i, id := range ids {
		pos[id] = i
	}
	sort.Slice(ds, func(i, j int) bool { return pos[ds[i].ID] < pos[ds[j].ID] })
	return ds, nil
}

func inList(ids []int64, next int) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(next+i)
		args[i] = id
	}
	return strings.Join(ph, ","), args
}

// loadDatasets reads datasets matching where, with tags, themes, resources
// and their revisions, in a few queries whatever the number of datasets.
func (s *Store) loadDatasets(ctx context.Context, q platform.Querier, where string, args ...any) ([]Dataset, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+datasetColumns+` FROM od_datasets d JOIN organisations o ON o.id = d.org_id
		WHERE `+where+` ORDER BY d.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		d.Tags, d.Themes, d.Resources = []string{}, []string{}, []Resource{}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	byID := map[int64]*Dataset{}
	ids := make([]int64, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
		ids[i] = out[i].ID
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		if err := s.loadChildren(ctx, q, chunk, byID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachLabel hands each (dataset id, text) row of query to add, in order.
func eachLabel(ctx context.Context, q platform.Querier, query string, args []any, add func(id int64, label string)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var label string
		if err := rows.Scan(&id, &label); err != nil {
			return err
		}
		add(id, label)
	}
	return rows.Err()
}

func (s *Store) loadChildren(ctx context.Context, q platform.Querier, ids []int64, byID map[int64]*Dataset) error {
	ph, args := inList(ids, 1)
	err := eachLabel(ctx, q, `SELECT dataset_id, tag FROM od_dataset_tags WHERE dataset_id IN (`+ph+`) ORDER BY dataset_id, position`, args,
		func(id int64, t string) { byID[id].Tags = append(byID[id].Tags, t) })
	if err != nil {
		return err
	}
	err = eachLabel(ctx, q, `SELECT dataset_id, theme FROM od_dataset_themes WHERE dataset_id IN (`+ph+`) ORDER BY dataset_id, theme`, args,
		func(id int64, t string) { byID[id].Themes = append(byID[id].Themes, t) })
	if err != nil {
		return err
	}
	revs := map[int64]*Revision{}
	rows, err := q.QueryContext(ctx, `SELECT `+revisionColumns+` FROM od_revisions v WHERE v.dataset_id IN (`+ph+`) AND v.resource_id IS NOT NULL`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		v, _, err := scanRevision(rows)
		if err != nil {
			rows.Close()
			return err
		}
		revs[v.ID] = &v
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, uid, dataset_id, position, name, description, format, kind, current_rev, pending_rev,
		downloads, created_at, updated_at FROM od_resources WHERE dataset_id IN (`+ph+`) ORDER BY dataset_id, position, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r Resource
		var cur, pend sql.NullInt64
		if err := rows.Scan(&r.ID, &r.UID, &r.DatasetID, &r.Position, &r.Name, &r.Description, &r.Format, &r.Kind, &cur, &pend,
			&r.Downloads, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return err
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if cur.Valid {
			r.Current = revs[cur.Int64]
		}
		if pend.Valid {
			r.Pending = revs[pend.Int64]
		}
		d := byID[r.DatasetID]
		d.Resources = append(d.Resources, r)
		d.Downloads += r.Downloads
	}
	return rows.Err()
}

const revisionColumns = `v.id, v.resource_id, v.version, v.url, v.file_name, v.path, v.media_type, v.size, v.sha256, v.encoding,
	v.check_outcome, v.check_result, v.checked_at, v.confirmed_by, v.confirmed_at, v.confirm_note, v.created_by, v.created_at`

func scanRevision(row interface{ Scan(...any) error }) (Revision, int64, error) {
	var v Revision
	var resID sql.NullInt64
	var result string
	var confBy sql.NullInt64
	var confAt sql.NullTime
	err := row.Scan(&v.ID, &resID, &v.Version, &v.URL, &v.FileName, &v.Path, &v.MediaType, &v.Size, &v.SHA256, &v.Encoding,
		&v.Check.Outcome, &result, &v.Check.CheckedAt, &confBy, &confAt, &v.Check.ConfirmNote, &v.CreatedBy, &v.CreatedAt)
	if err != nil {
		return v, 0, err
	}
	var stored struct {
		Findings []Finding `json:"findings"`
		Warnings []string  `json:"warnings"`
		Rows     int64     `json:"rows"`
		Columns  []string  `json:"columns"`
	}
	_ = json.Unmarshal([]byte(result), &stored)
	v.Check.Findings, v.Check.Warnings, v.Check.Rows, v.Check.Columns = stored.Findings, stored.Warnings, stored.Rows, stored.Columns
	if v.Check.Findings == nil {
		v.Check.Findings = []Finding{}
	}
	if v.Check.Warnings == nil {
		v.Check.Warnings = []string{}
	}
	v.Check.ConfirmedBy = confBy.Int64
	v.Check.ConfirmedAt = nullTime(confAt)
	v.Check.CheckedAt = v.Check.CheckedAt.UTC()
	v.CreatedAt = v.CreatedAt.UTC()
	return v, resID.Int64, nil
}

// ManagedFilter selects datasets for publishers.
type ManagedFilter struct {
	// Under limits to organisation subtrees (identity.Principal.Scope); nil = all.
	Under []string
	OrgID int64
	State string
	Query string
	Page  platform.Page
}

// ListManaged lists datasets in any state for publishers, newest first.
func (s *Store) ListManaged(ctx context.Context, f ManagedFilter) (platform.PageResult[Dataset], error) {
	cond, args := identity.ScopeSQL("o.path", f.Under, 1)
	conds := []string{cond}
	if f.OrgID > 0 {
		args = append(args, f.OrgID)
		conds = append(conds, "d.org_id = $"+strconv.Itoa(len(args)))
	}
	if f.State != "" {
		args = append(args, f.State)
		conds = append(conds, "d.state = $"+strconv.Itoa(len(args)))
	}
	for _, t := range platform.Tokens(f.Query) {
		args = append(args, "%"+t+"%")
		conds = append(conds, "d.search_text LIKE $"+strconv.Itoa(len(args)))
	}
	if f.Page.After > 0 {
		args = append(args, f.Page.After)
		conds = append(conds, "d.id < $"+strconv.Itoa(len(args)))
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = 50
	}
	ids, err := platform.QueryIDs(ctx, s.db.Read, `SELECT d.id FROM od_datasets d JOIN organisations o ON o.id = d.org_id WHERE `+
		strings.Join(conds, " AND ")+` ORDER BY d.id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return platform.PageResult[Dataset]{}, err
	}
	var ds []Dataset
	if len(ids) > 0 {
		ph, a := inList(ids, 1)
		ds, err = s.loadDatasets(ctx, s.db.Read, `d.id IN (`+ph+`)`, a...)
		if err != nil {
			return platform.PageResult[Dataset]{}, err
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i].ID > ds[j].ID })
	}
	return platform.NewPageResult(ds, platform.Page{Limit: limit}, func(d Dataset) int64 { return d.ID }), nil
}

// VersionEntry is one line of a dataset's changelog.
type VersionEntry struct {
	Version   int       `json:"version"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Versions returns the changelog, newest first.
func (s *Store) Versions(ctx context.Context, datasetID int64) ([]VersionEntry, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT version, note, created_at FROM od_dataset_versions WHERE dataset_id = $1 ORDER BY version DESC`, datasetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VersionEntry{}
	for rows.Next() {
		var v VersionEntry
		if err := rows.Scan(&v.Version, &v.Note, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// --- the search index ---

// docOf builds the index document of a published dataset.
func docOf(d Dataset) *Doc {
	summary := d.Notes
	if r := []rune(summary); len(r) > 240 {
		summary = string(r[:240]) + "…"
	}
	modified := d.UpdatedAt
	return &Doc{ID: d.ID, Name: d.Name, Title: d.Title, Summary: summary, OrgName: OrgName(d.OrgCode), OrgTitle: d.OrgName,
		Tags: d.Tags, Themes: d.Themes, Formats: d.Formats(), LicenseID: d.LicenseID, Frequency: d.Frequency,
		NumResources: len(d.PublicResources()), Stars: d.Stars(), Downloads: d.Downloads, Created: d.CreatedAt, Modified: modified}
}

// syncIndex applies the changes made since the last sync (by this node or
// another sharing the database) to the search index.
func (s *Store) syncIndex(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	for {
		rows, err := s.db.Read.QueryContext(ctx, `SELECT id, rev FROM od_datasets WHERE rev > $1 ORDER BY rev LIMIT 2000`, s.lastRev)
		if err != nil {
			return err
		}
		var ids []int64
		maxRev := s.lastRev
		for rows.Next() {
			var id, rev int64
			if err := rows.Scan(&id, &rev); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			maxRev = max(maxRev, rev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		ph, args := inList(ids, 1)
		ds, err := s.loadDatasets(ctx, s.db.Read, `d.id IN (`+ph+`)`, args...)
		if err != nil {
			return err
		}
		present := map[int64]bool{}
		for _, d := range ds {
			present[d.ID] = true
			if d.Published() {
				s.index.Put(docOf(d))
			} else {
				s.index.Remove(d.ID)
			}
		}
		for _, id := range ids {
			if !present[id] {
				s.index.Remove(id)
			}
		}
		s.lastRev = maxRev
		if len(ids) < 2000 {
			break
		}
	}
	s.lastSync = time.Now()
	return nil
}

// freshIndex syncs the index when it may be stale (another node's writes).
func (s *Store) freshIndex(ctx context.Context) *Index {
	s.syncMu.Lock()
	stale := time.Since(s.lastSync) > s.opts.SyncInterval
	s.syncMu.Unlock()
	if stale {
		if err := s.syncIndex(ctx); err != nil {
			platform.Logger(ctx).Warn("open data index sync failed", "err", err)
		}
	}
	return s.index
}

// Search runs a query on the (fresh) index.
func (s *Store) Search(ctx context.Context, q Query) Result {
	return s.freshIndex(ctx).Search(q)
}
