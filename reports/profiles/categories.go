package profiles

import "strings"

// A Category is a set of functions whose share of a profile the report
// shows, because it explains a result: a channel-based batcher spends its
// time in the scheduler and channel runtime, a lock-free ring in its own
// code.
type Category struct {
	Name, Desc string
	match      func(fn, impl string) bool
}

const modulePath = "github.com/batchbench/batchbench"

// pipelineDeps are third-party packages implementations build their
// pipelines from; their time counts for the implementation, shown apart.
var pipelineDeps = []string{"golang.design/x/chann.", "github.com/destel/rill."}

// schedFuncs are runtime scheduling, channel, select and lock functions.
// A name matches when it starts with an entry. Stack roots such as
// runtime.systemstack are left out: they would put GC and allocation
// stacks into this category's cumulative share.
var schedFuncs = []string{
	"runtime.selectgo", "runtime.selectnb", "runtime.block", "runtime.sellock", "runtime.selunlock",
	"runtime.chan", "runtime.closechan", "runtime.makechan", "runtime.send", "runtime.recv",
	"runtime.lock", "runtime.unlock", "runtime.lock2", "runtime.unlock2",
	"runtime.futex", "runtime.notesleep", "runtime.notewakeup", "runtime.notetsleep", "runtime.semasleep", "runtime.semawakeup",
	"runtime.schedule", "runtime.findRunnable", "runtime.findrunnable", "runtime.park_m", "runtime.gopark",
	"runtime.goparkunlock", "runtime.ready", "runtime.goready", "runtime.runqget", "runtime.runqput",
	"runtime.runqgrab", "runtime.runqsteal", "runtime.stealWork", "runtime.wakep", "runtime.startm",
	"runtime.stopm", "runtime.mPark", "runtime.execute", "runtime.gogo", "runtime.mcall", "runtime.goexit0",
	"runtime.casgstatus", "runtime.procyield", "runtime.osyield", "runtime.usleep", "runtime.resetspinning",
	"runtime.checkTimers", "runtime.(*timers)", "runtime.netpoll", "runtime.gosched", "runtime.goschedImpl",
	"runtime.semacquire", "runtime.semrelease", "runtime.acquireSudog", "runtime.releaseSudog",
	"runtime.readyWithTime", "runtime.(*waitq)", "sync.(*Mutex)", "sync.(*RWMutex)", "sync.(*Cond)",
	"sync.runtime_", "internal/sync.", "runtime.(*randomEnum)", "runtime.acquirep", "runtime.releasep",
}

// gcFuncs are the garbage collector's marking, sweeping and assists.
var gcFuncs = []string{
	"runtime.gc", "runtime.scan", "runtime.mark", "runtime.greyobject", "runtime.bgsweep", "runtime.sweepone",
	"runtime.(*mspan).sweep", "runtime.(*sweepLocked)", "runtime.bgscavenge", "runtime.(*gcWork)",
	"runtime.(*gcBits)", "runtime.wbBuf", "runtime.findObject", "runtime.(*spanInlineMarkBits)",
	"runtime.(*mspan).typePointersOf", "runtime.typePointers", "runtime.(*typePointers)",
	"runtime.tryDeferToSpanScan", "runtime.(*gcControllerState)", "runtime.(*gcCPULimiterState)",
	"runtime.(*mheap).reclaim", "runtime.(*scavengerState)", "runtime.(*pageAlloc).scavenge",
	"runtime.heapBitsSetType", "runtime.bulkBarrierPreWrite", "runtime.(*mspan).markBitsForIndex",
	"runtime.memclrNoHeapPointersChunked",
}

// allocFuncs are the allocator's fast and slow paths.
var allocFuncs = []string{
	"runtime.mallocgc", "runtime.newobject", "runtime.makeslice", "runtime.growslice", "runtime.newarray",
	"runtime.nextFreeFast", "runtime.(*mcache)", "runtime.(*mcentral)", "runtime.(*mheap)",
	"runtime.(*mspan).nextFreeIndex", "runtime.heapSetType", "runtime.memclrNoHeapPointers",
	"runtime.profilealloc", "runtime.mProf_Malloc", "runtime.publicationBarrier", "runtime.deductAssistCredit",
}

func hasAnyPrefix(fn string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// implPackage is the import path of an implementation's own package.
func implPackage(impl string) string { return modulePath + "/impl/" + impl + "." }

// categories are checked in order; a leaf function counts for the first
// that matches, so the flat shares are disjoint and add up to at most 1.
var categories = []Category{
	{"impl", "the implementation's own package (impl/<impl>)", func(fn, impl string) bool {
		return impl != "" && strings.Contains(fn, implPackage(impl))
	}},
	{"shared", "code shared by implementations (impl, impl/internal/...)", func(fn, _ string) bool {
		return strings.Contains(fn, modulePath+"/impl/internal/") || strings.Contains(fn, modulePath+"/impl.")
	}},
	{"deps", "pipeline libraries (golang.design/x/chann, github.com/destel/rill)", func(fn, _ string) bool {
		for _, d := range pipelineDeps {
			if strings.Contains(fn, d) {
				return true
			}
		}
		return false
	}},
	{"sched", "runtime scheduling: channels, select, locks, futex, park/ready", func(fn, _ string) bool {
		return hasAnyPrefix(fn, schedFuncs)
	}},
	{"gc", "garbage collection: mark workers, assists, sweeping", func(fn, _ string) bool {
		return hasAnyPrefix(fn, gcFuncs)
	}},
	{"alloc", "allocation: mallocgc and the span caches", func(fn, _ string) bool {
		return hasAnyPrefix(fn, allocFuncs)
	}},
}

// Categories are the categories every summary reports, in order.
func Categories() []Category { return categories }

// ShortFunc drops this module's path from a function name.
func ShortFunc(fn string) string { return strings.TrimPrefix(fn, modulePath+"/") }

// categoryOf returns the index in categories of fn, or -1 for "other".
func categoryOf(fn, impl string) int {
	for i, c := range categories {
		if c.match(fn, impl) {
			return i
		}
	}
	return -1
}
