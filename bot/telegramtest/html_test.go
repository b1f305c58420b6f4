package telegramtest_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"partyquiz/bot/telegramtest"
)

func TestHTMLParsing(t *testing.T) {
	f := newFixture(t)
	type ent = telegramtest.Entity
	tests := []struct {
		name  string
		html  string
		text  string
		ents  []ent
		error string // description, if refused
	}{
		{name: "plain", html: "你好", text: "你好"},
		{name: "bold and italic", html: "<b>粗</b> <i>斜</i>", text: "粗 斜",
			ents: []ent{{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 2, Length: 1}}},
		{name: "aliases", html: "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><s>f</s><u>g</u>", text: "abcdefg",
			ents: []ent{{Type: "bold", Length: 1}, {Type: "italic", Offset: 1, Length: 1}, {Type: "underline", Offset: 2, Length: 1},
				{Type: "strikethrough", Offset: 3, Length: 1}, {Type: "strikethrough", Offset: 4, Length: 1},
				{Type: "strikethrough", Offset: 5, Length: 1}, {Type: "underline", Offset: 6, Length: 1}}},
		{name: "nested", html: "<b>a<i>b</i></b>", text: "ab",
			ents: []ent{{Type: "bold", Length: 2}, {Type: "italic", Offset: 1, Length: 1}}},
		{name: "link", html: `<a href="https://t.me/x?a=1&amp;b=2">点</a>`, text: "点",
			ents: []ent{{Type: "text_link", Length: 1, URL: "https://t.me/x?a=1&b=2"}}},
		{name: "mention", html: `<a href="tg://user?id=1001">张三</a>`, text: "张三",
			ents: []ent{{Type: "text_mention", Length: 2, User: &telegramtest.EntityUser{ID: 1001}}}},
		{name: "pre code language", html: `<pre><code class="language-go">x := 1</code></pre>`, text: "x := 1",
			ents: []ent{{Type: "pre", Length: 6, Language: "go"}}},
		{name: "code", html: `<code>a&lt;b</code>`, text: "a<b", ents: []ent{{Type: "code", Length: 3}}},
		{name: "spoilers", html: `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, text: "ab",
			ents: []ent{{Type: "spoiler", Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{name: "blockquote", html: "<blockquote>引</blockquote>", text: "引", ents: []ent{{Type: "blockquote", Length: 1}}},
		{name: "UTF-16 offsets", html: "😀<b>x</b>", text: "😀x", ents: []ent{{Type: "bold", Offset: 2, Length: 1}}},
		{name: "entities", html: "&lt;&gt;&amp;&quot;&#20826;&#x515A;", text: `<>&"党党`},
		{name: "unknown entity kept", html: "a&nbsp;b &copy;", text: "a&nbsp;b &copy;"},
		{name: "bare ampersand kept", html: "A & B", text: "A & B"},
		{name: "upper-case tag", html: "<B>x</B>", text: "x", ents: []ent{{Type: "bold", Length: 1}}},
		{name: "empty end tag", html: "<b>x</>", text: "x", ents: []ent{{Type: "bold", Length: 1}}},
		{name: "less-than", html: "1 < 2", error: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{name: "unknown tag", html: "请看<br>", error: `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 6`},
		{name: "placeholder", html: "输入 <姓名>", error: `Bad Request: can't parse entities: Unsupported start tag "姓名" at byte offset 7`},
		{name: "unclosed", html: "<b>a<i>b</i>", error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{name: "crossed", html: "<b>a<i>b</b></i>", error: `Bad Request: can't parse entities: Unmatched end tag at byte offset 8, expected "</i>", found "</b>"`},
		{name: "stray end", html: "a</b>", error: `Bad Request: can't parse entities: Unexpected end tag at byte offset 1`},
		{name: "unclosed start", html: "a<b", error: `Bad Request: can't parse entities: Unclosed start tag at byte offset 1`},
		{name: "span without class", html: "<span>x</span>", error: `Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := raw(t, f.srv, "sendMessage", map[string]string{"chat_id": "1001", "text": tt.html, "parse_mode": "HTML"})
			if tt.error != "" {
				wantError(t, env, 400, tt.error)
				return
			}
			wantOK(t, env)
			var res struct {
				Text     string `json:"text"`
				Entities []ent  `json:"entities"`
			}
			if err := json.Unmarshal(env.Result, &res); err != nil {
				t.Fatal(err)
			}
			if res.Text != tt.text || !reflect.DeepEqual(res.Entities, tt.ents) {
				t.Errorf("got %q %+v, want %q %+v", res.Text, res.Entities, tt.text, tt.ents)
			}
			last := f.user.Last()
			if last.Text != tt.text || len(last.Entities) != len(tt.ents) || len(tt.ents) > 0 && !reflect.DeepEqual(last.Entities, tt.ents) {
				t.Errorf("user sees %q %+v, want %q %+v", last.Text, last.Entities, tt.text, tt.ents)
			}
		})
	}
}
