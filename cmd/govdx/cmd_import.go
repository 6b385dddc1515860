package main

import (
	"context"
	"errors"
	"io"
)

// runImport is a placeholder until its feature lands.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
