package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/govdx/govdx/internal/platform"
)

// identifierRE: lowercase words of letters and digits joined by '.' or '-',
// e.g. "dn-stc.dkkd.tra-cuu-doanh-nghiep": URL-safe in gateway paths.
var identifierRE = regexp.MustCompile(`^[a-z0-9]+(?:[.-][a-z0-9]+)*$`)

// itemKeyRE: a JSON property name usable in projections and query strings.
var itemKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// codeRE: code of a code list or dictionary element.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$`)

// CheckIdentifier validates a service identifier: unique and stable, it is
// part of gateway URLs, so it must be URL-safe and contain a letter (which
// also tells it apart from a numeric id).
func CheckIdentifier(v string) error {
	if len(v) < 3 || len(v) > 120 || !identifierRE.MatchString(v) || !strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") {
		return platform.FieldError("identifier", "invalid_identifier",
			"the identifier is 3-120 lowercase letters and digits in words joined by '.' or '-', e.g. dn-stc.dkkd.tra-cuu-doanh-nghiep")
	}
	return nil
}

// MaxSchemaBytes bounds an exchange data structure.
const MaxSchemaBytes = 256 << 10

// CheckSchema compiles a JSON Schema (D47-3: the exchange data structure)
// and returns the names of its top-level properties (nil when it declares
// none). External references are refused: compiling must not fetch URLs or
// read local files.
func CheckSchema(doc string) (map[string]bool, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, platform.FieldError("schema", "required", "the exchange data structure (JSON Schema) is required")
	}
	if len(doc) > MaxSchemaBytes {
		return nil, platform.FieldError("schema", "too_long", "the schema must be at most %d bytes", MaxSchemaBytes)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return nil, platform.FieldError("schema", "invalid_schema", "the schema is not valid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, platform.FieldError("schema", "invalid_schema", "the schema must be a JSON object")
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // no scheme is loadable: no file or network access
	const loc = "urn:govdx:service-schema"
	if err := c.AddResource(loc, v); err != nil {
		return nil, platform.FieldError("schema", "invalid_schema", "the schema is not valid: %v", err)
	}
	if _, err := c.Compile(loc); err != nil {
		return nil, platform.FieldError("schema", "invalid_schema", "the schema is not a valid JSON Schema: %s", schemaErrText(err))
	}
	props, ok := obj["properties"].(map[string]any)
	if !ok {
		return nil, nil
	}
	out := make(map[string]bool, len(props))
	for k := range props {
		out[k] = true
	}
	return out, nil
}

// schemaErrText keeps the first line of a compiler error: enough to fix it.
func schemaErrText(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// canonicalJSON re-indents a JSON document for display and storage.
func canonicalJSON(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(strings.TrimSpace(doc)), "", "  "); err != nil {
		return doc
	}
	return b.String()
}

// blockedHosts are cloud metadata endpoints reachable by name.
var blockedHosts = map[string]bool{
	"metadata.google.internal":   true,
	"metadata.goog":              true,
	"metadata":                   true,
	"instance-data":              true,
	"instance-data.ec2.internal": true,
}

var (
	linkLocal4  = netip.MustParsePrefix("169.254.0.0/16")
	linkLocal6  = netip.MustParsePrefix("fe80::/10")
	awsMetaIPv6 = netip.MustParseAddr("fd00:ec2::254")
	// numericHostRE matches hosts that some resolvers read as IPv4 in
	// decimal, octal or hex ("2852039166", "0xa9fea9fe", "0251.254.169.254").
	numericHostRE = regexp.MustCompile(`^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*$`)
)

// CheckUpstreamURL validates a service's upstream endpoint: http or https,
// no credentials in the URL, and not a link-local or cloud metadata address
// (a gateway forwarding there would leak instance credentials), unless
// allowed(host) says a platform administrator allowed that host. Names that
// resolve to such addresses can only be caught when connecting: the gateway
// checks the dialled address too.
func CheckUpstreamURL(raw string, allowed func(host string) (bool, error)) error {
	bad := func(code, msg string) error { return platform.FieldError("upstream_url", code, "%s", msg) }
	if len(raw) > 2000 {
		return bad("too_long", "the upstream URL must be at most 2000 characters")
	}
	if strings.ContainsAny(raw, " \t\r\n\\") {
		return bad("invalid_url", "the upstream URL must not contain spaces or backslashes")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return bad("invalid_url", "the upstream URL is not a valid absolute URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("invalid_scheme", "the upstream URL must use http or https")
	}
	if u.User != nil {
		return bad("userinfo", "the upstream URL must not carry a user name or password; the gateway holds credentials separately")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return bad("invalid_url", "the upstream URL has no host")
	}
	if u.Fragment != "" {
		return bad("invalid_url", "the upstream URL must not have a #fragment")
	}
	reason := blockedReason(host)
	if reason == "" {
		return nil
	}
	if allowed != nil {
		ok, err := allowed(host)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	return bad("blocked_host", fmt.Sprintf("the upstream host %s is %s; a platform administrator must allow it first", host, reason))
}

// blockedReason says why host is refused, "" when it is acceptable.
func blockedReason(host string) string {
	if blockedHosts[host] {
		return "a cloud metadata endpoint"
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		a = a.Unmap().WithZone("") // a zone would make prefix checks miss
		switch {
		case a.Is4() && a == netip.AddrFrom4([4]byte{169, 254, 169, 254}), a == awsMetaIPv6:
			return "a cloud metadata address"
		case a.Is4() && linkLocal4.Contains(a), a.Is6() && linkLocal6.Contains(a):
			return "a link-local address"
		case a.IsUnspecified():
			return "an unspecified address"
		}
		return ""
	}
	if numericHostRE.MatchString(host) {
		// Not a canonical dotted quad (that parsed above): refuse what some
		// resolvers would still read as an address.
		return "a non-canonical numeric address"
	}
	return ""
}
