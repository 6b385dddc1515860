package main

import (
	"context"
	"errors"
	"io"
)

// runWorkday is a placeholder until its feature lands.
func runWorkday(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
