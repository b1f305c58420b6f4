package bot_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyquiz/bot/telegramtest"
	"partyquiz/questions"
	"partyquiz/quiz"
)

// workbook writes sheets (name → rows of cells) as an .xlsx.
func workbook(t *testing.T, names []string, sheets map[string][][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range names {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const xlsxMIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestXLSXUpload: an admin sends an Excel workbook over the fake Bot API.
// A broken one is answered with every problem at its 工作表!行 and changes
// nothing; a good one with two sheets is summarised (rows read, questions
// made, two new banks, the notes: options kept in order, a question that
// repeats a built-in one) and published with 发布, both banks at once.
// /banks then offers each bank as .xlsx (on its card): the document sent imports back to
// the questions published, and sending it back changes nothing.
func TestXLSXUpload(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	before := e.svc.Content()

	broken := workbook(t, []string{"单选"}, map[string][][]string{"单选": {
		{"题型", "题干", "选项A", "选项B", "选项C", "答案"},
		{"单选", "答案是空的。", "甲", "乙", "丙", ""},
		{"单选", "答案字母超出了选项。", "甲", "乙", "", "D"},
		{"问答", "题型不认识。", "", "", "", "为人民服务"},
	}})
	seq := admin.Seq()
	admin.SendDocument("坏表.xlsx", xlsxMIME, broken)
	m := e.waitAfter(admin, seq, "没有发布")
	for _, want := range []string{"读取 3 行，生成题目 0 道，有问题的行 3 行", "单选!2：答案是空的", "单选!3：答案 D 没有对应的选项", "单选!4：题型 \"问答\" 不认识"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("broken workbook: lacks %q:\n%s", want, m.Text)
		}
	}
	if e.svc.Content() != before {
		t.Fatal("a broken workbook changed the published banks")
	}

	good := workbook(t, []string{"单选题", "判断题"}, map[string][][]string{
		"单选题": {
			{"题库编号", "xlsx-danxuan"},
			{"题库名称", "党章知识单选"},
			{},
			{"题号", "题干", "选项A", "选项B", "选项C", "选项D", "正确答案", "答案解析"},
			{"1", "党的最高领导机关是什么？", "党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "", "A", "党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。"},
			{"2", "党员的义务包括哪些？", "认真学习", "贯彻执行党的基本路线", "坚持党和人民的利益高于一切", "以上都是", "D", ""},
			{"3", "月收入 3000 元以下的党员，每月交纳党费的比例是多少？", "0.5%", "1%", "1.5%", "2%", "A", ""},
		},
		"判断题": {
			{"题库编号", "xlsx-panduan"},
			{"题干", "答案"},
			{"预备党员有表决权。", "×"},
			{"党员应当按期交纳党费。", "√"},
			{"党小组会是“三会一课”中的“三会”之一", "对"},
		},
	})
	seq = admin.Seq()
	admin.SendDocument("党章知识.xlsx", "", good)
	m = e.waitAfter(admin, seq, "确认发布这 2 套题库吗")
	for _, want := range []string{"读取 6 行，生成题目 6 道，有问题的行 0 行", "按工作表分为 2 套题库", "xlsx-danxuan", "xlsx-panduan", "这是一套新题库", "单选题!6：", "不打乱",
		"判断题!5：和题库 \"sanhui-yike\""} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, m.Text)
		}
	}
	if e.svc.Content() != before {
		t.Fatal("an upload changed the banks before 发布")
	}
	m = e.press(admin, "发布", "已发布")
	for _, want := range []string{"党章知识单选", "xlsx-danxuan", "xlsx-panduan", "第 1 版"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("published reply lacks %q:\n%s", want, m.Text)
		}
	}
	c := e.svc.Content().Catalog
	dx, pd := c.Bank("xlsx-danxuan"), c.Bank("xlsx-panduan")
	if dx == nil || pd == nil || len(dx.Questions) != 3 || len(pd.Questions) != 3 {
		t.Fatalf("banks published: %v %v", dx, pd)
	}
	if q := dx.Question("2"); q == nil || !q.KeepOrder || q.Explanation != "" {
		t.Errorf("question 2: %+v", q)
	}
	if q := dx.Question("3"); q == nil || q.Options[0] != "0.5%" || q.Options[2] != "1.5%" {
		t.Errorf("question 3: %+v", q)
	}
	if c.Bank("sanhui-yike") == nil {
		t.Error("the built-in banks are gone")
	}

	// /banks offers each bank as .xlsx.
	m = e.send(admin, "/banks", "已发布的题库")
	if !strings.Contains(m.Text, "xlsx-danxuan") {
		t.Errorf("/banks: %s", m.Text)
	}
	e.press(admin, "📄 党章知识单选", "版本记录")
	seq = admin.Seq()
	if _, err := admin.Press("⬇️ Excel"); err != nil {
		t.Fatalf("no download button: %v\n%s", err, transcript(admin))
	}
	doc, err := admin.WaitAfter(e.ctx(), seq, func(m telegramtest.Message) bool { return m.Document != nil })
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document.Name != "党章知识单选.xlsx" || !strings.Contains(doc.Caption, "xlsx-danxuan") {
		t.Errorf("document %q, caption %q", doc.Document.Name, doc.Caption)
	}
	im := questions.ImportXLSX(doc.Document.Name, doc.Document.Data)
	if len(im.Problems) > 0 || len(im.Banks) != 1 {
		t.Fatalf("the download does not import: %v", im.Problems)
	}
	got := im.Banks[0].Bank
	if got.ID != dx.ID || got.Title != dx.Title || len(got.Questions) != len(dx.Questions) {
		t.Fatalf("downloaded %s %q %d questions", got.ID, got.Title, len(got.Questions))
	}
	for i, q := range dx.Questions {
		if got.Questions[i].Hash() != q.Hash() {
			t.Errorf("question %s changed on the way down", q.ID)
		}
	}
	// Sent back unchanged, it changes nothing.
	seq = admin.Seq()
	admin.SendDocument(doc.Document.Name, xlsxMIME, doc.Document.Data)
	e.waitAfter(admin, seq, "完全相同")

	// What a restart lays over the built-in banks (they are kept as TOML)
	// holds both banks.
	cat, err := questions.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	content, err := quiz.PublishedContent(context.Background(), e.db, cat, e.svc.Tree())
	if err != nil || content.Catalog.Bank("xlsx-panduan") == nil || content.Catalog.Bank("xlsx-danxuan") == nil {
		t.Fatalf("the published workbook does not load again: %v", err)
	}
}

