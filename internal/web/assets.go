package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Assets are static files served under content-hashed names
// (name.<hash>.ext): a changed file gets a new URL, so browsers may cache
// every one for a year.
type Assets struct {
	files map[string]staticFile // hashed name -> file
	urls  map[string]string     // plain name -> hashed URL
}

type staticFile struct {
	data  []byte
	ctype string
}

var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}

// LoadAssets reads every file below dir of fsys; prefix is the URL path
// they are served under ("/dbi/static/").
func LoadAssets(fsys fs.FS, dir, prefix string) (*Assets, error) {
	a := &Assets{files: map[string]staticFile{}, urls: map[string]string{}}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		base := path.Base(p)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.files[hashed] = staticFile{data: b, ctype: assetTypes[ext]}
		a.urls[base] = prefix + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	return a, nil
}

// URL returns the content-hashed URL of the file named name ("app.css"),
// or "" when there is none.
func (a *Assets) URL(name string) string { return a.urls[name] }

// Serve writes the file of a hashed name with a long cache lifetime, or a
// 404.
func (a *Assets) Serve(w http.ResponseWriter, r *http.Request, hashed string) {
	f, ok := a.files[hashed]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.data)
}
