package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/batchbench/batchbench/internal/runconfig"
	"github.com/batchbench/batchbench/reports/table"
)

// CheckShards makes sure that inputs carrying a shard key (runs split with
// -shard i/n) are whole: for every label (column), each shard of one split
// exactly once. A missing or repeated shard is an error that names it;
// inputs without shards pass.
func CheckShards(res *table.Results) error {
	type seen struct {
		n     int
		paths map[int][]string
	}
	byLabel := map[string]*seen{}
	var labels []string
	var unsharded []string
	for _, in := range res.Inputs {
		v := in.ConfigValue(runconfig.Shard)
		if v == "" {
			unsharded = append(unsharded, in.Path)
			continue
		}
		sh, err := runconfig.ParseShard(v)
		if err != nil {
			return fmt.Errorf("%s: %v", in.Path, err)
		}
		s := byLabel[in.Label]
		if s == nil {
			s = &seen{n: sh.N, paths: map[int][]string{}}
			byLabel[in.Label] = s
			labels = append(labels, in.Label)
		}
		if sh.N != s.n {
			return fmt.Errorf("%s is shard %s, but other %s inputs split the suite %d ways", in.Path, sh, in.Label, s.n)
		}
		s.paths[sh.I] = append(s.paths[sh.I], in.Path)
	}
	if len(labels) == 0 {
		return nil
	}
	if len(unsharded) > 0 {
		return fmt.Errorf("%s carries no shard, but other inputs do", strings.Join(unsharded, ", "))
	}
	for _, l := range labels {
		s := byLabel[l]
		var missing []string
		for i := 1; i <= s.n; i++ {
			switch ps := s.paths[i]; {
			case len(ps) == 0:
				missing = append(missing, runconfig.ShardSpec{I: i, N: s.n}.String())
			case len(ps) > 1:
				slices.Sort(ps)
				return fmt.Errorf("shard %d/%d of %s is given %d times: %s", i, s.n, l, len(ps), strings.Join(ps, ", "))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s is missing shard(s) %s of %d", l, strings.Join(missing, ", "), s.n)
		}
	}
	return nil
}
