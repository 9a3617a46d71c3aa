package main

import (
	"log/slog"
	"path/filepath"

	"nodetool/jobs"
)

// openWorkspaces opens the per-run workspace folders of a server in its
// data dir (<data>/workspaces, 0700). With sweep (the worker, whose runs
// remove their own) it removes what runs of an earlier process left there;
// serve keeps the workspaces of recorded jobs and sweeps the others itself
// (see jobs.Options.Workspaces).
func openWorkspaces(dataDir string, sweep bool, log *slog.Logger) (*jobs.Workspaces, error) {
	ws, err := jobs.NewWorkspaces(filepath.Join(dataDir, "workspaces"))
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	if sweep {
		n, err := ws.Sweep(nil)
		if err != nil {
			log.Warn("removing old workspaces", "err", err)
		}
		if n > 0 {
			log.Info("removed workspaces of runs that ended before this start", "workspaces", n)
		}
	}
	return ws, nil
}