// TestUploadNotes: a .toml bank the validator has notes on is still
// offered for publishing, with the notes at their lines.
func TestUploadNotes(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	bank := `id = "notes"
title = "有提示的题库"

[[question]]
id = "1"
type = "单选"
text = "党员的义务包括哪些？"
options = ["认真学习", "贯彻执行党的基本路线", "以上都是"]
answer = "C"
`
	seq := admin.Seq()
	admin.SendDocument("notes.toml", "application/toml", []byte(bank))
	m := e.waitAfter(admin, seq, "确认发布吗")
	if !strings.Contains(m.Text, "第 8 行：第 1 题：选项 \"以上都是\" 提到了其他选项") || !strings.Contains(m.Text, "shuffle = false") {
		t.Errorf("no note:\n%s", m.Text)
	}
	e.press(admin, "发布", "第 1 版")
}

// TestDocxUpload: a Word paper goes the same way: a paper with a question
// missing its answer is answered with that problem; a good one is
// summarised and published as one bank.
func TestDocxUpload(t *testing.T) {
	e := newEnv(t)
	admin := e.srv.NewUser(adminID, "组织部")
	bad, err := os.ReadFile("../questions/testdata/docx/paper.docx")
	if err != nil {
		t.Fatal(err)
	}
	seq := admin.Seq()
	admin.SendDocument("测试卷.docx", "", bad)
	m := e.waitAfter(admin, seq, "没有发布")
	if !strings.Contains(m.Text, "第 17 行：第 2 题：没有找到答案") {
		t.Errorf("bad paper:\n%s", m.Text)
	}
	good, err := os.ReadFile("../questions/testdata/docx/good.docx")
	if err != nil {
		t.Fatal(err)
	}
	seq = admin.Seq()
	admin.SendDocument("测试卷.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", good)
	m = e.waitAfter(admin, seq, "确认发布这 1 套题库吗")
	if !strings.Contains(m.Text, "生成题目 6 道") || !strings.Contains(m.Text, "党章知识测试卷") {
		t.Errorf("good paper:\n%s", m.Text)
	}
	e.press(admin, "发布", "已发布")
	n := 0
	for _, b := range e.svc.Content().Catalog.Banks {
		if b.Title == "党章知识测试卷（2026 年第一季度）" {
			n = len(b.Questions)
		}
	}
	if n != 6 {
		t.Errorf("published paper: %d questions", n)
	}
}
