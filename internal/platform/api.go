package platform

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Op documents one API operation. The OpenAPI document is generated from the
// registered operations, so it cannot drift from the routes.
type Op struct {
	Summary string
	Tag     string
	// Public operations need no authentication.
	Public bool
	// Request and Response are zero values of the body types (nil for none).
	Request  any
	Response any
	// Status is the success status (default 200).
	Status int
	// Query documents query parameters: name -> description.
	Query map[string]string
	// Produces overrides the response media type (e.g. text/csv).
	Produces string
}

// HandlerFunc is an API handler; a returned error becomes problem+json.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// API registers JSON routes on a mux and documents them.
type API struct {
	mux    *http.ServeMux
	Prefix string
	routes []route
	Title  string
	// Version is the product version shown in the document.
	Version string
}

type route struct {
	method, path string
	op           Op
}

// NewAPI returns an API that registers routes on mux under prefix.
func NewAPI(mux *http.ServeMux, prefix, title, version string) *API {
	return &API{mux: mux, Prefix: prefix, Title: title, Version: version}
}

// Handle registers method+path (path relative to the prefix, with {name}
// wildcards) with its documentation.
func (a *API) Handle(method, path string, op Op, h HandlerFunc) {
	a.routes = append(a.routes, route{method: method, path: path, op: op})
	a.mux.HandleFunc(method+" "+a.Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteProblem(w, r, err)
		}
	})
}

// Routes lists "METHOD /full/path" of every registered operation.
func (a *API) Routes() []string {
	out := make([]string, len(a.routes))
	for i, r := range a.routes {
		out[i] = r.method + " " + a.Prefix + r.path
	}
	return out
}

// OpenAPI builds the OpenAPI 3.1 document.
func (a *API) OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]any{}
	for _, rt := range a.routes {
		item, _ := paths[a.Prefix+rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[a.Prefix+rt.path] = item
		}
		op := map[string]any{
			"summary":     rt.op.Summary,
			"operationId": operationID(rt.method, rt.path),
			"tags":        []string{rt.op.Tag},
		}
		var params []any
		for _, name := range pathParams(rt.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		qnames := make([]string, 0, len(rt.op.Query))
		for k := range rt.op.Query {
			qnames = append(qnames, k)
		}
		sort.Strings(qnames)
		for _, k := range qnames {
			params = append(params, map[string]any{"name": k, "in": "query", "description": rt.op.Query[k], "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.op.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.op.Request))}}}
		}
		status := rt.op.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case rt.op.Produces != "":
			ok["content"] = map[string]any{rt.op.Produces: map[string]any{"schema": map[string]any{"type": "string"}}}
		case rt.op.Response != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.op.Response))}}
		}
		op["responses"] = map[string]any{
			itoa(status): ok,
			"default": map[string]any{"description": "Error (RFC 9457 problem details)", "content": map[string]any{
				"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}},
		}
		if !rt.op.Public {
			op["security"] = []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}}
		}
		item[strings.ToLower(rt.method)] = op
	}
	g.defs["Problem"] = map[string]any{
		"type": "object", "required": []string{"type", "title", "status", "code"},
		"properties": map[string]any{
			"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
			"status": map[string]any{"type": "integer"}, "code": map[string]any{"type": "string"},
			"detail": map[string]any{"type": "string"}, "field": map[string]any{"type": "string"},
			"instance": map[string]any{"type": "string"}, "request_id": map[string]any{"type": "string"},
		},
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": a.Title, "version": a.Version},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "personal API token (gdx_...)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "govdx_session"},
			},
		},
	}
}

// ServeOpenAPI serves the document.
func (a *API) ServeOpenAPI(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, a.OpenAPI())
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

var paramRE = regexp.MustCompile(`\{([a-zA-Z_]+)\.*\}`)

func pathParams(p string) []string {
	var out []string
	for _, m := range paramRE.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	return out
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(path, "/") {
		seg = strings.Trim(seg, "{}.")
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "_")
}

type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeOf(time.Time{})
var nameSanitizer = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		nullable = true
	}
	s := g.schemaOf(t)
	if nullable {
		if typ, ok := s["type"].(string); ok {
			s = copyMap(s)
			s["type"] = []string{typ, "null"}
		} else {
			s = map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
		}
	}
	return s
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if t.Implements(reflect.TypeOf((*json.Marshaler)(nil)).Elem()) && t.Kind() != reflect.Struct {
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := nameSanitizer.ReplaceAllString(shortTypeName(t), "_")
		if name == "" {
			return g.structSchema(t)
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder breaks recursion
			g.defs[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// shortTypeName names a type by its package and name ("sharing_Request"),
// so same-named types of two features never share a schema; package paths
// are dropped, also inside generic arguments.
func shortTypeName(t reflect.Type) string {
	if t.Name() == "" {
		return ""
	}
	pkg := t.PkgPath()
	pkg = pkg[strings.LastIndex(pkg, "/")+1:]
	if pkg != "" {
		pkg += "_"
	}
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 {
		args := strings.Split(strings.TrimSuffix(n[i+1:], "]"), ",")
		for j, a := range args {
			args[j] = a[strings.LastIndex(a, ".")+1:]
		}
		return pkg + n[:i] + "_" + strings.Join(args, "_")
	}
	return pkg + n
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.schema(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}
