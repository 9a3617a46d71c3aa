package engine

// workspace returns the run's workspace folder: RunOptions.Workspace, or
// the one RunOptions.MakeWorkspace makes on the first call. A run with
// neither gets ErrNoWorkspace.
func (r *run) workspace() (string, error) {
	if r.opts.Workspace != "" {
		return r.opts.Workspace, nil
	}
	if r.opts.MakeWorkspace == nil {
		return "", ErrNoWorkspace
	}
	r.wsOnce.Do(func() { r.wsDir, r.wsErr = r.opts.MakeWorkspace() })
	return r.wsDir, r.wsErr
}
