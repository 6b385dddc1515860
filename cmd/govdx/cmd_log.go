package main

import (
	"context"
	"errors"
	"io"
)

// runLog is a placeholder until its feature lands.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
