package main

import (
	"context"
	"errors"
	"io"
)

// runDBI is a placeholder until its feature lands.
func runDBI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
