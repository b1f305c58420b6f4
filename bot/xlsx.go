package bot

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// Question banks as Excel workbooks: an admin sends an .xlsx (or a Word
// paper, .docx), it becomes bank TOML (questions.ImportFile) and goes
// through the same validation,
// summary and 发布 / 取消 as a .toml; /banks offers every published bank
// back as an .xlsx in the layout the import reads.
//
// An upload of a workbook is kept in the dialog exactly as a .toml's is
// (the file id and name) and published by pressPublish, which downloads it
// again and hands it to publishXLSX: what is published is what the
// workbook says when 发布 is pressed, checked again.

// MaxXLSXUpload is the largest workbook an admin may send.
const MaxXLSXUpload = questions.MaxXLSXSize

// importable reports whether a document is imported into bank TOML before
// it is checked — an Excel workbook or a Word paper — by its name.
func importable(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".xlsx" || ext == ".docx"
}

// xlsxMIME accepts what clients send for an .xlsx or a .docx.
func xlsxMIME(m string) bool {
	m = strings.ToLower(m)
	return m == "" || m == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		m == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
		m == "application/octet-stream" || m == "application/zip" || m == "application/x-zip-compressed"
}

// uploadXLSX checks a workbook an admin sent — type and size before
// downloading — imports it, and shows its problems, or what publishing its
// banks would change with 发布 / 取消.
func uploadXLSX(r *Request) error {
	b := r.Bot
	doc := r.Msg.Document
	name := doc.FileName
	if !xlsxMIME(doc.MimeType) {
		r.Reply(txtUploadNotToml)
		return nil
	}
	if doc.FileSize > MaxXLSXUpload {
		r.Reply(fmt.Sprintf(txtXLSXTooBig, sizeText(int64(doc.FileSize)), sizeText(MaxXLSXUpload)))
		return nil
	}
	data, err := b.downloadMax(r.Ctx, doc.FileID, MaxXLSXUpload)
	if err != nil {
		b.log.Warn("downloading an upload", "err", err)
		r.Reply(txtUploadFailed)
		return nil
	}
	im, drafts, err := b.prepareXLSX(r, name, data)
	if err != nil {
		return err
	}
	if text, bad := xlsxProblems(name, im, drafts); bad {
		r.Reply(text)
		return nil
	}
	text, empty := b.xlsxText(im, drafts)
	if empty {
		r.Reply(text + "\n" + txtUploadSame)
		return nil
	}
	p := pendingUpload{FileID: doc.FileID, Name: name, Token: shortHash(doc.FileUniqueID + doc.FileID)}
	return b.offerPublish(r, p, text, "", b.askedText(drafts...)+fmt.Sprintf(txtXLSXConfirm, len(drafts)))
}

// xlsxText is a workbook's summary: how it was read, what each of its
// banks would change, its notes; and whether nothing would change.
func (b *Bot) xlsxText(im *questions.Import, drafts []*quiz.Draft) (string, bool) {
	var s strings.Builder
	s.WriteString(xlsxSummary(im))
	empty := true
	for _, d := range drafts {
		s.WriteString("\n" + b.draftText(d))
		empty = empty && d.Empty()
	}
	s.WriteString(b.xlsxNotes(im))
	return s.String(), empty
}

// prepareXLSX imports a workbook and, when it has no problem, prepares
// each of its banks as an uploaded TOML file would be.
func (b *Bot) prepareXLSX(r *Request, name string, data []byte) (*questions.Import, []*quiz.Draft, error) {
	im := questions.ImportFile(name, data)
	if len(im.Problems) > 0 {
		return im, nil, nil
	}
	var drafts []*quiz.Draft
	for _, ib := range im.Banks {
		d, err := b.svc.Prepare(r.Ctx, r.Viewer, xlsxBankName(name, ib), ib.TOML)
		if err != nil {
			return nil, nil, err
		}
		drafts = append(drafts, d)
	}
	return im, drafts, nil
}

// xlsxBankName names one bank of a workbook, as its publication is named.
func xlsxBankName(name string, ib *questions.ImportedBank) string {
	if ib.Sheet == "" {
		return name // a Word paper: one bank
	}
	where := ib.Sheet
	if ib.Chapter != "" {
		where += " · " + ib.Chapter
	}
	return fmt.Sprintf("%s（%s）", name, where)
}

// xlsxProblems is the reply to a workbook with problems, and whether it
// has any: the import's, each at its 工作表!行, or a bank's as prepared.
func xlsxProblems(name string, im *questions.Import, drafts []*quiz.Draft) (string, bool) {
	if len(im.Problems) > 0 {
		return xlsxSummary(im) + "\n" + problemsText(name, im.Problems), true
	}
	var ps questions.Problems
	for _, d := range drafts {
		ps = append(ps, d.Problems...)
	}
	if len(ps) > 0 {
		return xlsxSummary(im) + "\n" + problemsText(name, ps), true
	}
	return "", false
}

