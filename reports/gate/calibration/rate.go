package calibration

import (
	"fmt"

	"gonum.org/v1/gonum/stat/distuv"
)

// A Rate is how often something happened in a number of trials, with its
// exact (Clopper–Pearson) 95% confidence interval: the false-block rate
// of A/A decisions, or the miss rate of planted regressions.
type Rate struct {
	Events, Trials int
	Lo, Hi         float64 // the two-sided 95% interval
	Upper          float64 // the one-sided 95% upper bound
}

// NewRate returns the rate of events in trials.
func NewRate(events, trials int) Rate {
	r := Rate{Events: events, Trials: trials, Hi: 1, Upper: 1}
	if trials == 0 {
		return r
	}
	k, n := float64(events), float64(trials)
	if events > 0 {
		r.Lo = distuv.Beta{Alpha: k, Beta: n - k + 1}.Quantile(0.025)
	}
	if events < trials {
		r.Hi = distuv.Beta{Alpha: k + 1, Beta: n - k}.Quantile(0.975)
		r.Upper = distuv.Beta{Alpha: k + 1, Beta: n - k}.Quantile(0.95)
	}
	return r
}

// Observed is Events/Trials.
func (r Rate) Observed() float64 {
	if r.Trials == 0 {
		return 0
	}
	return float64(r.Events) / float64(r.Trials)
}

// String reads e.g. "0 of 60 decisions, 0.0% (95% interval 0.0%–6.0%,
// one-sided 95% upper bound 4.9%)".
func (r Rate) String() string {
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }
	return fmt.Sprintf("%d of %d decisions, %s (95%% interval %s–%s, one-sided 95%% upper bound %s)",
		r.Events, r.Trials, pct(r.Observed()), pct(r.Lo), pct(r.Hi), pct(r.Upper))
}
