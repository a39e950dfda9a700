//go:build linux

package policy

import "golang.org/x/sys/unix"

// threadCPU returns the calling thread's CPU time in nanoseconds, which does
// not count time the thread spent waiting for a core on a busy machine.
func threadCPU() (int64, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0, false
	}
	return ts.Nano(), true
}
