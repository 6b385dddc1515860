package main

import (
	"context"
	"errors"
	"io"
)

// runUser is a placeholder until its feature lands.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
