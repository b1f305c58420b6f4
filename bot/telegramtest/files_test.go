package telegramtest_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"partyquiz/bot/telegramtest"
)

func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestUserDocumentRoundTrip(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := srv.NewUser(1001, "管理员")
	content := []byte("[[question]]\nid = \"q1\"\ntext = \"三会一课指什么？\"\n")
	u.SendDocument("第一套.toml", "", content)
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.Document == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	doc := ups[0].Message.Document
	if doc.FileName != "第一套.toml" || doc.MimeType != "application/toml" || doc.FileSize != len(content) || doc.FileUniqueID == "" {
		t.Errorf("document = %+v", doc)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: doc.FileID})
	if err != nil {
		t.Fatal(err)
	}
	if f.FileSize != len(content) || f.FilePath == "" {
		t.Errorf("file = %+v", f)
	}
	if got := download(t, fmt.Sprintf(srv.FileEndpoint(), srv.Token(), f.FilePath)); !bytes.Equal(got, content) {
		t.Errorf("downloaded %q, want %q", got, content)
	}
	// The same file_id can be sent back.
	msg, err := bot.Send(tgbotapi.NewDocument(1001, tgbotapi.FileID(doc.FileID)))
	if err != nil || msg.Document == nil || msg.Document.FileID != doc.FileID {
		t.Fatalf("resend by file_id: %+v, %v", msg.Document, err)
	}
	if d := u.Last().Document; d == nil || !bytes.Equal(d.Data, content) {
		t.Errorf("user received %+v", d)
	}
}

func TestBotDocumentReachesUser(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := started(t, srv, 1001, "书记")
	data := []byte("姓名,得分\n张三,95\n")
	cfg := tgbotapi.NewDocument(1001, tgbotapi.FileBytes{Name: "支部成绩.csv", Bytes: data})
	cfg.Caption = "<b>第一季度</b>成绩"
	cfg.ParseMode = tgbotapi.ModeHTML
	msg, err := bot.Send(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileName != "支部成绩.csv" || msg.Caption != "第一季度成绩" {
		t.Errorf("result = %+v", msg)
	}
	m := u.Last()
	if m.Kind != "document" || m.Document == nil || m.Document.Name != "支部成绩.csv" || m.Document.MIME != "text/csv" ||
		!bytes.Equal(m.Document.Data, data) || m.Caption != "第一季度成绩" || len(m.CaptionEntities) != 1 {
		t.Errorf("user sees %+v", m)
	}
}

func TestUploadToBlockedUser(t *testing.T) {
	srv := quietServer(t)
	u := started(t, srv, 1001, "张三")
	u.Block()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("chat_id", "1001")
	fw, _ := mw.CreateFormFile("document", "a.txt")
	_, _ = fw.Write([]byte("x"))
	_ = mw.Close()
	resp, err := http.Post(srv.URL+"/bot"+srv.Token()+"/sendDocument", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, decode(t, resp), 403, "Forbidden: bot was blocked by the user")
}

func TestUserMediaKinds(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	u := srv.NewUser(1001, "张三")
	u.SendPhoto("看图")
	u.SendSticker("👍")
	u.SendVoice(3)
	u.SendLocation(30.5, 114.3)
	u.SendContact("+8613800000000", "张三")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 5 {
		t.Fatalf("got %d updates, %v", len(ups), err)
	}
	if p := ups[0].Message.Photo; len(p) != 2 || ups[0].Message.Caption != "看图" {
		t.Errorf("photo = %+v", ups[0].Message)
	} else if f, err := bot.GetFile(tgbotapi.FileConfig{FileID: p[1].FileID}); err != nil || f.FilePath == "" {
		t.Errorf("getFile on a photo: %+v, %v", f, err)
	}
	if s := ups[1].Message.Sticker; s == nil || s.Emoji != "👍" {
		t.Errorf("sticker = %+v", s)
	}
	if v := ups[2].Message.Voice; v == nil || v.Duration != 3 {
		t.Errorf("voice = %+v", v)
	}
	if l := ups[3].Message.Location; l == nil || l.Latitude != 30.5 {
		t.Errorf("location = %+v", l)
	}
	if c := ups[4].Message.Contact; c == nil || c.PhoneNumber != "+8613800000000" {
		t.Errorf("contact = %+v", c)
	}
}

// TestClientUploadErrorsLackCode pins a tgbotapi v5.5.1 trap the bot must
// live with: errors from multipart uploads come back without Code (only
// Message and RetryAfter are set), so a 429 on sendDocument must be
// recognised by RetryAfter or the description.
func TestClientUploadErrorsLackCode(t *testing.T) {
	srv := quietServer(t)
	bot := newBot(t, srv)
	started(t, srv, 1001, "张三")
	srv.InjectFault(telegramtest.Fault{Method: "sendDocument", Code: 429, RetryAfter: 3})
	_, err := bot.Send(tgbotapi.NewDocument(1001, tgbotapi.FileBytes{Name: "a.csv", Bytes: []byte("x")}))
	e := apiErr(t, err)
	if e.Code != 0 || e.RetryAfter != 3 || e.Message != "Too Many Requests: retry after 3" {
		t.Errorf("got code %d retry_after %d %q", e.Code, e.RetryAfter, e.Message)
	}
}
