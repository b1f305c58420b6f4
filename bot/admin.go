package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/xuri/excelize/v2"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// MaxUpload is the largest file an admin may upload (1 MB): the
// validator's limit, far above any real bank.
const MaxUpload = questions.MaxFileSize

// upload checks a document an admin sent — name, size and type before
// downloading anything — then validates it and shows its problems, or
// what publishing it would change with 发布 / 取消 buttons.
func upload(r *Request) error {
	b := r.Bot
	doc := r.Msg.Document
	name := doc.FileName
	if importable(name) {
		return uploadXLSX(r) // an .xlsx or .docx becomes bank TOML first: bot/xlsx.go
	}
	if !strings.EqualFold(path.Ext(name), ".toml") || !textMIME(doc.MimeType) {
		r.Reply(txtUploadNotToml)
		return nil
	}
	if doc.FileSize > MaxUpload {
		r.Reply(fmt.Sprintf(txtUploadTooBig, sizeText(int64(doc.FileSize))))
		return nil
	}
	data, err := b.download(r.Ctx, doc.FileID)
	if err != nil {
		b.log.Warn("downloading an upload", "err", err)
		r.Reply(txtUploadFailed)
		return nil
	}
	if len(data) > MaxUpload {
		r.Reply(fmt.Sprintf(txtUploadTooBig, sizeText(int64(len(data)))))
		return nil
	}
	d, err := b.svc.Prepare(r.Ctx, r.Viewer, name, data)
	if err != nil {
		return err
	}
	if len(d.Problems) > 0 {
		r.Reply(problemsText(name, d.Problems))
		return nil
	}
	summary := b.draftText(d) + b.uploadNotes(d)
	if d.Empty() {
		r.Reply(summary + "\n" + txtUploadSame)
		return nil
	}
	// The file id is kept, not the file: 发布 downloads and checks it
	// again, so what is published is exactly what was shown.
	if err := b.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeUpload, Data: doc.FileID + "\n" + name}); err != nil {
		return err
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtPublish, "pub:y:"+shortHash(doc.FileUniqueID+doc.FileID)),
		tgbotapi.NewInlineKeyboardButtonData(txtCancel, "pub:n:"+shortHash(doc.FileUniqueID+doc.FileID)),
	))
	r.ReplyKB(summary+txtUploadConfirm, &kb)
	return nil
}

// textMIME accepts what clients send for a .toml text file.
func textMIME(m string) bool {
	m = strings.ToLower(m)
	return m == "" || strings.HasPrefix(m, "text/") || m == "application/toml" || m == "application/octet-stream" || m == "application/x-toml"
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}

// shortHash is a short token tying a button to the upload it was made for.
func shortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return fmt.Sprintf("%08x", h)
}

// problemsText lists an upload's problems (line: what is wrong).
func problemsText(name string, ps questions.Problems) string {
	var lines []string
	const show = 40
	for i, p := range ps {
		if i == show {
			lines = append(lines, fmt.Sprintf(txtUploadMore, len(ps)-show))
			break
		}
		where := ""
		if w := p.Where(); w != "" {
			where = w + "：" // 第 12 行, or 工作表!12 in a workbook
		}
		lines = append(lines, "· "+esc(where+p.Msg))
	}
	return fmt.Sprintf(txtUploadProblems, esc(name), len(ps), strings.Join(lines, "\n"))
}

// draftText says what publishing a draft would change.
func (b *Bot) draftText(d *quiz.Draft) string {
	switch {
	case d.Bank != nil:
		c := d.Bank
		change := txtUploadNewBank
		if !c.New {
			change = fmt.Sprintf(txtUploadChanges, len(c.Added), len(c.Changed), len(c.Removed))
		}
		return fmt.Sprintf(txtUploadBank, esc(d.Name), esc(c.Title), esc(d.ID), c.Count, change)
	case d.Org != nil:
		c := d.Org
		return fmt.Sprintf(txtUploadOrg, esc(d.Name), len(c.Added), len(c.Removed), len(c.Renamed), len(c.Moved))
	}
	months := txtNoneMonths
	if len(d.Plan) > 0 {
		var ms []string
		for _, m := range d.Plan {
			ms = append(ms, fmt.Sprintf("%d月", m))
		}
		months = strings.Join(ms, "、")
	}
	return fmt.Sprintf(txtUploadPlan, esc(d.Name), fmt.Sprintf(txtUploadPlanMonths, months))
}

