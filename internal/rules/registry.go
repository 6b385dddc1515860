package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/govdx/govdx/internal/workday"
)

// shippedRules is the rules file released with govdx.
//
//go:embed rules.json
var shippedRules []byte

// OriginShipped is the Origin of versions from the embedded rules file.
const OriginShipped = "shipped"

// ErrNotFound reports that no version of a rule is in force on a date (or
// that the key is unknown).
var ErrNotFound = errors.New("rule not found")

// Registry holds the versions of every rule. It is immutable and safe for
// concurrent use.
type Registry struct {
	byKey map[string][]Rule // versions sorted by EffectiveFrom, never overlapping
}

// The rules file format (JSON), shipped and operator's alike:
//
//	{"rules": [
//	  {"id": "D47-35.3/D194-40.3",
//	   "key": "connection_request.decision_deadline",
//	   "title_vi": "...", "title_en": "...",
//	   "kind": "deadline",            // deadline (default) | cadence | notice
//	   "value": 2, "unit": "working_days", // working_days | days | months | annual_date (MMDD)
//	   "source": "Decree 47/2020/NĐ-CP art. 35.3, amended by Decree 194/2025/NĐ-CP art. 40",
//	   "effective_from": "2025-08-19",
//	   "effective_to": "",            // optional, inclusive; empty or absent = open-ended
//	   "note": "..."}                 // optional
//	]}
//
// Unknown fields are rejected so that a misspelt field is not silently
// ignored. Within one file the versions of a key must not overlap.

// Parse reads a rules file and validates it; name is used in error messages
// and becomes each version's Origin. All problems are reported together.
func Parse(r io.Reader, name string) ([]Rule, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var file struct {
		Rules []Rule `json:"rules"`
	}
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: unexpected data after the rules object", name)
	}
	var errs []error
	for i := range file.Rules {
		r := &file.Rules[i]
		r.Origin = name
		if err := r.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: rule #%d (%s): %w", name, i+1, r.Key, err))
		}
	}
	if len(errs) == 0 {
		errs = append(errs, checkOverlaps(file.Rules, name))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return file.Rules, nil
}

