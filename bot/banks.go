package bot

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/questions"
	"partyquiz/quiz"
)

// What /banks opens, and what an upload's summary says about questions.
//
// Each bank, the plan and the tree has a card ("bk:b:<id>", "bk:p",
// "bk:o"): where it came from now (a version published in chat, built into
// the program, or a file on the server), its versions — who, when, what
// changed — its file to download ("bk:f:<k>:<id>", and a bank's Excel:
// "bk:x:<id>") and a button per earlier version to roll back to
// ("bk:r:<k>:<version>:<id>"). A roll back is offered like an upload:
// offerPublish shows what it changes with 发布 / 取消 and keeps a
// pendingUpload naming the stored version, which pressPublish prepares
// again and publishes as the next version. "bk:g" sends the format guide
// (questions/README.md, built into the program) as a document. Every card
// goes back to the list ("bk:l", ⬅️ 返回题库列表), as drill-downs do.

// cardVersions is how many versions a card lists, cardRollbacks how many
// of them get a roll-back button, listMax how many questions an upload's
// summary names.
const (
	cardVersions  = 10
	cardRollbacks = 6
	listMax       = 30
	stemRunes     = 24
)

// pubKinds are the kinds of publication by the letter their buttons carry.
var pubKinds = map[string]string{"b": quiz.PubBank, "p": quiz.PubPlan, "o": quiz.PubOrg}

// kindLetter is the letter of a kind in button data.
func kindLetter(kind string) string {
	for l, k := range pubKinds {
		if k == kind {
			return l
		}
	}
	return ""
}

// pressBanks handles the buttons of /banks and of the cards it opens.
func pressBanks(r *Request) error {
	b := r.Bot
	d := r.Data
	switch {
	case len(d) == 3 && d[1] == "b":
		return b.showCard(r, quiz.PubBank, d[2])
	case len(d) == 3 && d[1] == "x":
		return b.sendBankXLSX(r, d[2])
	case len(d) == 2 && d[1] == "p":
		return b.showCard(r, quiz.PubPlan, "plan")
	case len(d) == 2 && d[1] == "o":
		return b.showCard(r, quiz.PubOrg, "org")
	case len(d) == 2 && d[1] == "l":
		r.Toast("")
		return banks(r)
	case len(d) == 2 && d[1] == "g":
		r.Toast("")
		doc := tgbotapi.NewDocument(r.Chat, tgbotapi.FileBytes{Name: txtGuideName, Bytes: questions.Guide()})
		doc.Caption = txtGuideCaption
		b.send.Enqueue(r.Chat, doc, nil)
		return nil
	case len(d) == 4 && d[1] == "f" && pubKinds[d[2]] != "":
		return b.sendCurrentFile(r, pubKinds[d[2]], d[3])
	case len(d) == 5 && d[1] == "r" && pubKinds[d[2]] != "":
		if d[3] == "builtin" {
			return b.offerRollback(r, pubKinds[d[2]], d[4], versionBuiltin)
		}
		v, ok := parseSmall(d[3], 1<<30)
		if !ok || v < 1 {
			break
		}
		return b.offerRollback(r, pubKinds[d[2]], d[4], v)
	}
	r.Toast(txtButtonUnknown)
	return nil
}

