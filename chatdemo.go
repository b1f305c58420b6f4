package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"partyquiz/bot/telegramtest"
	"partyquiz/quiz"
)

// demoGroup is the group `partyquiz chat` gives the person at the
// terminal: their branch's group, bound to the branch, with four simulated
// members who join a contest and answer its polls — some usually right,
// some often wrong, some quick, some slow — so that a newcomer can host a
// whole 有奖知识问答 offline (/contest in the private chat) and watch it
// in the group. Lines starting with 群 act in the group: "群 文字" posts
// there, "群3" presses button 3 or picks option 3 of the newest poll.
type demoGroup struct {
	g    *telegramtest.Group
	me   *telegramtest.User
	svc  *quiz.Service
	term *terminal

	mu      sync.Mutex
	actions []demoAction // what "群N" does, from the newest message
	voted   map[string]bool
}

// demoAction is a numbered thing to do in the group: press a button, or
// pick an option of a poll.
type demoAction struct {
	msg    int
	label  string // a button's label; "" for a poll option
	option int
}

// demoChatID is the demo group's chat id.
const demoChatID = -1000000000042

// demoPlayers are the simulated members: name, how often they are right,
// how long they take to answer.
var demoPlayers = []struct {
	id    int64
	name  string
	skill float64
	delay time.Duration
}{
	{10011, "张三", 0.9, 2 * time.Second},
	{10012, "李四", 0.7, 3500 * time.Millisecond},
	{10013, "王五", 0.5, 5 * time.Second},
	{10014, "赵六", 0.3, 7 * time.Second},
}

// newDemoGroup makes the demo group: the simulated members join the
// terminal user's branch (once; before the user has joined, the demo
// branch their first start joins), the group is bound to it.
func newDemoGroup(ctx context.Context, srv *telegramtest.Server, svc *quiz.Service, me *telegramtest.User, term *terminal) (*demoGroup, error) {
	self, err := svc.Viewer(ctx, chatUserID)
	if err != nil {
		return nil, err
	}
	v, err := svc.Viewer(ctx, chatAdminID) // the demo's invites and binding
	if err != nil {
		return nil, err
	}
	// The terminal user's branch, or the one they are about to join.
	var branch string
	if self.User.IsMember() {
		branch = self.User.Branch
	} else {
		tree := svc.Tree()
		leaves := tree.Leaves(tree.Root())
		if len(leaves) == 0 {
			return nil, fmt.Errorf("the organisation tree has no branch")
		}
		branch = leaves[0]
	}
	d := &demoGroup{g: srv.NewGroup(demoChatID, "演示党支部群"), me: me, svc: svc, term: term, voted: map[string]bool{}}
	d.g.Join(me)
	for _, p := range demoPlayers {
		u := srv.NewUser(p.id, p.name)
		u.SendText("/start")
		d.g.Join(u)
		pv, err := svc.Viewer(ctx, p.id)
		if err != nil {
			return nil, err
		}
		if pv.User.IsMember() {
			continue
		}
		inv, err := svc.CreateInvite(ctx, v, branch, quiz.RoleMember, time.Hour)
		if err != nil {
			return nil, err
		}
		if _, _, err := svc.Join(ctx, p.id, inv.Code, p.name); err != nil {
			return nil, err
		}
	}
	if _, err := svc.BindGroup(ctx, v, demoChatID, "演示党支部群", branch); err != nil {
		return nil, err
	}
	return d, nil
}

// run shows the group in the terminal and plays the simulated members
// until ctx ends.
func (d *demoGroup) run(ctx context.Context) {
	for ev := range d.g.Events(ctx) {
		if ev.Kind != telegramtest.MessageSent && ev.Kind != telegramtest.MessageEdited {
			continue
		}
		m := ev.Message
		d.show(m, ev.Kind == telegramtest.MessageEdited)
		if m.HasButton("我要参加") && ev.Kind == telegramtest.MessageSent {
			for i, p := range demoPlayers[:3] {
				go d.later(ctx, time.Duration(i+1)*1500*time.Millisecond, func() { _, _ = d.g.PressOn(d.sim(p.id), m.ID, "我要参加") })
			}
		}
		if m.Poll != nil && ev.Kind == telegramtest.MessageSent {
			d.answer(ctx, m)
		}
	}
}

