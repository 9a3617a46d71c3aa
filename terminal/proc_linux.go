package terminal

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// sweep sends sig to the processes of session sid until none is left or
// until passes, polling with a growing interval. Signal 0 only checks.
func sweep(sid int, sig syscall.Signal, until time.Time) {
	for poll := 2 * time.Millisecond; signalSession(sid, sig) > 0 && time.Now().Before(until); poll = min(2*poll, 100*time.Millisecond) {
		time.Sleep(min(poll, time.Until(until)))
	}
}

// signalSession sends sig to every live process whose session id is sid
// and returns how many it found. Zombies are dead already and do not count.
//
// Linux offers no call to signal a session, so it reads /proc/<pid>/stat.
// A pid read there belongs to the session until the process is reaped, and
// the session's processes are not our children (except the shell, which
// Close signals through os.Process): a process that exits and is reaped by
// init between the read and the kill could in principle have its pid
// reused, a window of microseconds that kill(2) shares with every tool that
// signals by pid.
func signalSession(sid int, sig syscall.Signal) int {
	d, err := os.Open("/proc")
	if err != nil {
		return 0
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	found := 0
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 {
			continue
		}
		state, procSID, ok := readStat(pid)
		if !ok || procSID != sid || state == 'Z' || state == 'X' {
			continue
		}
		if err := syscall.Kill(pid, sig); err == nil {
			found++
		}
	}
	return found
}

// readStat returns the state and session id from /proc/<pid>/stat, whose
// second field, the command name, is in parentheses and may itself hold
// spaces and parentheses: the fields after it start after the last ")".
// They are: state ppid pgrp session ...
func readStat(pid int) (state byte, sid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 4 || len(f[0]) != 1 {
		return 0, 0, false
	}
	sid, err = strconv.Atoi(string(f[3]))
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], sid, true
}
