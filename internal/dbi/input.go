package dbi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// EvaluateJSON scores an assessment document (the format of docs/dbi-scoring.md):
//
//	{"index": "sme"|"large", "levels": {"1.1.1": 3, ...}}
//	{"index": "group", "staff_total": N, "units": [{"name": ..., "parent": true,
//	  "staff": N, "level": L, "pillar_levels": [six levels]}, ...]}
//
// It returns a Result for sme/large and a GroupResult for group. Malformed
// JSON fails with its line and column; bad content fails with a
// *ValidationError naming each offending criterion or unit.
func EvaluateJSON(data []byte) (any, error) {
	if err := checkSyntax(data); err != nil {
		return nil, err
	}
	members, err := objectMembers(data)
	if err != nil {
		return nil, errors.New("the input must be a JSON object")
	}
	var (
		probs                   []Problem
		index                   string
		levels, units, staffTot json.RawMessage
	)
	for _, mb := range members {
		switch mb.key {
		case "index":
			if json.Unmarshal(mb.value, &index) != nil {
				probs = append(probs, Problem{Message: `"index" must be a string: sme, large or group`})
			}
		case "levels":
			levels = mb.value
		case "units":
			units = mb.value
		case "staff_total":
			staffTot = mb.value
		default:
			probs = append(probs, Problem{Message: fmt.Sprintf("unknown field %q", mb.key)})
		}
	}
	if len(probs) > 0 {
		return nil, newValidationError(probs)
	}
	switch kind := IndexKind(index); kind {
	case SME, Large:
		if units != nil || staffTot != nil {
			return nil, newValidationError([]Problem{{Message: `"units" and "staff_total" are for index "group"; sme and large take "levels"`}})
		}
		m, err := ModelFor(kind)
		if err != nil {
			return nil, err
		}
		return scoreLevels(m, levels)
	case Group:
		if levels != nil {
			return nil, newValidationError([]Problem{{Message: `"levels" is for index sme or large; a group takes "units" with their levels`}})
		}
		return scoreUnits(units, staffTot)
	case "":
		return nil, newValidationError([]Problem{{Message: `"index" is required: sme, large or group`}})
	default:
		return nil, newValidationError([]Problem{{Message: fmt.Sprintf("unknown index %q (want sme, large or group)", index)}})
	}
}

func scoreLevels(m *Model, raw json.RawMessage) (*Result, error) {
	levels := map[string]int{}
	var probs []Problem
	if raw != nil && !isNull(raw) {
		members, err := objectMembers(raw)
		if err != nil {
			return nil, newValidationError([]Problem{{Message: `"levels" must be an object mapping criterion IDs to levels`}})
		}
		seen := map[string]bool{}
		for _, mb := range members {
			if seen[mb.key] {
				probs = append(probs, Problem{Criterion: mb.key, Message: "given more than once"})
				continue
			}
			seen[mb.key] = true
			if isNull(mb.value) {
				continue // no data: scores 0, like a missing criterion
			}
			l, p := parseLevel(mb.value)
			if p != "" {
				probs = append(probs, Problem{Criterion: mb.key, Message: p})
				// Still check the ID so one run reports everything.
				if _, ok := m.Criterion(mb.key); ok {
					continue
				}
				l = 0
			}
			levels[mb.key] = l
		}
	}
	r, err := m.Score(levels)
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		probs = append(probs, ve.Problems...)
	case err != nil:
		return nil, err
	}
	if len(probs) > 0 {
		return nil, newValidationError(probs)
	}
	return &r, nil
}

