//go:build !unix

package ffmpeg

import "os/exec"

// setGroup: cancelling kills the process (exec.CommandContext's default).
func setGroup(cmd *exec.Cmd) {}
