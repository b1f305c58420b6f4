package bot_test

import (
	"strings"
	"testing"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// TestCommandEndsTextPrompt: a command sent while the bot waits for typed
// text ends the prompt and runs: the next typed text (a "1" meant for a
// button in partyquiz chat) is never read as the abandoned prompt's
// answer — not after a restart either. Every mode that waits for text is
// a row; the join's name prompt is the exception and keeps asking.
func TestCommandEndsTextPrompt(t *testing.T) {
	type prompt struct {
		user    *telegramtest.User
		command string // sent instead of the text, and a word of its answer
		answer  string
		text    string // typed afterwards, and a word of what it must get
		want    string
	}
	rows := []struct {
		name    string
		open    func(e *env) prompt
		notWant string // what the text gets if the prompt still waits
		waits   bool   // the bot still waits for text after the command
	}{
		{
			name: "flag note, nothing in progress",
			open: func(e *env) prompt {
				u := e.member(1001, "党员甲", "qingshan")
				e.send(u, "/study", "第 1/")
				for i := 0; i < 10; i++ {
					e.answerCurrent(u, true)
				}
				e.waitAfter(u, 0, "本月学习完成")
				e.settle()
				e.press(u, "答题纠错", "哪里有误")
				return prompt{u, "/me", "测试成绩", "1", "请使用命令和按钮操作"}
			},
			notWant: "已收到您的纠错反馈",
		},
		{
			name: "flag note during a fill-in question",
			open: func(e *env) prompt {
				u, a := e.fillMember("qingshan")
				e.settle()
				e.press(u, "答题纠错", "哪里有误")
				return prompt{u, "/me", "测试成绩", a.Items[a.Current()].Accepted[0], "回答正确"}
			},
			notWant: "已收到您的纠错反馈",
			waits:   true, // the fill-in question is the chat's dialog again
		},
		{
			name: "point correction's amount and reason",
			open: func(e *env) prompt {
				e.member(1001, "党员甲", "qingshan")
				sec := e.secretary(2001, "书记", "qingshan")
				e.memberCard(sec, "党员甲")
				e.press(sec, "调整积分", "调整的分数和原因")
				return prompt{sec, "/branch", "青山村党支部", "1", "请使用命令和按钮操作"}
			},
			notWant: "格式不对",
		},
		{
			name: "point correction waiting for 确认调整",
			open: func(e *env) prompt {
				e.member(1001, "党员甲", "qingshan")
				sec := e.secretary(2001, "书记", "qingshan")
				e.memberCard(sec, "党员甲")
				e.press(sec, "调整积分", "调整的分数和原因")
				e.send(sec, "+2 参加党史知识竞赛获奖", "请确认积分调整")
				return prompt{sec, "/help", "/branch", "+3 另一个原因", "请使用命令和按钮操作"}
			},
			notWant: "请确认积分调整",
		},
		{
			name: "join's real name (keeps asking)",
			open: func(e *env) prompt {
				u := e.srv.NewUser(1001, "新人")
				e.send(u, "/start "+e.invite("qingshan", quiz.RoleMember), "真实姓名")
				return prompt{u, "/help", "还差一步", "王小明", "您已加入"}
			},
			waits: true,
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			e := newEnv(t)
			p := row.open(e)
			e.send(p.user, p.command, p.answer)
			e.settle()
			if got := e.bot.AwaitsText(e.ctx(), p.user.ID()); got != row.waits {
				t.Errorf("after %s the bot awaits text: %v, want %v", p.command, got, row.waits)
			}
			e.restart() // the dialog is stored: what the command left stays
			seq := p.user.Seq()
			p.user.SendText(p.text)
			e.waitAfter(p.user, seq, p.want)
			if row.notWant != "" && strings.Contains(after(p.user, seq), row.notWant) {
				t.Errorf("%q after %s was read as the abandoned prompt's answer:\n%s", p.text, p.command, after(p.user, seq))
			}
		})
	}
	// A confirmation the command left books nothing when pressed later.
	t.Run("stale 确认调整 books nothing", func(t *testing.T) {
		e := newEnv(t)
		e.member(1001, "党员甲", "qingshan")
		sec := e.secretary(2001, "书记", "qingshan")
		e.memberCard(sec, "党员甲")
		e.press(sec, "调整积分", "调整的分数和原因")
		ask := e.send(sec, "+2 参加党史知识竞赛获奖", "请确认积分调整")
		e.send(sec, "/me", "")
		e.settle()
		before := len(sec.Answers())
		if _, err := sec.PressData(ask.ID, ask.Buttons[0][0].Data); err != nil {
			t.Fatal(err)
		}
		e.eventually("the press answered", func() bool { return len(sec.Answers()) > before })
		e.settle()
		if n := len(e.corrections(1001)); n != 0 {
			t.Errorf("a confirmation left by a command booked %d corrections", n)
		}
	})
}
