package questions_test

import (
	"os"
	"path/filepath"
	"testing"

	"partyquiz/questions"
)

// FuzzParseFile: no input makes the loader panic, and a file it accepts
// is internally consistent.
func FuzzParseFile(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/broken", "testdata/notes", "builtin"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := questions.ParseFile("fuzz.toml", data)
		if len(file.Problems) > 0 || file.Bank == nil {
			return
		}
		for _, q := range file.Bank.Questions {
			switch q.Type {
			case questions.Fill:
				if len(q.Accepted) == 0 {
					t.Fatalf("fill question %q accepted with no answer", q.ID)
				}
			default:
				if len(q.Answer) == 0 {
					t.Fatalf("question %q accepted with no answer", q.ID)
				}
				for _, a := range q.Answer {
					if a < 0 || a >= len(q.Options) {
						t.Fatalf("question %q: answer %d outside %d options", q.ID, a, len(q.Options))
					}
				}
				if q.Type == questions.Single && len(q.Answer) != 1 {
					t.Fatalf("single choice %q with %d answers", q.ID, len(q.Answer))
				}
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"两不愁，三保障", "ＡＢＣ", "\u200b", "《》"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := questions.Normalize(s)
		if questions.Normalize(n) != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, n, questions.Normalize(n))
		}
	})
}
