package telegramtest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func TestJSONBodiesAndQueryParameters(t *testing.T) {
	srv := quietServer(t)
	u := started(t, srv, 1001, "张三")
	body := `{"chat_id":1001,"text":"<i>题</i>","parse_mode":"HTML","disable_notification":true,
		"reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`
	resp, err := http.Post(srv.URL+"/bot"+srv.Token()+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, decode(t, resp))
	if m := u.Last(); m.Text != "题" || len(m.Entities) != 1 || !m.HasButton("A") {
		t.Errorf("JSON body: user sees %+v", m)
	}
	resp, err = http.Get(srv.URL + "/bot" + srv.Token() + "/sendMessage?chat_id=1001&text=%E5%A5%BD")
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, decode(t, resp))
	if got := u.Last().Text; got != "好" {
		t.Errorf("GET: user sees %q", got)
	}
	resp, err = http.Post(srv.URL+"/bot"+srv.Token()+"/sendMessage", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, decode(t, resp), 400, "Bad Request: can't parse JSON object")
}

func TestPollAndCaptionEdits(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "张三")
	p := tgbotapi.NewPoll(1001, "哪项属于“四个不摘”？", "摘责任", "不摘责任")
	p.Type = "quiz"
	p.CorrectOptionID = 1
	if _, err := bot.Send(p); err != nil {
		t.Fatal(err)
	}
	if m := u.Last(); m.Kind != "poll" || m.Poll == nil || m.Poll.CorrectOptionID != 1 || len(m.Poll.Options) != 2 {
		t.Errorf("poll = %+v", m.Poll)
	}
	u.SendDocument("a.txt", "", []byte("x"))
	doc := drain(t, srv)[0].Message.Document
	sent, err := bot.Send(tgbotapi.NewDocument(1001, tgbotapi.FileID(doc.FileID)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageCaption(1001, sent.MessageID, "说明")); err != nil {
		t.Fatal(err)
	}
	if m := u.Last(); m.Caption != "说明" || m.Edited != 1 {
		t.Errorf("after caption edit: %+v", m)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(1001, sent.MessageID, "x"))
	if e := apiErr(t, err); e.Message != "Bad Request: there is no text in the message to edit" {
		t.Errorf("text edit of a document: %q", e.Message)
	}
}

// TestConcurrentUsersAgainstARealClientLoop runs a small bot on tgbotapi
// that answers every press by editing the question and answering the
// query, with many users at once: the race detector watches the server.
func TestConcurrentUsersAgainstARealClientLoop(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		offset := 0
		for ctx.Err() == nil {
			ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: 1})
			if err != nil {
				continue
			}
			for _, up := range ups {
				offset = up.UpdateID + 1
				switch {
				case up.Message != nil:
					_, _ = bot.Send(question(up.Message.Chat.ID, "第1题", "对", "错"))
				case up.CallbackQuery != nil:
					cq := up.CallbackQuery
					_, _ = bot.Request(tgbotapi.NewCallback(cq.ID, "已记录"))
					_, _ = bot.Send(tgbotapi.NewEditMessageText(cq.Message.Chat.ID, cq.Message.MessageID, "已答："+cq.Data))
				}
			}
		}
	}()
	const n = 20
	var users sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		users.Add(1)
		go func(i int) {
			defer users.Done()
			u := srv.NewUser(int64(3000+i), fmt.Sprint("成员", i))
			ev := u.Events(ctx)
			u.SendText("/study")
			if _, err := u.Wait(ctx, func(m telegramtest.Message) bool { return m.HasButton("对") }); err != nil {
				errs <- err
				return
			}
			if _, err := u.Press("对"); err != nil {
				errs <- err
				return
			}
			if _, err := u.Wait(ctx, func(m telegramtest.Message) bool { return m.Text == "已答：ans:对" }); err != nil {
				errs <- err
				return
			}
			for e := range ev {
				if e.Kind == telegramtest.CallbackAnswered {
					if e.Answer.Text != "已记录" {
						errs <- fmt.Errorf("user %d toast %q", i, e.Answer.Text)
					}
					return
				}
			}
		}(i)
	}
	users.Wait()
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
