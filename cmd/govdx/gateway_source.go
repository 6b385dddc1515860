package main

import (
	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
)

// gatewaySource builds the gateway's configuration (services, accounts,
// suspensions, peers) from the shared database, as `govdx serve` does.
func gatewaySource(db *platform.DB, peersFile string) gateway.Source {
	return app.NewGatewaySource(db, peersFile)
}
