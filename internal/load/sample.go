package load

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// Sample is the CPU time counters at one moment, in clock ticks, as Linux
// reports them in /proc. Only differences between two samples mean
// anything; see Between.
type Sample struct {
	Busy  int64 // every CPU's user, nice, system, irq and softirq time
	Steal int64 // time the hypervisor ran other guests instead of a CPU of this one
	Total int64 // the above plus idle and iowait: the machine's capacity
	// Self is the CPU time of this process and of its children that have
	// been waited for (utime, stime, cutime, cstime): a worker's time
	// counts once the harness has reaped it.
	Self int64
}

// Usage is what others did with the machine between two samples, as shares
// of its capacity.
type Usage struct {
	Others float64 // CPU used by processes other than this one and its reaped children
	Steal  float64
}

// Busy reports whether others, processes or other guests, took more than
// threshold of the CPU.
func (u Usage) Busy(threshold float64) bool { return u.Others+u.Steal > threshold }

// Between returns what others used between samples a and b, taken in that
// order. The counters tick at USER_HZ (100 Hz) per CPU, and the machine's
// and this process's counters round apart: each difference of two samples
// can be a tick off, so Others (the difference of two such differences)
// can be two ticks off and Steal one. That much is taken off before the
// shares are computed, so a short run, whose whole capacity is a few
// ticks, is not called busy for one stray tick; a negative result is 0.
func Between(a, b Sample) Usage {
	total := b.Total - a.Total
	if total <= 0 {
		return Usage{}
	}
	others := (b.Busy - a.Busy) - (b.Self - a.Self) - 2
	steal := b.Steal - a.Steal - 1
	return Usage{
		Others: clamp(float64(others) / float64(total)),
		Steal:  clamp(float64(steal) / float64(total)),
	}
}

func clamp(x float64) float64 { return min(max(x, 0), 1) }

// Take reads a sample from /proc/stat and /proc/self/stat, counting as
// this process's own the CPU time of the live children named by pids
// (workers that serve many runs, whose time is not yet in its own). A
// child that has exited is skipped: once reaped, its time is. Take fails
// where /proc is missing, as on every system but Linux.
func Take(pids ...int) (Sample, error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return Sample{}, err
	}
	s, err := parseStat(stat)
	if err != nil {
		return Sample{}, err
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return Sample{}, err
	}
	if s.Self, err = parseSelfStat(self); err != nil {
		return s, err
	}
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // exited
		}
		if t, err := parseSelfStat(data); err == nil {
			s.Self += t
		}
	}
	return s, nil
}

// parseStat reads the machine's counters from the aggregate "cpu" line of
// /proc/stat: user nice system idle iowait irq softirq steal guest
// guest_nice. Kernels older than 2.6.11 write fewer columns; the missing
// ones count as 0. Guest time is left out: the kernel already counts it in
// user and nice.
func parseStat(data []byte) (Sample, error) {
	for line := range bytes.Lines(data) {
		fields := bytes.Fields(line)
		if len(fields) == 0 || string(fields[0]) != "cpu" {
			continue
		}
		if len(fields) < 5 {
			return Sample{}, fmt.Errorf("/proc/stat: cpu line has %d columns, want at least 4", len(fields)-1)
		}
		var col [8]int64 // user nice system idle iowait irq softirq steal
		for i := range min(len(col), len(fields)-1) {
			v, err := strconv.ParseInt(string(fields[i+1]), 10, 64)
			if err != nil {
				return Sample{}, fmt.Errorf("/proc/stat: cpu column %d: %v", i+1, err)
			}
			col[i] = v
		}
		busy := col[0] + col[1] + col[2] + col[5] + col[6]
		return Sample{Busy: busy, Steal: col[7], Total: busy + col[3] + col[4] + col[7]}, nil
	}
	return Sample{}, errors.New("/proc/stat: no cpu line")
}

// parseSelfStat returns utime+stime+cutime+cstime from /proc/self/stat
// (fields 14 to 17 of proc(5)). The command name, field 2, is in
// parentheses and may itself hold spaces and parentheses, so the fields are
// counted from the last ')'.
func parseSelfStat(data []byte) (int64, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("/proc/self/stat: no command name")
	}
	fields := bytes.Fields(data[i+1:]) // fields[0] is field 3, the state
	const utime = 14 - 3
	if len(fields) < utime+4 {
		return 0, fmt.Errorf("/proc/self/stat: %d fields, want at least %d", len(fields)+2, utime+4+2)
	}
	var sum int64
	for _, f := range fields[utime : utime+4] {
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/self/stat: %v", err)
		}
		sum += v
	}
	return sum, nil
}

// Average returns the 1-minute load average from /proc/loadavg.
func Average() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	return parseAverage(data)
}

// parseAverage reads the first field of /proc/loadavg.
func parseAverage(data []byte) (float64, error) {
	fields := bytes.Fields(data)
	if len(fields) == 0 {
		return 0, errors.New("/proc/loadavg is empty")
	}
	v, err := strconv.ParseFloat(string(fields[0]), 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/loadavg: %v", err)
	}
	return v, nil
}
