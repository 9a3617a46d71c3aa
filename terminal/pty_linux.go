package terminal

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// openPTY allocates a pseudo-terminal pair the Unix 98 way:
//
//  1. open("/dev/ptmx", O_RDWR|O_NOCTTY|O_CLOEXEC|O_NONBLOCK) creates a new
//     master and a locked slave /dev/pts/N. O_NOCTTY keeps it from becoming
//     our controlling terminal; O_NONBLOCK lets the runtime poller serve
//     reads, so that closing the master unblocks them.
//  2. ioctl(master, TIOCSPTLCK, &0) unlocks the slave (unlockpt(3)).
//     grantpt(3) is a no-op on devpts, which creates the slave with the
//     caller's uid.
//  3. ioctl(master, TIOCGPTN, &n) gives N (ptsname(3)).
//  4. open("/dev/pts/N", O_RDWR|O_NOCTTY|O_CLOEXEC) opens the slave, in
//     blocking mode: it becomes the shell's stdin, stdout and stderr.
//  5. ioctl(master, TIOCSWINSZ, &winsize) sets the initial window size.
//
// The request numbers differ between architectures; package syscall has the
// right ones for each.
func openPTY(cols, rows uint16) (master, slave *os.File, err error) {
	mfd, err := syscall.Open("/dev/ptmx", syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("terminal: open /dev/ptmx: %w", err)
	}
	fail := func(step string, err error) (*os.File, *os.File, error) {
		syscall.Close(mfd)
		return nil, nil, fmt.Errorf("terminal: %s: %w", step, err)
	}
	unlock := int32(0)
	if err := ioctl(uintptr(mfd), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		return fail("unlock slave", err)
	}
	var n uint32
	if err := ioctl(uintptr(mfd), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		return fail("slave number", err)
	}
	name := "/dev/pts/" + strconv.FormatUint(uint64(n), 10)
	if err := setWinsize(uintptr(mfd), cols, rows); err != nil {
		return fail("set window size", err)
	}
	sfd, err := syscall.Open(name, syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fail("open "+name, err)
	}
	// The master is non-blocking, so os.NewFile registers it with the
	// poller. The slave is blocking and stays out of it.
	return os.NewFile(uintptr(mfd), "/dev/ptmx"), os.NewFile(uintptr(sfd), name), nil
}

// winsize is struct winsize from <asm/termios.h>.
type winsize struct {
	rows, cols, xpixel, ypixel uint16
}

func setWinsize(fd uintptr, cols, rows uint16) error {
	ws := winsize{rows: rows, cols: cols}
	return ioctl(fd, syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
}

func ioctl(fd, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
		switch errno {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		default:
			return errno
		}
	}
}
