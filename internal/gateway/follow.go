package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConfigChannel is the PostgreSQL NOTIFY channel on which the control plane
// announces configuration changes (services, accounts, suspensions, peers).
// The payload is ignored: any notification triggers a full reload.
const ConfigChannel = "govdx_config"

// Follower keeps a gateway node's snapshot current with PostgreSQL: it
// LISTENs on Channel and calls Reload on every notification, reconnecting
// with backoff when the connection drops (and reloading after each
// reconnect, since notifications sent meanwhile are lost), plus a periodic
// safety reload. A revoked or suspended account thus stops working on every
// node within about a second of the notifying commit.
type Follower struct {
	DSN string
	// Channel to LISTEN on [ConfigChannel].
	Channel string
	// Reload is called from the follower's goroutine, never concurrently.
	Reload func()
	// SafetyInterval reloads even without notifications [30s].
	SafetyInterval time.Duration
	// RetryMin and RetryMax bound the reconnect backoff [100ms, 10s].
	RetryMin, RetryMax time.Duration
	// Logger receives connection problems [discarded].
	Logger *slog.Logger
	// OnListen, when set, is called each time LISTEN is in place (tests).
	OnListen func()
}

// FollowPostgres runs a Follower with the defaults until ctx ends.
func FollowPostgres(ctx context.Context, dsn string, reload func()) error {
	return (&Follower{DSN: dsn, Reload: reload}).Run(ctx)
}

// Run follows until ctx ends; it returns nil then. Panics in Reload are
// recovered and logged so the follower keeps running.
func (f *Follower) Run(ctx context.Context) error {
	if f.Reload == nil {
		return errors.New("gateway: follower without a reload function")
	}
	if f.Channel == "" {
		f.Channel = ConfigChannel
	}
	if f.SafetyInterval <= 0 {
		f.SafetyInterval = 30 * time.Second
	}
	if f.RetryMin <= 0 {
		f.RetryMin = 100 * time.Millisecond
	}
	if f.RetryMax <= 0 {
		f.RetryMax = 10 * time.Second
	}
	if f.Logger == nil {
		f.Logger = slog.New(slog.DiscardHandler)
	}
	backoff := f.RetryMin
	for {
		listening, err := f.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if listening {
			backoff = f.RetryMin
		}
		f.Logger.Warn("configuration follower disconnected; retrying", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, f.RetryMax)
	}
}

// listen holds one connection; listening reports whether LISTEN succeeded.
func (f *Follower) listen(ctx context.Context) (listening bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, f.DSN)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{f.Channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	if f.OnListen != nil {
		f.OnListen()
	}
	f.reload() // changes made while we were not listening
	for {
		wctx, cancel := context.WithTimeout(ctx, f.SafetyInterval)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || pgconnTimeout(err):
			// Periodic safety reload: covers a lost notification.
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
		f.reload()
	}
}

func (f *Follower) reload() {
	defer func() {
		if v := recover(); v != nil {
			f.Logger.Error("configuration reload panicked", "panic", fmt.Sprint(v))
		}
	}()
	f.Reload()
}

// pgconnTimeout reports a timeout error from pgconn (its context watcher
// turns the deadline into a net timeout).
func pgconnTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