// showCard sends the card of a bank, the plan or the tree.
func (b *Bot) showCard(r *Request, kind, id string) error {
	c := b.svc.Content()
	hist, err := b.svc.History(r.Ctx, r.Viewer, kind, id)
	if err != nil {
		return err
	}
	var latest quiz.Publication
	if len(hist) > 0 {
		latest = hist[0].Publication
	}
	origin := b.originText(c.Catalog, kind, id, latest, len(hist) > 0)
	var s strings.Builder
	var rows [][]tgbotapi.InlineKeyboardButton
	hasFile := len(hist) > 0
	switch kind {
	case quiz.PubBank:
		bank := c.Catalog.Bank(id)
		if bank == nil {
			r.Toast(txtBankGone)
			return nil
		}
		fmt.Fprintf(&s, txtBankCard, esc(bank.Title), esc(bank.ID), len(bank.Questions), origin)
		hasFile = true // a bank can always be written out
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtBankDownload, txtExcelLabel), "bk:x:"+bank.ID),
			tgbotapi.NewInlineKeyboardButtonData(txtFileButton, "bk:f:b:"+bank.ID)))
	case quiz.PubPlan:
		p := c.Catalog.Plan
		if p == nil && len(hist) == 0 {
			r.Toast("")
			kb := tgbotapi.NewInlineKeyboardMarkup(backToBanks())
			r.ReplyKB(txtCardNoPlan, &kb)
			return nil
		}
		title := ""
		if p != nil && p.Title != "" {
			title = fmt.Sprintf(txtPlanCardTitle, esc(p.Title))
		}
		fmt.Fprintf(&s, txtPlanCard, title, origin)
		if p != nil && p.Builtin {
			hasFile = true
		}
	default:
		fmt.Fprintf(&s, txtOrgCard, c.Tree.Len(), origin)
		if o := c.Catalog.Org; o != nil && o.Builtin {
			hasFile = true
		}
	}
	if kind != quiz.PubBank && hasFile {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(txtFileButton, "bk:f:"+kindLetter(kind)+":"+id)))
	}
	if len(hist) == 0 {
		s.WriteString(txtCardNoHistory)
	} else {
		fmt.Fprintf(&s, txtCardHistory, len(hist))
		for i, v := range hist {
			if i == cardVersions {
				fmt.Fprintf(&s, txtCardOlder, len(hist)-cardVersions)
				break
			}
			who := esc(v.ByName)
			if who == "" {
				who = fmt.Sprintf(txtPublisherID, v.By)
			}
			fmt.Fprintf(&s, txtCardVersion, v.Version, b.dateTime(v.At), who, changeText(kind, v.Change))
		}
		var row []tgbotapi.InlineKeyboardButton
		for i, v := range hist[1:] {
			if i == cardRollbacks {
				break
			}
			data := fmt.Sprintf("bk:r:%s:%d:%s", kindLetter(kind), v.Version, id)
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtRollbackBtn, v.Version), data))
			if len(row) == 2 {
				rows = append(rows, row)
				row = nil
			}
		}
		if _, ok := b.svc.BuiltinFile(kind, id); ok {
			// What was built in, before the versions published in chat.
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(txtRestoreBuiltinBtn,
				fmt.Sprintf("bk:r:%s:builtin:%s", kindLetter(kind), id)))
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		if len(hist) > 1 {
			s.WriteString(txtCardHow)
		}
	}
	r.Toast("")
	kb := tgbotapi.NewInlineKeyboardMarkup(append(rows, backToBanks())...)
	r.ReplyKB(s.String(), &kb)
	return nil
}

// backToBanks is a card's row back to /banks' list.
func backToBanks() []tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf(txtBackTo, txtBanksList), "bk:l"))
}

// originText says where what is in use of a kind and id came from: the
// latest version published in chat (p, when published), else built into
// the program, else a file on the server (a configured [questions] dir or
// [bot] org).
func (b *Bot) originText(cat *questions.Catalog, kind, id string, p quiz.Publication, published bool) string {
	if published {
		return fmt.Sprintf(txtVersion, p.Version, b.dateTime(p.At))
	}
	builtin, file := false, ""
	switch kind {
	case quiz.PubBank:
		if bank := cat.Bank(id); bank != nil {
			builtin, file = bank.Builtin, bank.File
		}
	case quiz.PubPlan:
		if cat.Plan != nil {
			builtin, file = cat.Plan.Builtin, cat.Plan.File
		}
	default:
		if cat.Org != nil {
			builtin, file = cat.Org.Builtin, cat.Org.File
		}
	}
	switch {
	case builtin:
		return txtBuiltin
	case file != "":
		return fmt.Sprintf(txtFromFile, esc(filepath.Base(file)))
	}
	return txtFromStart
}

