package sharelog

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Signer signs checkpoints and anchors. The Ed25519 key file is the default;
// the interface lets a node keep its key in an HSM or KMS instead.
type Signer interface {
	// PublicKey is stored with every signature so any node can verify it.
	PublicKey() ed25519.PublicKey
	Sign(msg []byte) ([]byte, error)
}

// Ed25519Signer signs with an in-memory Ed25519 private key.
type Ed25519Signer struct {
	priv ed25519.PrivateKey
}

var _ Signer = (*Ed25519Signer)(nil)

// NewEd25519Signer wraps a private key.
func NewEd25519Signer(priv ed25519.PrivateKey) *Ed25519Signer {
	return &Ed25519Signer{priv: priv}
}

// PublicKey returns the public half of the key.
func (s *Ed25519Signer) PublicKey() ed25519.PublicKey {
	return s.priv.Public().(ed25519.PublicKey)
}

// Sign signs msg.
func (s *Ed25519Signer) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(s.priv, msg), nil
}

const pemType = "PRIVATE KEY"

// LoadKey reads an Ed25519 private key from a PEM (PKCS #8) file.
func LoadKey(path string) (*Ed25519Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sharing-log key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != pemType {
		return nil, fmt.Errorf("sharing-log key %s: not a PEM %q block", path, pemType)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sharing-log key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sharing-log key %s: not an Ed25519 key", path)
	}
	return NewEd25519Signer(priv), nil
}

// LoadOrCreateKey loads the node's signing key, creating it (mode 0600) on
// first use. Creation is atomic: the key is written to a temporary file and
// linked into place, so two processes starting together end up with one key.
func LoadOrCreateKey(path string) (*Ed25519Signer, error) {
	s, err := LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return s, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate sharing-log key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode sharing-log key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".sharelog-key-*")
	if err != nil {
		return nil, fmt.Errorf("create sharing-log key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp already uses mode 0600.
	err = pem.Encode(tmp, &pem.Block{Type: pemType, Bytes: der})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write sharing-log key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadKey(path) // another process won the race
		}
		return nil, fmt.Errorf("install sharing-log key: %w", err)
	}
	syncDir(dir)
	return NewEd25519Signer(priv), nil
}

// syncDir makes a new directory entry durable; best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// ParsePublicKey reads an Ed25519 public key written as hex (64 digits) or
// standard base64, as printed by `govdx log verify`.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an Ed25519 public key (want %d bytes as hex or base64)", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Checkpoint kinds.
const (
	kindCheckpoint = "checkpoint" // written by the Writer every K entries or T seconds
	kindAnchor     = "anchor"     // written by Purge: the chain may start after it
)

// checkpointMessage is what a checkpoint's signature covers. The kind is
// included so a periodic checkpoint cannot be passed off as a purge anchor.
func checkpointMessage(kind, node string, seq int64, hash []byte, at time.Time) []byte {
	b := make([]byte, 0, 96+len(node))
	b = append(b, "govdx-sharelog-checkpoint-v1\n"...)
	b = appendString(b, kind)
	b = appendString(b, node)
	b = appendInt(b, seq)
	b = append(b, hash...)
	b = appendInt(b, at.UnixMicro())
	return b
}
