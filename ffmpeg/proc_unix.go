//go:build unix

package ffmpeg

import (
	"os/exec"
	"syscall"
)

// setGroup starts the program in a process group of its own and makes
// cancelling kill the whole group, so no helper process it starts
// outlives the node.
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
