package main

import (
	"context"
	"errors"
	"io"
)

// runRules is a placeholder until its feature lands.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