// xlsxSummary says what a workbook held: rows read, questions made, rows
// refused, and how it was split into banks.
func xlsxSummary(im *questions.Import) string {
	split := ""
	if len(im.Banks) > 0 && im.Banks[0].Sheet != "" {
		chapters := 0
		for _, ib := range im.Banks {
			if ib.Chapter != "" {
				chapters++
			}
		}
		split = fmt.Sprintf(txtXLSXBySheet, len(im.Banks))
		if chapters > 0 {
			split = fmt.Sprintf(txtXLSXByChapter, len(im.Banks))
		}
	}
	return fmt.Sprintf(txtXLSXSummary, esc(im.Name), im.Rows, im.Questions, im.Refused, split)
}

// xlsxNotes lists what the import noted and the questions that repeat a
// published bank's.
func (b *Bot) xlsxNotes(im *questions.Import) string {
	notes := append(questions.Problems(nil), im.Notes...)
	var banks []*questions.Bank
	replaced := map[string]bool{}
	for _, ib := range im.Banks {
		banks = append(banks, ib.Bank)
		replaced[ib.Bank.ID] = true
	}
	var known []*questions.Bank
	for _, k := range b.svc.Content().Catalog.Banks {
		if !replaced[k.ID] {
			known = append(known, k)
		}
	}
	notes = append(notes, questions.Duplicates(known, banks)...)
	return notesText(notes)
}

// uploadNotes lists the notes of an uploaded .toml bank: its own, and its
// questions that repeat another published bank's.
func (b *Bot) uploadNotes(d *quiz.Draft) string {
	if d.File == nil {
		return ""
	}
	notes := append(questions.Problems(nil), d.File.Notes...)
	if d.File.Bank != nil {
		var known []*questions.Bank
		for _, k := range b.svc.Content().Catalog.Banks {
			if k.ID != d.File.Bank.ID {
				known = append(known, k)
			}
		}
		notes = append(notes, questions.Duplicates(known, []*questions.Bank{d.File.Bank})...)
	}
	return notesText(notes)
}

// notesText lists notes after an upload's summary, or "".
func notesText(notes questions.Problems) string {
	if len(notes) == 0 {
		return ""
	}
	const show = 20
	var lines []string
	for i, p := range notes {
		if i == show {
			lines = append(lines, fmt.Sprintf(txtUploadMoreNotes, len(notes)-show))
			break
		}
		where := ""
		if w := p.Where(); w != "" {
			where = w + "："
		}
		lines = append(lines, "· "+esc(where+p.Msg))
	}
	return fmt.Sprintf(txtUploadNotes, len(notes), strings.Join(lines, "\n"))
}

// publishXLSX publishes the banks of a workbook when 发布 is pressed: the
// workbook is imported and checked again, then each bank is published in
// turn.
func (b *Bot) publishXLSX(r *Request, p pendingUpload, data []byte) error {
	name := p.Name
	im, drafts, err := b.prepareXLSX(r, name, data)
	if err != nil {
		return err
	}
	if text, bad := xlsxProblems(name, im, drafts); bad {
		r.Toast("")
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		r.Reply(text)
		return nil
	}
	// Exactly what the summary showed, or it is shown again.
	if text, empty := b.xlsxText(im, drafts); shortHash(text) != p.Summary {
		r.Toast("")
		if empty {
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			r.Reply(text + "\n" + txtUploadSame)
			return nil
		}
		return b.offerPublish(r, p, text, txtPublishChanged, b.askedText(drafts...)+fmt.Sprintf(txtXLSXConfirm, len(drafts)))
	}
	var done []string
	for i, d := range drafts {
		if d.Empty() {
			continue
		}
		if i > 0 {
			// The banks before changed what is published: prepare this one
			// again, and publish it only if it still changes what was shown.
			again, err := b.svc.Prepare(r.Ctx, r.Viewer, d.Name, d.Data)
			if err != nil {
				return err
			}
			if len(again.Problems) > 0 || b.draftText(again) != b.draftText(d) {
				r.Toast("")
				_ = b.saveDialog(r.Ctx, r.Chat, nil)
				r.Reply(fmt.Sprintf(txtXLSXPartly, strings.Join(done, "\n"), esc(d.Name)))
				return nil
			}
			d = again
		}
		pub, err := b.svc.Publish(r.Ctx, r.Viewer, d)
		if err != nil {
			r.Toast("")
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			if len(done) > 0 {
				// Banks are published one by one: say which are live.
				r.Reply(fmt.Sprintf(txtXLSXPartly, strings.Join(done, "\n"), esc(d.Name)))
				b.log.Error("publishing a bank of a workbook failed", "name", d.Name, "err", err)
				return nil
			}
			if quiz.ErrorReason(err) == quiz.ReasonBadFile || quiz.ErrorReason(err) == quiz.ReasonContentChanged {
				r.Reply(txtUploadExpired)
				return nil
			}
			return err
		}
		done = append(done, fmt.Sprintf(txtXLSXPublishedBank, esc(d.Bank.Title), esc(d.ID), pub.Version))
	}
	r.Toast("")
	if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	r.Reply(fmt.Sprintf(txtXLSXPublished, esc(name), strings.Join(done, "\n")))
	return nil
}