// sendCurrentFile sends the file of what is in use: the version published
// last, as it was published; else the built-in file; else (a bank read
// from a folder on the server) the bank written out as TOML.
func (b *Bot) sendCurrentFile(r *Request, kind, id string) error {
	hist, err := b.svc.History(r.Ctx, r.Viewer, kind, id)
	if err != nil {
		return err
	}
	c := b.svc.Content().Catalog
	var name string
	var data []byte
	what := txtFileOfOrg
	switch kind {
	case quiz.PubBank:
		bank := c.Bank(id)
		if bank == nil {
			r.Toast(txtBankGone)
			return nil
		}
		what = fmt.Sprintf(txtFileOfBank, esc(bank.Title))
		if !bank.Builtin {
			name, data = id+".toml", questions.EncodeBank(bank, "")
		} else {
			name = bank.File
			data, _ = questions.BuiltinFile(bank.File)
		}
	case quiz.PubPlan:
		what = txtFileOfPlan
		if p := c.Plan; p != nil && p.Builtin {
			name = p.File
			data, _ = questions.BuiltinFile(p.File)
		}
	default:
		if o := c.Org; o != nil && o.Builtin {
			name = o.File
			data, _ = questions.BuiltinFile(o.File)
		}
	}
	if len(hist) > 0 {
		p, err := b.svc.PublishedVersion(r.Ctx, r.Viewer, kind, id, hist[0].Version)
		if err != nil {
			return err
		}
		name, data = id+".toml", p.Data
		if strings.EqualFold(path.Ext(p.Name), ".toml") {
			name = path.Base(p.Name)
		}
	}
	if len(data) == 0 {
		r.Toast(stripTags(txtNoVersion))
		return nil
	}
	r.Toast("")
	doc := tgbotapi.NewDocument(r.Chat, tgbotapi.FileBytes{Name: name, Bytes: data})
	doc.Caption = fmt.Sprintf(txtFileCaption, what)
	doc.ParseMode = tgbotapi.ModeHTML
	b.send.Enqueue(r.Chat, doc, nil)
	return nil
}

// offerRollback shows what publishing an earlier version (or the built-in
// one, versionBuiltin) again would change, with 发布 / 取消, exactly as an
// upload is shown.
func (b *Bot) offerRollback(r *Request, kind, id string, version int) error {
	var d *quiz.Draft
	var err error
	if version == versionBuiltin {
		d, err = b.svc.PrepareBuiltin(r.Ctx, r.Viewer, kind, id)
	} else {
		d, err = b.svc.PrepareVersion(r.Ctx, r.Viewer, kind, id, version)
	}
	if err != nil {
		return err
	}
	r.Toast("")
	if len(d.Problems) > 0 {
		r.Reply(problemsText(d.Name, d.Problems))
		return nil
	}
	if d.Empty() {
		if version == versionBuiltin {
			r.Reply(txtRestoreBuiltinSame)
		} else {
			r.Reply(fmt.Sprintf(txtRollbackSame, version))
		}
		return nil
	}
	p := pendingUpload{Name: d.Name, Kind: kind, ID: id, Version: version,
		Token: shortHash(kind + "/" + id + "/" + strconv.Itoa(version) + "/" + r.Callback.ID)}
	return b.offerPublish(r, p, b.uploadSummary(d), p.rollbackLead(), b.askedText(d)+txtUploadConfirm)
}

// expired is the reply to 发布 of an upload or a roll back that can no
// longer be published as shown.
func (p pendingUpload) expired() string {
	if p.Version != 0 {
		return txtNoVersion
	}
	return txtUploadExpired
}

