package workday

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
)

// shippedOverrides is the officially announced schedule known at release.
//
//go:embed overrides.txt
var shippedOverrides []byte

// The overrides file format, one entry a line:
//
//	# comment (also after blank lines; a line starting with # is ignored)
//	YYYY-MM-DD working|non-working reason text
//
// "non-working" makes the date a day off (e.g. a day swapped into a holiday
// bridge, or a compensatory day the Government placed elsewhere), "working"
// makes it a working day (e.g. the Saturday worked in exchange, or a default
// compensatory day the announcement did not keep). The reason is required:
// it is what users see when a deadline skips the day. A date may appear only
// once per file. An override fixes the status of its date only; nothing is
// recomputed around it, so an announced schedule is written as the full set
// of dates that differ from the computed calendar.

// ParseOverrides reads an overrides file; name is used in error messages.
// All malformed lines are reported, each as "name:line: problem".
func ParseOverrides(r io.Reader, name string) ([]Override, error) {
	var (
		out  []Override
		errs []error
		seen = map[Date]int{}
		sc   = bufio.NewScanner(r)
		line = 0
	)
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
		}
		dateText, rest := cutSpace(text)
		status, reason := cutSpace(rest)
		d, err := ParseDate(dateText)
		if err != nil {
			fail("%v", err)
			continue
		}
		var working bool
		switch status {
		case "working":
			working = true
		case "non-working":
		default:
			fail("status %q: want working or non-working", status)
			continue
		}
		if reason == "" {
			fail("missing reason after %q", status)
			continue
		}
		if prev, dup := seen[d]; dup {
			fail("date %s already given on line %d", d, prev)
			continue
		}
		seen[d] = line
		out = append(out, Override{Date: d, Working: working, Reason: reason})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ShippedOverrides returns the overrides embedded in the release: the
// officially announced Tết days, swapped working days and compensatory days
// of recent years.
func ShippedOverrides() []Override {
	o, err := ParseOverrides(bytes.NewReader(shippedOverrides), "overrides.txt")
	if err != nil {
		panic("workday: shipped overrides: " + err.Error()) // caught by the tests
	}
	return o
}

// Default returns the calendar with the shipped overrides.
func Default() *Calendar {
	return New(ShippedOverrides())
}

// Load returns the calendar with the shipped overrides plus the operator's
// overrides file at path; for a date in both, the operator's entry wins, so
// an operator can add a newly announced year or correct a shipped date
// without a new release. An empty path returns Default().
func Load(path string) (*Calendar, error) {
	if path == "" {
		return Default(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("workday overrides: %w", err)
	}
	defer f.Close()
	ops, err := ParseOverrides(f, path)
	if err != nil {
		return nil, err
	}
	return New(append(ShippedOverrides(), ops...)), nil
}

// cutSpace splits s at its first run of white space (spaces or tabs).
func cutSpace(s string) (head, tail string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
