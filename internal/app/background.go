package app

import (
	"context"
	"math"
	"time"

	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
)

// runBackground runs the scheduled work of the control plane until ctx
// ends: the notification outbox and daily reminders, the oversight
// scheduler's jobs start beside it (startOversightJobs), the sharing-log
// purge, and the purge of expired package files and old feed deletions.
// Each job keeps its state in the database, so restarts lose nothing.
func (a *App) runBackground(ctx context.Context) error {
	var mailer sharing.Mailer
	if a.cfg.SMTP.Host != "" {
		m, err := sharing.NewSMTPMailer(a.cfg.SMTP)
		if err != nil {
			return err
		}
		mailer = m
	}
	done := make(chan struct{}, 3)
	go func() { a.Sharing.Run(ctx, mailer, time.Minute, a.cfg.Logger); done <- struct{}{} }()
	// The sharing-log purge runs in every `govdx serve`, also beside
	// separate gateway nodes (--no-gateway): it purges every node's chain,
	// and with PostgreSQL one process at a time does (sharelog.Purge).
	go func() { daily(ctx, a.purgeOnce); done <- struct{}{} }()
	go func() { daily(ctx, a.purgeSyncOnce); done <- struct{}{} }()
	for i := 0; i < 3; i++ {
		<-done
	}
	return nil
}

// daily runs job a minute after start and then every day until ctx ends.
func daily(ctx context.Context, job func(context.Context)) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		job(ctx)
		t.Reset(24 * time.Hour)
	}
}

// purgeSyncOnce removes the files of packages expired for longer than the
// configured retention, abandoned package builds, and feed deletions older
// than their retention.
func (a *App) purgeSyncOnce(ctx context.Context) {
	keep := a.cfg.PackageFileRetention
	if keep <= 0 {
		keep = syncshare.DefaultPackageFileRetention
	}
	res, err := a.Sync.PurgePackages(ctx, keep)
	if err != nil {
		a.cfg.Logger.Error("package purge failed", "err", err)
	}
	if res.Files > 0 || res.Abandoned > 0 {
		a.cfg.Logger.Info("package purge", "files", res.Files, "bytes", res.Bytes, "abandoned", res.Abandoned)
	}
	keep = a.cfg.TombstoneRetention
	if keep <= 0 {
		keep = syncshare.DefaultTombstoneRetention
	}
	tres, err := a.Sync.PurgeTombstones(ctx, keep)
	if err != nil {
		a.cfg.Logger.Error("feed deletion purge failed", "err", err)
	}
	if tres.Tombstones > 0 {
		a.cfg.Logger.Info("feed deletion purge", "feeds", tres.Feeds, "tombstones", tres.Tombstones)
	}
}

// purgeOnce deletes sharing-log entries whose retention under their usage
// regulation has passed (D47-45.3).
func (a *App) purgeOnce(ctx context.Context) {
	def := a.cfg.LogRetentionDefault
	if def <= 0 {
		def = 5 * 365 * 24 * time.Hour
	}
	signer, err := sharelog.LoadOrCreateKey(a.logKeyPath())
	if err != nil {
		a.cfg.Logger.Error("sharing-log purge: key", "err", err)
		return
	}
	retention := func(serviceID int64) time.Duration {
		if serviceID == 0 {
			return def
		}
		d, err := a.Catalog.RetentionFor(ctx, serviceID)
		switch {
		case err != nil:
			return def
		case d == 0: // the regulation keeps entries without limit
			return time.Duration(math.MaxInt64)
		}
		return d
	}
	res, err := sharelog.Purge(ctx, a.DB, signer, a.DB.Now(), retention)
	if err != nil {
		a.cfg.Logger.Error("sharing-log purge failed", "err", err)
		return
	}
	switch {
	case res.Busy:
		a.cfg.Logger.Debug("sharing-log purge: another process is purging")
	case res.Deleted > 0:
		a.cfg.Logger.Info("sharing-log purge", "deleted", res.Deleted, "anchors", res.Anchors)
	}
}
