package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Version is one recorded state of a service description (D47-25.2) with
// the field-level changes from the version before it.
type Version struct {
	Version   int             `json:"version"`
	Action    string          `json:"action"` // create, update, ready, publish, retire, draft
	ChangedAt time.Time       `json:"changed_at"`
	ChangedBy string          `json:"changed_by"`
	Snapshot  json.RawMessage `json:"snapshot"`
	Changes   []Change        `json:"changes"`
}

// Change is one field that differs between two versions. Field is a path
// such as "name", "items.ma_so_thue.label" or "schema.properties.x.type";
// Old is empty for an added field and New for a removed one.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// snapshotOf is what a version keeps: the whole service description.
func snapshotOf(sv Service) Service { return sv }

// Versions returns a service's history, newest first, each with its changes.
func (s *Store) Versions(ctx context.Context, serviceID int64) ([]Version, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT version, action, snapshot, changed_at, changed_by_name
		FROM catalog_service_versions WHERE service_id = $1 ORDER BY version`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var snap string
		if err := rows.Scan(&v.Version, &v.Action, &snap, &v.ChangedAt, &v.ChangedBy); err != nil {
			return nil, err
		}
		v.ChangedAt = v.ChangedAt.UTC()
		v.Snapshot = json.RawMessage(snap)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var prev json.RawMessage
	for i := range out {
		out[i].Changes = Diff(prev, out[i].Snapshot)
		prev = out[i].Snapshot
	}
	// Newest first: what changed last is what readers look for.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// diffIgnored are bookkeeping fields that change with every version.
var diffIgnored = map[string]bool{"version": true, "updated_at": true, "updated_by": true, "created_at": true, "provider_name": true}

// Diff compares two service snapshots field by field. Data items are
// compared by key, the schema by JSON path, so a reordering or reindenting
// does not show as a change.
func Diff(old, cur json.RawMessage) []Change {
	a, b := flattenSnapshot(old), flattenSnapshot(cur)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	out := []Change{}
	for k := range keys {
		if a[k] != b[k] {
			out = append(out, Change{Field: k, Old: a[k], New: b[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func flattenSnapshot(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for k, v := range m {
		if diffIgnored[k] {
			continue
		}
		switch k {
		case "items":
			// Key items by their key, not their position.
			list, _ := v.([]any)
			for _, x := range list {
				it, _ := x.(map[string]any)
				key, _ := it["key"].(string)
				for f, fv := range it {
					if f == "key" || f == "element_code" || f == "element_name" {
						continue
					}
					flatten(out, "items."+key+"."+f, fv)
				}
			}
		case "schema":
			str, _ := v.(string)
			var doc any
			if json.Unmarshal([]byte(str), &doc) == nil {
				flatten(out, "schema", doc)
			} else {
				out["schema"] = str
			}
		case "database_ids":
			list, _ := v.([]any)
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i] = scalar(x)
			}
			out[k] = strings.Join(parts, ", ")
		default:
			flatten(out, k, v)
		}
	}
	return out
}

func flatten(out map[string]string, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
		}
		for k, y := range x {
			flatten(out, path+"."+k, y)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "[]"
		}
		for i, y := range x {
			flatten(out, path+"["+strconv.Itoa(i)+"]", y)
		}
	default:
		if s := scalar(v); s != "" {
			out[path] = s
		}
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Redacted returns the version without what only the provider may see (the
// upstream endpoint is internal network detail).
func (v Version) Redacted() Version {
	var m map[string]any
	if json.Unmarshal(v.Snapshot, &m) == nil {
		delete(m, "upstream_url")
		if b, err := json.Marshal(m); err == nil {
			v.Snapshot = b
		}
	}
	var ch []Change
	for _, c := range v.Changes {
		if c.Field != "upstream_url" {
			ch = append(ch, c)
		}
	}
	if ch == nil {
		ch = []Change{}
	}
	v.Changes = ch
	return v
}
