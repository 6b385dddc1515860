package main

import (
	"context"
	"errors"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
)

// gatewaySource builds the gateway's configuration source (services,
// accounts, suspensions, peers) from the database. The adapter from the
// catalog and sharing features lives in internal/app; until it is wired,
// `govdx gateway` needs --config-file.
var gatewaySource = func(db *platform.DB) gateway.Source { return unwiredSource{} }

type unwiredSource struct{}

func (unwiredSource) Load(ctx context.Context) (*gateway.Config, error) {
	return nil, errors.New("gateway source not wired")
}