func (d *demoGroup) sim(id int64) *telegramtest.User {
	for _, u := range d.g.Members() {
		if u.ID() == id {
			return u
		}
	}
	return nil
}

func (d *demoGroup) later(ctx context.Context, after time.Duration, fn func()) {
	t := time.NewTimer(after)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
		fn()
	}
}

// answer has the simulated members vote in a contest's poll, each at their
// own speed, right as often as their skill says.
func (d *demoGroup) answer(ctx context.Context, m telegramtest.Message) {
	right := d.rightOptions()
	if right == nil {
		return
	}
	n := len(m.Poll.Options)
	for _, p := range demoPlayers {
		choice := right
		if rand.Float64() > p.skill {
			choice = []int{(right[0] + 1 + rand.IntN(n-1)) % n}
		}
		go d.later(ctx, p.delay, func() { _ = d.g.Vote(d.sim(p.id), m.ID, choice...) })
	}
}

// rightOptions are the right options of the question the group's contest
// is asking (nil when none is).
func (d *demoGroup) rightOptions() []int {
	cs, err := d.svc.ActiveContests(context.Background())
	if err != nil {
		return nil
	}
	for _, c := range cs {
		if c.Chat == demoChatID && c.Phase == quiz.PhaseAsking {
			return c.Items[c.Current].Answer
		}
	}
	return nil
}

// show prints a group message, numbering its buttons and poll options as
// 群1, 群2, ….
func (d *demoGroup) show(m telegramtest.Message, edited bool) {
	t := d.term
	t.mu.Lock()
	defer t.mu.Unlock()
	head := "════ 演示群 ════"
	if edited {
		head = "════ 演示群（更新了上面的消息）════"
	}
	fmt.Fprintln(t.w, head)
	var actions []demoAction
	switch {
	case m.Poll != nil:
		fmt.Fprintln(t.w, "[投票] "+m.Poll.Question)
		for i, o := range m.Poll.Options {
			actions = append(actions, demoAction{msg: m.ID, option: i})
			fmt.Fprintf(t.w, "  [群%d] %s\n", len(actions), o)
		}
	default:
		fmt.Fprintln(t.w, m.Text)
		for _, row := range m.Buttons {
			var cells []string
			for _, b := range row {
				actions = append(actions, demoAction{msg: m.ID, label: b.Text})
				cells = append(cells, fmt.Sprintf("[群%d] %s", len(actions), b.Text))
			}
			fmt.Fprintln(t.w, "  "+strings.Join(cells, "   "))
		}
	}
	fmt.Fprintln(t.w)
	if len(actions) > 0 {
		d.mu.Lock()
		d.actions = actions
		d.mu.Unlock()
	}
}

// handle acts in the group for a line starting with 群; it reports whether
// the line was for the group.
func (d *demoGroup) handle(line string) bool {
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, "群")
	if !ok {
		return false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil {
		d.mu.Lock()
		var a *demoAction
		if n >= 1 && n <= len(d.actions) {
			a = &d.actions[n-1]
		}
		d.mu.Unlock()
		if a == nil {
			d.say("(群里没有这个编号）")
			return true
		}
		var err error
		if a.label != "" {
			_, err = d.g.PressOn(d.me, a.msg, a.label)
		} else {
			err = d.g.Vote(d.me, a.msg, a.option)
		}
		if err != nil {
			d.say("(没有成功：" + err.Error() + "）")
		}
		return true
	}
	if text := strings.TrimSpace(rest); text != "" {
		d.g.SendText(d.me, text)
	}
	return true
}

func (d *demoGroup) say(s string) {
	d.term.mu.Lock()
	fmt.Fprintln(d.term.w, s)
	d.term.mu.Unlock()
}
