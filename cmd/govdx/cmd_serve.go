package main

import (
	"context"
	"errors"
	"io"
)

// runServe is a placeholder until its feature lands.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
