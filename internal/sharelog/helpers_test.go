package sharelog_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

func sets() []platform.Migrations { return []platform.Migrations{sharelog.Migrations()} }

func mustSigner(tb testing.TB) *sharelog.Ed25519Signer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return sharelog.NewEd25519Signer(priv)
}
