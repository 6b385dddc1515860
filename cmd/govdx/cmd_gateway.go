package main

import (
	"context"
	"errors"
	"io"
)

// runGateway is a placeholder until its feature lands.
func runGateway(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not available yet")
}
