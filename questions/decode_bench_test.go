package questions_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// rawBank and rawQuestion are a bank file decoded straight into Go types
// (the values the validator checks are any, as a file may hold anything).
type rawBank struct {
	ID       any           `toml:"id"`
	Title    any           `toml:"title"`
	Topic    any           `toml:"topic"`
	Source   any           `toml:"source"`
	Question []rawQuestion `toml:"question"`
}

type rawQuestion struct {
	ID          any `toml:"id"`
	Type        any `toml:"type"`
	Text        any `toml:"text"`
	Options     any `toml:"options"`
	Answer      any `toml:"answer"`
	Explanation any `toml:"explanation"`
	Source      any `toml:"source"`
	Topic       any `toml:"topic"`
	Difficulty  any `toml:"difficulty"`
	Shuffle     any `toml:"shuffle"`
}

type primitiveBank struct {
	ID       any              `toml:"id"`
	Title    any              `toml:"title"`
	Topic    any              `toml:"topic"`
	Source   any              `toml:"source"`
	Question []toml.Primitive `toml:"question"`
}

// BenchmarkDecode150x200 measures BurntSushi/toml alone on the 150 banks
// of BenchmarkLoad150x200 (read into memory first, one core): decoding
// into map[string]any as ParseFile does, straight into the bank's Go
// types, and with a toml.Primitive per question decoded afterwards. It
// tells whether decoding into the bank types would make loading cheaper
// (BENCHMARKS.md).
func BenchmarkDecode150x200(b *testing.B) {
	dir := b.TempDir()
	writeBanks(b, dir, 150, 200)
	files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	var docs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				var m map[string]any
				if _, err := toml.Decode(d, &m); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("struct", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				var r rawBank
				md, err := toml.Decode(d, &r)
				if err != nil || len(md.Undecoded()) > 0 || len(r.Question) != 200 {
					b.Fatal(err, md.Undecoded())
				}
			}
		}
	})
	b.Run("primitive", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, d := range docs {
				var r primitiveBank
				md, err := toml.Decode(d, &r)
				if err != nil {
					b.Fatal(err)
				}
				for _, p := range r.Question {
					var q rawQuestion
					if err := md.PrimitiveDecode(p, &q); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}
