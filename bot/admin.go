package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

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
	summary := b.uploadSummary(d)
	if d.Empty() {
		r.Reply(summary + "\n" + txtUploadSame)
		return nil
	}
	return b.offerPublish(r, pendingUpload{FileID: doc.FileID, Name: name, Token: shortHash(doc.FileUniqueID + doc.FileID)}, summary, "", b.askedText(d)+txtUploadConfirm)
}

// uploadSummary is what an upload's summary shows: what publishing it
// would change (which questions, and which of those removed members were
// asked), and its notes. 发布 checks it is still the same; the figures
// that move as members answer (askedText) are shown after it, unchecked,
// so that 发布 is not asked again for every answer.
func (b *Bot) uploadSummary(d *quiz.Draft) string { return b.draftText(d) + b.uploadNotes(d) }

// pendingUpload is an upload waiting for 发布, kept in the dialog: the
// file id (not the file: 发布 downloads and checks it again), its name,
// the token its buttons carry, and a hash of the summary they were shown
// under, so that what is published is exactly what was shown. A roll back
// has no file: Kind, ID and Version name the stored version it publishes
// again.
type pendingUpload struct {
	Format  int    `json:"v"` // uploadFormat
	FileID  string `json:"f,omitempty"`
	Name    string `json:"n"`
	Token   string `json:"t"`
	Summary string `json:"s"`
	Kind    string `json:"k,omitempty"`
	ID      string `json:"i,omitempty"`
	Version int    `json:"r,omitempty"` // a roll back's version; versionBuiltin for the built-in one
}

// versionBuiltin is the Version of a pending roll back to the file built
// into the program.
const versionBuiltin = -1

// rollbackLead is the line a roll back's summary starts with ("" for an
// upload).
func (p pendingUpload) rollbackLead() string {
	switch {
	case p.Version == versionBuiltin:
		return txtRestoreBuiltinLead
	case p.Version > 0:
		return fmt.Sprintf(txtRollbackLead, p.Version)
	}
	return ""
}

// uploadFormat is the dialog format of a pending upload. A dialog of an
// older format (lines: file id, name, token, summary hash) does not
// decode: its buttons are stale, and say so.
const uploadFormat = 2

func (p pendingUpload) encode() string {
	p.Format = uploadFormat
	data, _ := json.Marshal(p) // strings and ints: cannot fail
	return string(data)
}

func decodeUpload(s string) (pendingUpload, bool) {
	var p pendingUpload
	if err := json.Unmarshal([]byte(s), &p); err != nil || p.Format != uploadFormat || p.Token == "" {
		return pendingUpload{}, false
	}
	if (p.FileID == "") == (p.Version == 0) { // a file, or a stored version: one of them
		return pendingUpload{}, false
	}
	return p, true
}

// offerPublish keeps the upload in the dialog, with a hash of the summary
// shown, and shows lead, the summary and confirm with 发布 / 取消.
func (b *Bot) offerPublish(r *Request, p pendingUpload, summary, lead, confirm string) error {
	p.Summary = shortHash(summary)
	if err := b.saveDialog(r.Ctx, r.Chat, &dialog{Mode: modeUpload, Data: p.encode()}); err != nil {
		return err
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(txtPublish, "pub:y:"+p.Token),
		tgbotapi.NewInlineKeyboardButtonData(txtCancel, "pub:n:"+p.Token),
	))
	r.ReplyKB(lead+summary+confirm, &kb)
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

// draftText says what publishing a draft would change: for a bank, which
// questions (bankListText).
func (b *Bot) draftText(d *quiz.Draft) string {
	retitled := ""
	if d.Retitled {
		retitled = fmt.Sprintf(txtUploadRetitled, esc(d.OldTitle), esc(draftTitle(d)))
	}
	switch {
	case d.Bank != nil:
		c := d.Bank
		change := txtUploadNewBank
		if !c.New {
			change = fmt.Sprintf(txtUploadChanges, len(c.Added), len(c.Changed), len(c.Removed)) + retitled + bankListText(d)
		}
		return fmt.Sprintf(txtUploadBank, esc(d.Name), esc(c.Title), esc(d.ID), c.Count, change)
	case d.Org != nil:
		c := d.Org
		return fmt.Sprintf(txtUploadOrg, esc(d.Name), len(c.Added), len(c.Removed), len(c.Renamed), len(c.Moved))
	}
	months := txtNoneMonths
	if len(d.Plan) > 0 {
		months = monthsText(d.Plan)
	}
	plan := fmt.Sprintf(txtUploadPlanMonths, months)
	if len(d.Quarters) > 0 {
		plan += fmt.Sprintf(txtUploadQuarters, quartersText(d.Quarters))
	}
	return fmt.Sprintf(txtUploadPlan, esc(d.Name), plan+retitled)
}

