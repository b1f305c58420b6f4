package questions_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partyquiz/questions"
)

// writeBanks generates n banks of m questions each (all four types, with
// explanations and sources of realistic length) into dir.
func writeBanks(tb testing.TB, dir string, n, m int) {
	tb.Helper()
	for b := 0; b < n; b++ {
		var s strings.Builder
		fmt.Fprintf(&s, "id = \"bank-%03d\"\ntitle = \"第 %d 套题库\"\ntopic = \"基层党建\"\nsource = \"《中国共产党支部工作条例（试行）》\"\n\n", b, b+1)
		for q := 0; q < m; q++ {
			fmt.Fprintf(&s, "[[question]]\nid = \"%04d\"\n", q)
			text := strings.Repeat("“三会一课”是党的组织生活的基本制度，", 3)
			expl := strings.Repeat("支部党员大会、支部委员会、党小组会和党课，是党支部经常性的组织生活。", 3)
			switch q % 4 {
			case 0:
				fmt.Fprintf(&s, "type = \"单选\"\ntext = \"%s第 %d 题?\"\noptions = [\"支部党员大会\", \"党支部委员会\", \"党小组会\", \"村民代表大会\"]\nanswer = \"D\"\n", text, q)
			case 1:
				fmt.Fprintf(&s, "type = \"多选\"\ntext = \"%s第 %d 题?\"\noptions = [\"支部党员大会\", \"党支部委员会\", \"党小组会\", \"村民代表大会\"]\nanswer = \"ABC\"\n", text, q)
			case 2:
				fmt.Fprintf(&s, "type = \"判断\"\ntext = \"%s第 %d 题。\"\nanswer = \"对\"\n", text, q)
			case 3:
				fmt.Fprintf(&s, "type = \"填空\"\ntext = \"%s第 %d 题：____。\"\nanswer = [\"三会一课\", \"三会 一课\"]\n", text, q)
			}
			fmt.Fprintf(&s, "explanation = \"\"\"\n%s\n\"\"\"\ndifficulty = \"中\"\n\n", expl)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bank-%03d.toml", b)), []byte(s.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkLoad150x200 loads and validates 150 banks of 200 questions from
// disk, as `partyquiz validate` does on a folder of the city's 150 sets.
func BenchmarkLoad150x200(b *testing.B) {
	dir := b.TempDir()
	writeBanks(b, dir, 150, 200)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set := questions.Load(dir)
		if len(set.Problems) > 0 || set.Catalog.Count() != 150*200 {
			b.Fatalf("problems: %v", set.Problems)
		}
	}
}
