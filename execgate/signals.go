package execgate

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Signals are the signals `countersign exec` catches: it passes each on to
// the command while it runs; while it waits, all but SIGWINCH cancel the
// request.
var Signals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

// terminates reports whether sig, by default, ends a process.
func terminates(sig os.Signal) bool { return sig != syscall.SIGWINCH }

// exitCodeOf is the shell's status for a process ended by sig: 128+N.
func exitCodeOf(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128
}

// signalName is "SIGINT" and the like.
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if n := unix.SignalName(s); n != "" {
			return n
		}
	}
	return sig.String()
}

// fromTerminal reports whether the kernel has delivered sig to the command
// already: the terminal driver sends SIGINT, SIGQUIT and SIGWINCH to its
// whole foreground process group, and the command shares ours. Passing
// those on too would deliver them twice (a second Ctrl-C makes some
// programs, terraform among them, stop at once instead of cleanly).
func fromTerminal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGWINCH:
	default:
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal: someone sent it to us alone
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}