// --- downloads ----------------------------------------------------------

// banksPerPage is how many download buttons /banks shows at once.
const banksPerPage = 20

// banksKeyboard opens each published bank's card (its versions, its
// files, roll backs: bot/banks.go), a page at a time, then the plan's, the
// tree's and the format guide.
func banksKeyboard(c *questions.Catalog, page int) *tgbotapi.InlineKeyboardMarkup {
	banks := c.Banks
	last := tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtPlanButton, "bk:p"),
		tgbotapi.NewInlineKeyboardButtonData(txtOrgButton, "bk:o"),
		tgbotapi.NewInlineKeyboardButtonData(txtGuideButton, "bk:g"))
	if len(banks) == 0 {
		kb := tgbotapi.NewInlineKeyboardMarkup(last)
		return &kb
	}
	pages := (len(banks) + banksPerPage - 1) / banksPerPage
	page = max(0, min(page, pages-1))
	var rows [][]tgbotapi.InlineKeyboardButton
	var row []tgbotapi.InlineKeyboardButton
	for _, bank := range banks[page*banksPerPage : min(len(banks), (page+1)*banksPerPage)] {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtBankButton, truncate(bank.Title, 16)), "bk:b:"+bank.ID))
		if len(row) == 2 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if pages > 1 {
		var nav []tgbotapi.InlineKeyboardButton
		if page > 0 {
			nav = append(nav, tgbotapi.NewInlineKeyboardButtonData(txtPagePrev, "bx:p:"+strconv.Itoa(page-1)))
		}
		nav = append(nav, tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtPageOf, page+1, pages), "bx:n"))
		if page < pages-1 {
			nav = append(nav, tgbotapi.NewInlineKeyboardButtonData(txtPageNext, "bx:p:"+strconv.Itoa(page+1)))
		}
		rows = append(rows, nav)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(append(rows, last)...)
	return &kb
}

// pressBankXLSX sends a published bank as an .xlsx ("bx:<bank id>", from
// a bank's card), or turns the page of /banks ("bx:p:<page>").
func pressBankXLSX(r *Request) error {
	b := r.Bot
	c := b.svc.Content().Catalog
	if len(r.Data) == 3 && r.Data[1] == "p" {
		page, ok := parseSmall(r.Data[2], 1000)
		if !ok {
			r.Toast(txtButtonUnknown)
			return nil
		}
		r.Toast("")
		if r.Callback.Message != nil {
			e := tgbotapi.NewEditMessageReplyMarkup(r.Chat, r.Callback.Message.MessageID, *banksKeyboard(c, page))
			b.send.Enqueue(r.Chat, e, nil)
		}
		return nil
	}
	if len(r.Data) != 2 {
		r.Toast(txtButtonUnknown)
		return nil
	}
	if r.Data[1] == "n" { // the page number: nothing to do
		r.Toast("")
		return nil
	}
	return b.sendBankXLSX(r, r.Data[1])
}

// sendBankXLSX sends a published bank as an .xlsx.
func (b *Bot) sendBankXLSX(r *Request, id string) error {
	bank := b.svc.Content().Catalog.Bank(id)
	if bank == nil {
		r.Toast(txtBankGone)
		return nil
	}
	data, err := questions.ExportXLSX(bank)
	if err != nil {
		return err
	}
	r.Toast("")
	doc := tgbotapi.NewDocument(r.Chat, tgbotapi.FileBytes{Name: xlsxFileName(bank), Bytes: data})
	doc.Caption = fmt.Sprintf(txtBankXLSX, esc(bank.Title), esc(bank.ID), len(bank.Questions))
	doc.ParseMode = tgbotapi.ModeHTML
	b.send.Enqueue(r.Chat, doc, nil)
	return nil
}

// xlsxFileName is the name a bank's workbook is sent under: its title,
// without characters file systems refuse.
func xlsxFileName(bank *questions.Bank) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`\/:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, bank.Title)
	if strings.TrimSpace(name) == "" {
		name = bank.ID
	}
	return name + ".xlsx"
}
