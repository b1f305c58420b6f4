package quiz

import "time"

// revealer says when a test's answers may be shown: not while anyone may
// still take it — its window, and every make-up of it granted to anyone,
// must have closed. The mistake book, /review, /weak and the dashboard ask
// it; it reads the make-ups once per transaction, when first asked.
type revealer struct {
	s       *Service
	tx      Tx
	makeups map[string]time.Time // quarter key → latest Until of its make-ups
}

func (s *Service) revealer(tx Tx) *revealer { return &revealer{s: s, tx: tx} }

// at returns when the answers of the test of a quarter may be shown.
func (r *revealer) at(quarter string) (time.Time, error) {
	q, err := r.s.Cal.Parse(quarter)
	if err != nil || q.Kind != Quarter {
		return time.Time{}, err
	}
	if r.makeups == nil {
		if r.makeups, err = r.tx.MakeupUntil(Test); err != nil {
			return time.Time{}, err
		}
	}
	_, end := r.s.Rules.TestWindowOf(r.s.Cal, q)
	if u := r.makeups[quarter]; u.After(end) {
		end = u
	}
	return end, nil
}

// open reports whether someone may still take the test of a quarter at
// now (or will: its window has not closed).
func (r *revealer) open(quarter string, now time.Time) (bool, error) {
	t, err := r.at(quarter)
	return now.Before(t), err
}

// hidden reports whether a question of the mistake book waits for a test
// that someone may still take.
func (r *revealer) hidden(m *Mistake, now time.Time) (bool, error) {
	if m.Test == "" {
		return false, nil
	}
	return r.open(m.Test, now)
}

// openTests returns the quarters whose test someone may take at now,
// among the current one and those anyone holds a make-up of.
func (r *revealer) openTests(now time.Time) ([]Period, error) {
	cur := r.s.Cal.Quarter(now)
	if _, err := r.at(cur.Key()); err != nil {
		return nil, err
	}
	var out []Period
	if start, end := r.s.Rules.TestWindowOf(r.s.Cal, cur); !now.Before(start) && now.Before(end) {
		out = append(out, cur)
	}
	for key, until := range r.makeups {
		q, err := r.s.Cal.Parse(key)
		if err != nil || !now.Before(until) || (len(out) > 0 && key == cur.Key()) {
			continue
		}
		out = append(out, q)
	}
	return out, nil
}