// checkOverlaps reports keys whose versions overlap in time.
func checkOverlaps(rules []Rule, name string) error {
	var errs []error
	for key, vs := range group(rules) {
		for i := 1; i < len(vs); i++ {
			prev, cur := vs[i-1], vs[i]
			if prev.EffectiveTo.IsZero() || !prev.EffectiveTo.Before(cur.EffectiveFrom) {
				errs = append(errs, fmt.Errorf("%s: key %s: versions %s (%s) and %s (%s) overlap",
					name, key, prev.ID, prev.PeriodText(), cur.ID, cur.PeriodText()))
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// group sorts versions by key and start date.
func group(rules []Rule) map[string][]Rule {
	m := map[string][]Rule{}
	for _, r := range rules {
		m[r.Key] = append(m[r.Key], r)
	}
	for _, vs := range m {
		slices.SortStableFunc(vs, func(a, b Rule) int { return a.EffectiveFrom.Compare(b.EffectiveFrom) })
	}
	return m
}

// New builds a registry from the given versions, validating them.
func New(rules []Rule) (*Registry, error) {
	var errs []error
	for i, r := range rules {
		if err := r.validate(); err != nil {
			errs = append(errs, fmt.Errorf("rule #%d (%s): %w", i+1, r.Key, err))
		}
	}
	if len(errs) == 0 {
		errs = append(errs, checkOverlaps(rules, "rules"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Registry{byKey: group(rules)}, nil
}

// Shipped returns the versions in the embedded rules file.
func Shipped() []Rule {
	rs, err := Parse(bytes.NewReader(shippedRules), OriginShipped)
	if err != nil {
		panic("rules: shipped rules: " + err.Error()) // caught by the tests
	}
	return rs
}

// Default returns the registry of the shipped rules.
func Default() *Registry {
	r, err := New(Shipped())
	if err != nil {
		panic("rules: shipped rules: " + err.Error())
	}
	return r
}

// Load returns the shipped rules merged with the operator's rules file at
// overridePath (see Merge). An empty path returns Default().
func Load(overridePath string) (*Registry, error) {
	if overridePath == "" {
		return Default(), nil
	}
	f, err := os.Open(overridePath)
	if err != nil {
		return nil, fmt.Errorf("rules overrides: %w", err)
	}
	defer f.Close()
	ops, err := Parse(f, overridePath)
	if err != nil {
		return nil, err
	}
	return New(Merge(Shipped(), ops))
}

// Merge lays the override versions over the base ones: for each key, a base
// version is cut back wherever an override version of the same key is in
// force (shortened, split in two, or dropped), so the override governs its
// whole period and the base still governs the rest. An operator adding
// "from 2027-01-01, open-ended" thus ends the shipped open-ended version on
// 2026-12-31. The overrides must not overlap each other (Parse checks it).
func Merge(base, overrides []Rule) []Rule {
	out := slices.Clone(base)
	for _, o := range overrides {
		var next []Rule
		for _, b := range out {
			if b.Key != o.Key {
				next = append(next, b)
				continue
			}
			next = append(next, cut(b, o.EffectiveFrom, o.EffectiveTo)...)
		}
		out = append(next, o)
	}
	return out
}

// cut returns the parts of b outside the period [from, to] (to zero = open).
func cut(b Rule, from, to workday.Date) []Rule {
	var parts []Rule
	if b.EffectiveFrom.Before(from) {
		before := b
		if end := from.AddDays(-1); before.EffectiveTo.IsZero() || end.Before(before.EffectiveTo) {
			before.EffectiveTo = end
		}
		parts = append(parts, before)
	}
	if !to.IsZero() && (b.EffectiveTo.IsZero() || to.Before(b.EffectiveTo)) {
		after := b
		if start := to.AddDays(1); start.After(after.EffectiveFrom) {
			after.EffectiveFrom = start
		}
		parts = append(parts, after)
	}
	return parts
}

// At returns the version of key in force on day d. The error wraps
// ErrNotFound when the key is unknown or no version covers d.
func (r *Registry) At(key string, d workday.Date) (Rule, error) {
	vs, ok := r.byKey[key]
	if !ok {
		return Rule{}, fmt.Errorf("%w: unknown rule key %q", ErrNotFound, key)
	}
	for _, v := range vs {
		if v.InForce(d) {
			return v, nil
		}
	}
	periods := make([]string, len(vs))
	for i, v := range vs {
		periods[i] = v.PeriodText()
	}
	return Rule{}, fmt.Errorf("%w: rule %q is not in force on %s (in force %s)", ErrNotFound, key, d, strings.Join(periods, ", "))
}

// Due applies the version of key in force on the event day: see Rule.Due.
// It returns the rule it applied, so callers can cite its ID and source.
func (r *Registry) Due(key string, cal *workday.Calendar, event workday.Date) (workday.Date, Rule, error) {
	rule, err := r.At(key, event)
	if err != nil {
		return workday.Date{}, Rule{}, err
	}
	due, err := rule.Due(cal, event)
	return due, rule, err
}

// Versions returns every version of key, oldest first.
func (r *Registry) Versions(key string) []Rule {
	return slices.Clone(r.byKey[key])
}

// Keys returns the rule keys in alphabetical order.
func (r *Registry) Keys() []string {
	keys := make([]string, 0, len(r.byKey))
	for k := range r.byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// All returns every version, by key then start date.
func (r *Registry) All() []Rule {
	var out []Rule
	for _, k := range r.Keys() {
		out = append(out, r.byKey[k]...)
	}
	return out
}

// InForce returns the versions in force on day d, one per key at most, by key.
func (r *Registry) InForce(d workday.Date) []Rule {
	var out []Rule
	for _, k := range r.Keys() {
		if v, err := r.At(k, d); err == nil {
			out = append(out, v)
		}
	}
	return out
}