// pressPublish publishes (or drops) the upload waiting in the dialog.
func pressPublish(r *Request) error {
	b := r.Bot
	d := r.Dialog
	if len(r.Data) != 3 || d == nil || d.Mode != modeUpload {
		r.Toast(txtUploadExpired)
		return nil
	}
	fileID, name, _ := strings.Cut(d.Data, "\n")
	if r.Callback.Message != nil {
		e := tgbotapi.NewEditMessageReplyMarkup(r.Chat, r.Callback.Message.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}})
		b.send.Enqueue(r.Chat, e, nil)
	}
	if r.Data[1] != "y" {
		r.Toast("")
		if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
			return err
		}
		r.Reply(txtPublishCancelled)
		return nil
	}
	data, err := b.downloadMax(r.Ctx, fileID, uploadLimit(name))
	if err != nil {
		r.Toast(stripTags(txtUploadFailed))
		return nil
	}
	if importable(name) {
		return b.publishXLSX(r, name, data) // imported and checked again: bot/xlsx.go
	}
	draft, err := b.svc.Prepare(r.Ctx, r.Viewer, name, data)
	if err != nil {
		return err
	}
	if len(draft.Problems) > 0 {
		r.Toast("")
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		r.Reply(problemsText(name, draft.Problems))
		return nil
	}
	pub, err := b.svc.Publish(r.Ctx, r.Viewer, draft)
	if quiz.ErrorReason(err) == quiz.ReasonBadFile {
		r.Toast("")
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		r.Reply(txtUploadExpired)
		return nil
	}
	if err != nil {
		return err
	}
	r.Toast("")
	if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtPublished, esc(name), pub.Version))
	return nil
}

// download fetches a file a user sent (getFile, then the file endpoint:
// tgbotapi's GetFileDirectURL ignores a custom endpoint).
func (b *Bot) download(ctx context.Context, fileID string) ([]byte, error) {
	return b.downloadMax(ctx, fileID, MaxUpload)
}

// uploadLimit is the largest upload of that name: a workbook may be
// larger than a TOML file.
func uploadLimit(name string) int {
	if importable(name) {
		return MaxXLSXUpload
	}
	return MaxUpload
}

// downloadMax is download for a file of at most max bytes.
func (b *Bot) downloadMax(ctx context.Context, fileID string, max int) ([]byte, error) {
	resp, err := b.send.Call(ctx, tgbotapi.FileConfig{FileID: fileID}, 3)
	if err != nil {
		return nil, err
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil {
		return nil, err
	}
	if f.FileSize > max {
		return nil, fmt.Errorf("file of %d bytes", f.FileSize)
	}
	url := fmt.Sprintf(b.opts.FileEndpoint, b.opts.Token, f.FilePath)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := b.api.Client.(*http.Client).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: %s", res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, int64(max)+1))
}

// banks lists what is published: every bank with its version, the plan
// and the tree.
func banks(r *Request) error {
	b := r.Bot
	pubs, err := b.svc.Published(r.Ctx)
	if err != nil {
		return err
	}
	latest := map[string]quiz.Publication{}
	for _, p := range pubs {
		latest[p.Kind+"/"+p.ID] = p
	}
	version := func(kind, id string) string {
		if p, ok := latest[kind+"/"+id]; ok {
			return fmt.Sprintf(txtVersion, p.Version, b.dateTime(p.At))
		}
		return txtBuiltin
	}
	c := b.svc.Content()
	var s strings.Builder
	fmt.Fprintf(&s, txtBanksHeader, len(c.Catalog.Banks), c.Catalog.Count())
	for _, bank := range c.Catalog.Banks {
		fmt.Fprintf(&s, txtBankLine, esc(bank.Title), esc(bank.ID), len(bank.Questions), version(quiz.PubBank, bank.ID))
	}
	plan := txtPlanNone
	if p := c.Catalog.Plan; p != nil {
		plan = esc(p.Title) + " · " + version(quiz.PubPlan, "plan")
	}
	fmt.Fprintf(&s, txtPlanLine, plan)
	fmt.Fprintf(&s, txtOrgLine, c.Tree.Len(), version(quiz.PubOrg, "org"))
	s.WriteString(txtBanksHow)
	r.ReplyKB(s.String(), banksKeyboard(c.Catalog, 0)) // each bank as .xlsx: bot/xlsx.go
	return nil
}

// spreadsheet writes an export as .xlsx: one row per member, months,
// tests, points, stars and rank, with Chinese headers.
func (b *Bot) spreadsheet(rows []quiz.ExportRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "成绩表"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	tree := b.svc.Tree()
	year := b.svc.Cal.Year(b.svc.Now())
	head := []any{"姓名", "所在党支部"}
	for m := 1; m <= 12; m++ {
		head = append(head, fmt.Sprintf("%d月学习", m))
	}
	for _, q := range year.Quarters(b.svc.Cal) {
		head = append(head, fmt.Sprintf("第%s季度测试", []string{"一", "二", "三", "四"}[q.N-1]))
	}
	head = append(head, "全年积分", "星级", "支部排名")
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, 2, 16); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	for i, r := range rows {
		row := []any{r.User.Name, tree.Path(r.Branch)}
		for _, m := range r.Months {
			switch {
			case m.StudyDone && m.Makeup:
				row = append(row, "完成（补学）")
			case m.StudyDone:
				row = append(row, "完成")
			default:
				row = append(row, "")
			}
		}
		for _, q := range r.Quarters {
			if q.Tested {
				row = append(row, q.TestScore)
			} else {
				row = append(row, "")
			}
		}
		row = append(row, r.Points.Float(), r.Stars, r.Rank)
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
