package harness

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// copies are the copies of each source's executable that its worker
// processes run (Options.Copies), in a temporary directory of their own.
type copies struct {
	dir   string
	paths map[string][]string // by source name
	seed  uint64
}

// newCopies makes n copies of every source's executable, or of its
// layouts in turn (copy k of layout k mod their number; at least one of
// each), each at a path as long as every other's, since the length of a
// process's arguments moves its stack. It makes none if n < 1. All are
// written and closed before any worker starts: a file open for writing
// while a process is forked cannot be executed by it (ETXTBSY).
func newCopies(sources []Source, n int, seed uint64) (*copies, error) {
	if n < 1 {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "benchrun-workers-")
	if err != nil {
		return nil, err
	}
	c := &copies{dir: dir, paths: map[string][]string{}, seed: seed}
	for i, src := range sources {
		exe, err := exec.LookPath(src.Command[0])
		if err != nil {
			c.remove()
			return nil, fmt.Errorf("copying %s's worker executable: %w", src.Name, err)
		}
		layouts := append([]string{exe}, src.Layouts...)
		for k := range max(n, len(layouts)) {
			path := filepath.Join(dir, fmt.Sprintf("s%02d-%03d", i, k))
			if err := copyFile(path, layouts[k%len(layouts)]); err != nil {
				c.remove()
				return nil, fmt.Errorf("copying %s's worker executable: %w", src.Name, err)
			}
			c.paths[src.Name] = append(c.paths[src.Name], path)
		}
	}
	return c, nil
}

// pick returns src to be started, as its worker process number, from
// one of its copies: the one drawn for that number, the same for every
// source. Without copies, it returns src as it is. layout is the
// copy's function layout (see runconfig.Layout), "" for a source linked
// in one.
func (c *copies) pick(src Source, number int) (_ Source, layout string) {
	k := 0 // without copies, the executable itself: the linker's layout
	if c != nil {
		paths := c.paths[src.Name]
		k = rand.New(rand.NewPCG(c.seed, uint64(number))).IntN(len(paths))
		src.Command = append([]string{paths[k]}, src.Command[1:]...)
	}
	if len(src.Layouts) == 0 {
		return src, ""
	}
	return src, strconv.Itoa(k % (1 + len(src.Layouts)))
}

// remove deletes the copies; processes running one keep it until they
// end.
func (c *copies) remove() {
	if c != nil {
		os.RemoveAll(c.dir)
	}
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
