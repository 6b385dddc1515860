package main

import (
	"context"
	"errors"
	"io"
)

// runMigrate is a placeholder until its feature lands.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