func scoreUnits(raw, staffTotal json.RawMessage) (*GroupResult, error) {
	var elems []json.RawMessage
	if raw == nil || json.Unmarshal(raw, &elems) != nil {
		return nil, newValidationError([]Problem{{Message: `"units" must be an array of member units`}})
	}
	var probs []Problem
	units := make([]Unit, len(elems))
	for i, e := range elems {
		u := &units[i]
		members, err := objectMembers(e)
		if err != nil {
			probs = append(probs, Problem{Unit: unitLabel(i, ""), Message: "must be an object"})
			continue
		}
		for _, mb := range members {
			if mb.key == "name" && json.Unmarshal(mb.value, &u.Name) != nil {
				u.Name = ""
			}
		}
		label := unitLabel(i, u.Name)
		bad := func(format string, args ...any) {
			probs = append(probs, Problem{Unit: label, Message: fmt.Sprintf(format, args...)})
		}
		have := map[string]bool{}
		for _, mb := range members {
			have[mb.key] = true
			switch mb.key {
			case "name":
				if json.Unmarshal(mb.value, new(string)) != nil {
					bad("name must be a string")
				}
			case "parent":
				if json.Unmarshal(mb.value, &u.Parent) != nil {
					bad("parent must be true or false")
				}
			case "staff":
				n, ok := parseInt(mb.value)
				if !ok {
					bad("staff must be a whole number")
				}
				u.Staff = n
			case "level":
				l, p := parseLevel(mb.value)
				if p != "" {
					bad("%s", p)
				}
				u.Level = l
			case "pillar_levels":
				var ls []json.RawMessage
				if json.Unmarshal(mb.value, &ls) != nil {
					bad("pillar_levels must be an array of %d levels", PillarCount)
					continue
				}
				u.PillarLevels = make([]int, len(ls))
				for p, lr := range ls {
					l, msg := parseLevel(lr)
					if msg != "" {
						bad("pillar %d: %s", p+1, msg)
					}
					u.PillarLevels[p] = l
				}
			default:
				bad("unknown field %q", mb.key)
			}
		}
		for _, k := range []string{"staff", "level", "pillar_levels"} {
			if !have[k] {
				bad("%s is required", k)
			}
		}
	}
	if len(probs) > 0 {
		return nil, newValidationError(probs)
	}
	r, err := ScoreGroup(units)
	if err != nil {
		return nil, err
	}
	if staffTotal != nil {
		// The weights are unit staff over this total; they add up to 1 only
		// if the units cover the whole group.
		n, ok := parseInt(staffTotal)
		if !ok || n <= 0 {
			return nil, newValidationError([]Problem{{Message: "staff_total must be a positive whole number"}})
		}
		if n != r.Staff {
			return nil, newValidationError([]Problem{{Message: fmt.Sprintf(
				"staff weights do not add up: the units' staff sum to %d, staff_total is %d", r.Staff, n)}})
		}
	}
	return &r, nil
}

// parseLevel reads a level 0-5; a non-empty message says what is wrong.
func parseLevel(raw json.RawMessage) (int, string) {
	f, ok := parseNumber(raw)
	switch {
	case !ok:
		return 0, fmt.Sprintf("level must be a whole number 0-%d, got %s", MaxLevel, raw)
	case f != math.Trunc(f):
		return 0, fmt.Sprintf("level %s is not a whole number", raw)
	case f < 0 || f > MaxLevel:
		return 0, levelRangeProblem("", string(raw)).Message
	}
	return int(f), ""
}

// parseInt reads a whole JSON number that fits an int64.
func parseInt(raw json.RawMessage) (int64, bool) {
	f, ok := parseNumber(raw)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func parseNumber(raw json.RawMessage) (float64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

type member struct {
	key   string
	value json.RawMessage
}

// objectMembers lists a JSON object's members in order, keeping duplicate
// keys (a map would silently keep the last one).
func objectMembers(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: tok.(string), value: v})
	}
	return out, nil
}

// checkSyntax reports malformed JSON with its line and column.
func checkSyntax(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	err := dec.Decode(&v)
	if err == nil {
		end := int(dec.InputOffset())
		rest := bytes.TrimLeft(data[end:], " \t\r\n")
		if len(rest) > 0 {
			return fmt.Errorf("malformed JSON at %s: unexpected data after the top-level value", position(data, len(data)-len(rest)))
		}
		return nil
	}
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("malformed JSON: empty input")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: unexpected end of input")
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return fmt.Errorf("malformed JSON at %s: %v", position(data, int(se.Offset)-1), se)
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// position names the byte at index off as "line L, column C" (1-based,
// columns in bytes).
func position(data []byte, off int) string {
	off = max(0, min(off, len(data)))
	line := bytes.Count(data[:off], []byte("\n")) + 1
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}