// changeText words what a version changed.
func changeText(kind string, c *quiz.Change) string {
	if c == nil {
		return txtChangeUnknown
	}
	var parts []string
	switch kind {
	case quiz.PubBank:
		if c.New {
			parts = append(parts, txtChangeNewBank)
		} else if c.Added+c.Changed+c.Removed > 0 {
			parts = append(parts, fmt.Sprintf(txtChangeBank, c.Added, c.Changed, c.Removed))
		}
	case quiz.PubOrg:
		if c.Added+c.Changed+c.Removed+c.Moved > 0 {
			parts = append(parts, fmt.Sprintf(txtChangeOrg, c.Added, c.Removed, c.Changed, c.Moved))
		}
	default:
		if c.New {
			parts = append(parts, txtChangeNewPlan)
			break
		}
		if len(c.Months) > 0 {
			parts = append(parts, fmt.Sprintf(txtChangeMonths, monthsText(c.Months)))
		}
		if len(c.Quarters) > 0 {
			parts = append(parts, fmt.Sprintf(txtChangeQuarter, quartersText(c.Quarters)))
		}
	}
	if c.Retitled && !c.New {
		parts = append(parts, txtChangeTitle)
	}
	if len(parts) == 0 {
		parts = append(parts, txtChangeNone)
	}
	text := strings.Join(parts, txtListSep)
	switch {
	case c.Builtin:
		text = fmt.Sprintf(txtChangeBuiltin, text)
	case c.Restored > 0:
		text = fmt.Sprintf(txtChangeRestore, c.Restored, text)
	}
	return text
}

// draftTitle is the title of the bank or plan a draft publishes.
func draftTitle(d *quiz.Draft) string {
	switch {
	case d.Bank != nil:
		return d.Bank.Title
	case d.File != nil && d.File.Plan != nil:
		return d.File.Plan.Title
	}
	return ""
}

// monthsText lists months: 1月、3月.
func monthsText(ms []int) string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf(txtMonthN, m))
	}
	return strings.Join(out, txtMonthsSep)
}

// quartersText lists quarters: 第一季度、第二季度.
func quartersText(qs []int) string {
	var out []string
	for _, q := range qs {
		if q >= 1 && q <= len(txtNumerals) {
			out = append(out, fmt.Sprintf(txtQuarterName, txtNumerals[q-1]))
		}
	}
	return strings.Join(out, txtMonthsSep)
}

// bankListText names the questions a bank's draft adds, changes and
// removes — id and the first words of the stem, the first listMax of
// them, the rest counted — marking the removed ones members were asked.
func bankListText(d *quiz.Draft) string {
	c := d.Bank
	asked := map[string]bool{}
	for _, id := range c.Asked {
		asked[id] = true
	}
	var s strings.Builder
	shown, more, moreAsked := 0, 0, 0
	list := func(head string, ids []string, bank *questions.Bank) {
		for i, id := range ids {
			if shown == listMax {
				more++
				if asked[id] {
					moreAsked++
				}
				continue
			}
			if i == 0 {
				s.WriteString(head)
			}
			shown++
			stem := ""
			if q := bank.Question(id); q != nil {
				stem = esc(truncate(strings.Join(strings.Fields(q.Text), " "), stemRunes))
			}
			fmt.Fprintf(&s, txtUploadListItem, esc(id), stem)
			if asked[id] {
				s.WriteString(txtUploadListAsked)
			}
		}
	}
	var next *questions.Bank
	if d.File != nil {
		next = d.File.Bank
	}
	list(txtUploadListAdded, c.Added, next)
	list(txtUploadListChange, c.Changed, next)
	list(txtUploadListRemove, c.Removed, c.Old)
	if more > 0 {
		fmt.Fprintf(&s, txtUploadListMore, more)
		if moreAsked > 0 {
			fmt.Fprintf(&s, txtUploadListMoreAs, moreAsked)
		}
	}
	return s.String()
}

// askedText says, for each bank of drafts whose upload removes questions
// members were asked, how many, with the answers recorded to them and the
// open attempts that hold them, and that their attempts keep what they
// were asked. It is shown after the summary and not checked by 发布: its
// figures move as members answer.
func (b *Bot) askedText(drafts ...*quiz.Draft) string {
	var s strings.Builder
	for _, d := range drafts {
		c := d.Bank
		if c == nil || len(c.Asked) == 0 {
			continue
		}
		var parts []string
		if c.Answers > 0 {
			parts = append(parts, fmt.Sprintf(txtUploadAskedN, c.Answers))
		}
		if c.Open > 0 {
			parts = append(parts, fmt.Sprintf(txtUploadAskedOpen, c.Open))
		}
		fmt.Fprintf(&s, txtUploadAsked, esc(c.Title), len(c.Removed), len(c.Asked), strings.Join(parts, txtListSep))
	}
	return s.String()
}