// pressPublish publishes (or drops) the upload waiting in the dialog — the
// one this button was shown under, and only as its summary showed it: a
// button of an earlier upload does nothing, and a summary that changed
// meanwhile (someone else published) is shown again to confirm.
func pressPublish(r *Request) error {
	b := r.Bot
	d := r.Dialog
	if len(r.Data) != 3 || (r.Data[1] != "y" && r.Data[1] != "n") {
		r.Toast(txtButtonUnknown)
		return nil
	}
	p, ok := pendingUpload{}, false
	if d != nil && d.Mode == modeUpload {
		p, ok = decodeUpload(d.Data)
	}
	if !ok || p.Token != r.Data[2] {
		r.Toast(stripTags(txtPublishStale))
		b.dropKeyboard(r)
		r.Reply(txtPublishStale)
		return nil
	}
	name := p.Name
	b.dropKeyboard(r)
	if r.Data[1] != "y" {
		r.Toast("")
		if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
			return err
		}
		r.Reply(txtPublishCancelled)
		return nil
	}
	// What 发布 publishes is checked again: a stored version (a roll back)
	// or the file, downloaded again.
	prepare := func() (*quiz.Draft, error) {
		if p.Version == versionBuiltin {
			return b.svc.PrepareBuiltin(r.Ctx, r.Viewer, p.Kind, p.ID)
		}
		return b.svc.PrepareVersion(r.Ctx, r.Viewer, p.Kind, p.ID, p.Version)
	}
	if p.Version == 0 {
		data, err := b.downloadMax(r.Ctx, p.FileID, uploadLimit(name))
		if err != nil {
			r.Toast(stripTags(txtUploadFailed))
			return nil
		}
		if importable(name) {
			return b.publishXLSX(r, p, data) // imported and checked again: bot/xlsx.go
		}
		prepare = func() (*quiz.Draft, error) { return b.svc.Prepare(r.Ctx, r.Viewer, name, data) }
	}
	draft, err := prepare()
	if err != nil {
		return err
	}
	if len(draft.Problems) > 0 {
		r.Toast("")
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		r.Reply(problemsText(name, draft.Problems))
		return nil
	}
	changed := txtPublishChanged + p.rollbackLead() // the lead of a summary shown again
	if summary := b.uploadSummary(draft); shortHash(summary) != p.Summary {
		r.Toast("")
		if draft.Empty() {
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			r.Reply(summary + "\n" + txtUploadSame)
			return nil
		}
		return b.offerPublish(r, p, summary, changed, b.askedText(draft)+txtUploadConfirm)
	}
	pub, err := b.svc.Publish(r.Ctx, r.Viewer, draft)
	if quiz.ErrorReason(err) == quiz.ReasonContentChanged {
		// Published by someone else between the check and now: show what
		// this upload changes now and ask again.
		again, err := prepare()
		if err != nil {
			return err
		}
		r.Toast("")
		if len(again.Problems) > 0 || again.Empty() {
			_ = b.saveDialog(r.Ctx, r.Chat, nil)
			r.Reply(p.expired())
			return nil
		}
		return b.offerPublish(r, p, b.uploadSummary(again), changed, b.askedText(again)+txtUploadConfirm)
	}
	if quiz.ErrorReason(err) == quiz.ReasonBadFile {
		r.Toast("")
		_ = b.saveDialog(r.Ctx, r.Chat, nil)
		r.Reply(p.expired())
		return nil
	}
	if err != nil {
		return err
	}
	r.Toast("")
	if err := b.saveDialog(r.Ctx, r.Chat, nil); err != nil {
		return err
	}
	switch {
	case p.Version == versionBuiltin:
		r.Reply(fmt.Sprintf(txtRestoredBuiltin, pub.Version))
		return nil
	case p.Version > 0:
		r.Reply(fmt.Sprintf(txtRolledBack, p.Version, pub.Version))
		return nil
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

// banks lists what is published: every bank with its version (or where
// it came from: built in, or a file on the server), the plan and the
// tree; its buttons open each one's card (bot/banks.go).
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
	c := b.svc.Content()
	origin := func(kind, id string) string {
		p, ok := latest[kind+"/"+id]
		return b.originText(c.Catalog, kind, id, p, ok)
	}
	var s strings.Builder
	fmt.Fprintf(&s, txtBanksHeader, len(c.Catalog.Banks), c.Catalog.Count())
	for _, bank := range c.Catalog.Banks {
		fmt.Fprintf(&s, txtBankLine, esc(bank.Title), esc(bank.ID), len(bank.Questions), origin(quiz.PubBank, bank.ID))
	}
	plan := txtPlanNone
	if p := c.Catalog.Plan; p != nil {
		plan = esc(p.Title) + " · " + origin(quiz.PubPlan, "plan")
	}
	fmt.Fprintf(&s, txtPlanLine, plan)
	fmt.Fprintf(&s, txtOrgLine, c.Tree.Len(), origin(quiz.PubOrg, "org"))
	s.WriteString(txtBanksHow)
	r.ReplyKB(s.String(), banksKeyboard(c.Catalog, 0)) // bot/xlsx.go
	return nil
}
