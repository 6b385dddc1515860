package platform

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// RandomToken returns a URL-safe random secret with n bytes of entropy.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS RNG never fails on Linux
	}
	return b32.EncodeToString(b)
}

// HashSecret returns the hex SHA-256 of a high-entropy secret (API keys,
// session IDs). Passwords use bcrypt instead.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
