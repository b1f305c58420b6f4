package bot

// Every word a user reads is in this file, so that wording can change
// without touching logic. Texts are HTML (parse_mode HTML): anything that
// comes from a bank, a name or a user is escaped with esc() where it is
// put in, never here.

// Commands as shown in Telegram's menu (setMyCommands), with who sees
// them: members see theirs; a secretary's chat and an admin's get their
// own menus.
var commandMenu = []struct {
	cmd, desc string
	role      Role
}{
	{"study", "每月一学：本月学习和练习", Member},
	{"test", "季度一测：本季度测试", Member},
	{"me", "我的学习记录、积分和星级", Member},
	{"mistakes", "错题本练习", Member},
	{"review", "查看已结束测试的答案和解析", Member},
	{"rank", "半年一比：排名", Member},
	{"year", "年终一评：积分和星级", Member},
	{"branch", "书记：本组织学习和测试情况", Manager},
	{"remind", "书记：提醒未完成的党员", Manager},
	{"weak", "书记：党员错得最多的题", Manager},
	{"export", "书记：导出成绩表", Manager},
	{"invite", "生成邀请链接", Manager},
	{"contest", "书记：在群里举办有奖知识问答", Manager},
	{"banks", "管理员：题库和学习计划", Admin},
	{"help", "使用说明", Anyone},
	{"cancel", "退出当前操作", Anyone},
}

const (
	txtWelcomeStranger = "您好！这里是<b>党员学习测试</b>机器人，用于“每月一学、季度一测、半年一比、年终一评”。\n\n" +
		"您还没有加入党支部。请向所在党支部书记索取<b>邀请链接</b>，点击链接即可加入。"
	txtNotInvited   = "您还没有加入党支部，暂时不能使用这个功能。\n请向所在党支部书记索取邀请链接，点击链接即可加入。"
	txtWelcomeBack  = "欢迎回来，%s！"
	txtWelcomeAdmin = "欢迎！您是<b>管理员</b>（组织部），可以管理全部组织。"

	txtInviteBadCode    = "这个邀请链接无效。请向党支部书记重新索取邀请链接。"
	txtInviteExpired    = "这个邀请链接已失效或已过期。请向党支部书记重新索取邀请链接。"
	txtAskName          = "欢迎加入<b>%s</b>！\n请发送您的<b>真实姓名</b>（用于成绩登记，例如：张三）："
	txtAskSecName       = "您将成为<b>%s</b>的书记。\n请发送您的<b>真实姓名</b>（例如：张三）："
	txtNameWanted       = "您正在加入<b>%s</b>，还差一步：请发送您的<b>真实姓名</b>（例如：张三）。\n发送 /cancel 放弃加入。"
	txtNameWantedSec    = "您正在成为<b>%s</b>的书记，还差一步：请发送您的<b>真实姓名</b>（例如：张三）。\n发送 /cancel 放弃。"
	txtBadName          = "姓名只能包含汉字或字母（少数民族姓名可用“·”），不超过 20 个字。请重新发送您的真实姓名："
	txtJoined           = "✅ %s，您已加入<b>%s</b>。\n\n发送 /study 开始本月学习，发送 /help 查看全部功能。"
	txtJoinedSec        = "✅ %s，您已成为<b>%s</b>的书记。\n\n发送 /branch 查看本组织学习情况，发送 /help 查看全部功能。"
	txtAlreadyJoined    = "您已经是<b>%s</b>的党员了，无需重复加入。"
	txtMoveAsk          = "您现在是<b>%s</b>的党员。\n确认转入<b>%s</b>吗？转入后，您的学习、测试和积分记录随您一起转过去，由新支部统计。"
	txtMoveConfirm      = "确认转入"
	txtMoveCancelled    = "已取消，您的组织关系没有变化。"
	txtMoved            = "✅ %s，您已转入<b>%s</b>，学习、测试和积分记录随您转入。\n\n发送 /study 继续本月学习。"
	txtInviteUsed       = "这个书记邀请链接已经被使用过了，每个链接只能用一次。请向管理员索取新的邀请链接。"
	txtInviteUsedNotice = "📌 书记邀请链接已使用：%s 成为<b>%s</b>的书记。"

	txtHelpMember = "<b>党员可以使用：</b>\n" +
		"/study 每月一学：本月学习内容和练习题\n" +
		"/test 季度一测：本季度测试（测试期间开放）\n" +
		"/me 我的记录：学习完成情况、测试成绩、积分、星级和排名\n" +
		"/mistakes 错题本：练习做错过的题\n" +
		"/review 查看已结束测试的答案和解析\n" +
		"/rank 半年一比：本支部排名\n" +
		"/year 年终一评：积分和星级\n" +
		"/cancel 退出当前操作"
	txtHelpSecretary = "\n\n<b>书记还可以使用：</b>\n" +
		"/branch 本组织的学习和测试情况\n" +
		"/remind 提醒尚未完成的党员\n" +
		"/weak 党员错得最多的题目\n" +
		"/export 导出成绩表（Excel）\n" +
		"/invite 生成党员邀请链接：从组织树中选择党支部，或直接写名称，如 /invite 老洼坪村党支部\n" +
		"/contest 在本组织的群里举办有奖知识问答（先把机器人拉进群，在群里发送 /bind）\n" +
		"/rank、/year 查看下级组织的排名和星级"
	txtHelpAdmin = "\n\n<b>管理员还可以使用：</b>\n" +
		"/banks 查看已发布的题库和学习计划，下载题库为 Excel；直接发送文件即可上传：题库、学习计划或组织架构用 .toml 文件，题库也可以用 Excel（.xlsx）或 Word 试卷（.docx）\n" +
		"/invite 书记 选择组织，生成书记邀请链接；也可以直接发送 /invite 组织名称 书记"

	txtCancelled       = "已退出当前操作。"
	txtJoinCancelled   = "已放弃加入。需要时，再次点击邀请链接即可加入。"
	txtResume          = "继续作答：已答 %d/%d 题。"
	txtCancelledTest   = "已退出。注意：测试仍在计时，发送 /test 可继续作答。"
	txtNothingToCancel = "当前没有进行中的操作。"

	txtUnknownCommand = "没有 /%s 这个命令。发送 /help 查看可以使用的命令。"
	txtNotForYou      = "这个命令只有书记或管理员可以使用。"
	txtAdminOnly      = "这个命令只有管理员可以使用。"
	txtUseButtons     = "这道题请点击题目下面的按钮作答。发送 /cancel 可以退出。"
	txtPlainText      = "请使用命令和按钮操作，例如发送 /study 开始本月学习。发送 /help 查看全部命令。"
	txtNonText        = "我只能看懂文字消息和按钮。发送 /help 查看可以做什么。"
	txtDocNotAdmin    = "只有管理员可以上传题库文件。如需更新题库，请联系组织部。"
	txtEditedIgnored  = "修改已发送的消息不会被重新处理；如需作答，请重新发送。"
	txtGroupGoPrivate = "考试和成绩只在私聊中进行。请点击 @%s 与我私聊。"
	txtArgsIgnored    = "\uff08/%s 不需要参数，已忽略多余的内容。）"

	txtButtonStale   = "这个按钮已经失效了。"
	txtButtonUnknown = "无法识别这个按钮。"
	txtInternal      = "抱歉，系统出了点问题，请稍后再试。您的答题记录不会丢失。"
	txtStorageFull   = "⚠️ 系统存储空间已满，本次操作没有保存，请稍后再试。已保存的记录不受影响。"

	// Study.
	txtStudyHeader      = "📖 <b>每月一学 · %s</b>"
	txtLesson           = "📖 <b>每月一学 · %s</b>\n<b>%s</b>\n\n%s"
	txtNoLesson         = "📖 <b>每月一学 · %s</b>\n本月没有指定学习内容，请完成下面的练习题。"
	txtStudyIntro       = "本月练习共 %d 题，答完即完成本月学习。每题答完会显示正确答案和解析。"
	txtStudyResume      = "继续本月学习：已答 %d/%d 题。"
	txtStudyDone        = "✅ 本月学习已完成（%s）。下个月 1 日开放新的学习内容。\n发送 /mistakes 可以练习错题。"
	txtStudyFinished    = "🎉 <b>本月学习完成！</b>答对 %d/%d 题。"
	txtStudyNext        = "发送 /mistakes 练习错题，发送 /me 查看积分和排名。"
	txtStudyClosed      = "本月学习时间已过，这部分练习没有完成。发送 /study 开始新一个月的学习。"
	txtMakeupOffer      = "您有补学机会（截至 %s），点击下面的按钮补学："
	txtMakeupOfferTest  = "您有补考机会\uff08截至 %s\uff09\uff0c点击下面的按钮参加\uff1a"
	txtMakeupButton     = "补学 %s"
	txtMakeupTestButton = "补考 %s"
	txtMakeupHeader     = "📖 <b>补学 · %s</b>"

	// Tests.
	txtTestHeader      = "📝 <b>季度一测 · %s</b>"
	txtTestNotOpen     = "📝 %s的测试时间是 <b>%s 至 %s</b>，届时发送 /test 参加。"
	txtTestIntro       = "📝 <b>季度一测 · %s</b>\n\n共 %d 题，限时 <b>%d 分钟</b>，满分 100 分，%d 分及格。%s\n测试期间不显示对错，交卷后显示得分；答案和解析在 %s 测试结束后开放。\n\n准备好了请点击“开始测试”，开始后计时不会暂停。"
	txtTestOneTry      = "只有 <b>1 次</b>作答机会。"
	txtTestTries       = "共有 <b>%d 次</b>作答机会，还剩 %d 次（按%s计分）。"
	txtPolicyBest      = "最高分"
	txtPolicyLast      = "最后一次"
	txtTestStart       = "开始测试"
	txtTestNoTries     = "📝 本季度测试已完成：计分 <b>%d</b> 分（%s）。\n答案和解析将在 %s 测试结束后开放，届时发送 /review 查看。"
	txtTestExpiredWait = "上一次作答的时间已经用完，系统正在自动交卷，请稍候再发送 /test。"
	txtTestFinished    = "📝 <b>测试已交卷</b>\n得分：<b>%d</b> 分（%s，及格线 %d 分）\n答对 %d/%d 题。"
	txtTestTimeUp      = "⏰ <b>测试时间到，已自动交卷</b>\n%s：得分 <b>%d</b> 分（%s，及格线 %d 分），答对 %d/%d 题。"
	txtTimeUpShort     = "⏰ 测试时间已到，已经自动交卷，成绩马上发给您。"
	txtTestAfter       = "答案和解析将在 %s 测试结束后开放，届时发送 /review 查看。"
	txtPassed          = "及格"
	txtFailed          = "不及格"
	txtTimeLeft        = "剩余 %d 分钟"
	txtTimeLeftSec     = "剩余不到 1 分钟"
	txtTestResume      = "继续测试：已答 %d/%d 题。"

	// Questions.
	txtProgress        = "第 %d/%d 题 · %s"
	txtFromMistakes    = "\uff08错题重练）"
	txtFillPrompt      = "✍️ 请直接发送您的答案。"
	txtMultiPrompt     = "可多选，选好后点“提交”。"
	txtSubmit          = "提交"
	txtPickFirst       = "请至少选择一个选项。"
	txtYourAnswer      = "您的答案：%s"
	txtRight           = "✅ 回答正确"
	txtWrong           = "❌ 回答错误，正确答案：%s"
	txtExplanation     = "<b>解析</b>：%s"
	txtSource          = "<i>出处：%s</i>"
	txtAnsweredTest    = "已作答：%s"
	txtAlreadyAnswered = "这道题已经答过了。如果没有看到下一题\uff0c请发送 /study 或 /test 继续。"
	txtNotCurrent      = "这道题不是当前的题目了。"
	txtClosed          = "这次作答已经结束了。"
	txtNotYours        = "这不是您的题目。"
	txtBadChoice       = "无效的选项。"
	txtEmptyAnswer     = "答案不能为空，请重新发送。"
	txtNoQuestions     = "题库中暂时没有可用的题目，请联系管理员。"
	txtOutsideWindow   = "现在不在测试时间内。发送 /test 查看测试时间。"
	txtNoAttemptsLeft  = "本季度的作答次数已经用完了。"
	txtPointsEarned    = "获得积分：%s"

	// Mistake book.
	txtMistakesEmpty   = "👍 错题本是空的，继续保持！"
	txtMistakesHeader  = "📕 <b>错题本练习</b>"
	txtMistakesIntro   = "错题本里有 %d 道题，现在到期 %d 道%s。本次练习 %d 题：到期的题答对后隔一段时间（1、3、7、14、30 天）再出现，最后一次答对就移出错题本；提前练习不改变复习时间，答错的题明天再来。"
	txtMistakesNext    = "；下一批 %s 到期"
	txtMistakesWaiting = "另有 %d 道测试题，将在 %s 测试结束后加入错题本。"
	txtMistakeLeft     = "🎉 这道题已移出错题本。"
	txtPracticeDone    = "📕 <b>本次错题练习完成</b>：答对 %d/%d 题。"
	txtPracticeMore    = "还有 %d 道错题到期，发送 /mistakes 再练一轮。"
	txtPracticeRest    = "到期的错题都练完了%s。发送 /me 查看学习记录和积分。"
	txtPracticeNextDue = "，下一批 %s 到期"

	// Review.
	txtReviewNone    = "还没有可以查看的测试。测试结束（测试窗口关闭）后才能查看答案和解析。"
	txtReviewWaiting = "您有 %d 次测试的答案要等测试结束后才能查看。"
	txtReviewPick    = "请选择要查看的测试："
	txtReviewButton  = "%s · %d 分"
	txtReviewHeader  = "📝 <b>%s测试回顾</b>（第 %d 次作答）\n得分 <b>%d</b> 分，答对 %d/%d 题。"
	txtReviewItem    = "<b>%d.</b> 【%s】%s\n您的答案：%s %s\n正确答案：%s\n解析：%s"
	txtReviewLater   = "测试结束后才能查看答案和解析。"
	txtNoAnswer      = "\uff08未作答）"

	// Record (/me).
	txtMeHeader           = "👤 <b>%s</b> · %s\n\n<b>%d年学习情况</b>"
	txtMeMonth            = "%d月 %s"
	txtMeDone             = "✅"
	txtMeMakeup           = "✅（补学）"
	txtMeMissed           = "❌"
	txtMeOngoing          = "⏳ 进行中（%d/%d）"
	txtMeNotYet           = "⬜ 未开始"
	txtMeTests            = "\n<b>测试成绩</b>"
	txtMeTest             = "%s\uff1a%s"
	txtMeTestNone         = "未参加"
	txtMeTestOpen         = "作答中"
	txtMeTestNotYet       = "未开始（%s 开放）"
	txtMeTestDue          = "待参加（%s 截止，发送 /test 参加）"
	txtCardTestDue        = "待参加（%s 截止）" // a secretary's member card
	txtMeScore            = "%d 分（%s）"
	txtMePoints           = "\n<b>积分</b>：%d年 %s 分，%s %s 分\n<b>星级</b>：%s（%d 星）\n<b>排名</b>：本支部第 %d 名（共 %d 人，按%s积分）"
	txtMeLedger           = "\n<b>积分明细</b>"
	txtMeEntry            = "%s %s %s"
	txtMeMoreEntries      = "……另有 %d 条较早的记录"
	txtMeMistakes         = "\n📕 错题本：%d 题（今天该复习 %d 题），发送 /mistakes 练习。"
	txtEntryMonth         = "完成%s学习"
	txtEntryAllMonths     = "%d年全年十二个月学习全部完成"
	txtEntryTest          = "%s测试得分 %d"
	txtEntryRetry         = "%s测试第 %d 次作答，计分由 %d 改为 %d"
	txtEntryPerfect       = "%s测试满分"
	txtEntryContest       = "有奖知识问答（%s）参赛"
	txtEntryContestPlace  = "有奖知识问答（%s）第 %d 名"
	txtEntryContestCapped = "（已达当日上限）"

	// Rank (/rank).
	txtRankHeader    = "🏆 <b>半年一比 · %s</b>"
	txtRankBranch    = "本支部（%s）在同级 %d 个组织中排第 <b>%d</b> 名。\n学习完成率 %s，人均得分 %s。"
	txtRankMembers   = "\n<b>本支部党员积分排名</b>"
	txtRankMember    = "%d. %s %s 分"
	txtRankRows      = "\n<b>%s 下级组织排名</b>（综合 = 学习完成率 × %s + 人均得分 × %s）"
	txtRankRow       = "%d. %s：综合 %s，学习 %s，人均得分 %s%s%s"
	txtRankSmall     = "\uff08人数不足 %d 人，仅供参考）"
	txtRankEmpty     = "%s：暂无党员，不参加排名"
	txtRankNothing   = "%s：暂无可比数据，不参加排名"
	txtRankBranchOut = "本支部（%s）暂无可比数据，不参加同级排名。"
	txtRankLeavesOut = "另有 %d 个党支部暂无党员或暂无可比数据，不参加排名。"
	txtRankChange    = "\uff0c较上半年 %s"
	txtRankLeaves    = "\n<b>所辖全部党支部排名</b>（前 %d 名与后 %d 名）"
	txtRankLeavesAll = "\n<b>所辖全部党支部排名</b>"
	txtRankEllipsis  = "……"
	txtRankNone      = "暂无数据"
	txtRankNoTest    = "尚未测试"
	txtRankPickNode  = "查看下级组织："

	// Year (/year).
	txtYearHeader      = "⭐ <b>年终一评 · %s</b>（截至今天）"
	txtYearHeaderFinal = "⭐ <b>年终一评 · %s</b>\uff08全年\uff09"
	txtYearOwn         = "您今年的积分：<b>%s</b> 分，%s（%d 星）。"
	txtYearOwnRank     = "在本支部排第 %d 名。"
	txtYearStars       = "\n<b>星级标准</b>：%s"
	txtYearStarRule    = "%d 星 ≥ %s 分"
	txtYearMembers     = "\n<b>%s 党员星级</b>"
	txtYearMember      = "%d. %s %s 分 %s"
	txtYearNode        = "\n<b>%s</b>：%d 名党员，人均积分 %s 分\n%s"
	txtYearChildren    = "\n<b>下级组织</b>"
	txtYearChild       = "%s：%d 人，人均积分 %s 分，%s"
	txtYearChildEmpty  = "%s：暂无党员"
	txtStarDist        = "5星 %d · 4星 %d · 3星 %d · 2星 %d · 1星 %d"

	// Invites.
	txtInvitePickNode    = "请选择要邀请党员加入的党支部（点击📂展开下级组织）："
	txtInvitePickSec     = "请选择要生成书记邀请链接的组织（点击📂展开下级组织）："
	txtInviteThisSec     = "✅ %s的书记"
	txtInviteOpen        = "📂 %s"
	txtTreeLeaves        = "（%d 个党支部）"
	txtTreeMore          = "……另有 %d 个组织"
	txtInviteMatches     = "有 %d 个组织的名称包含“%s”，请选择："
	txtInviteLink        = "🔗 <b>%s</b>的%s邀请链接：\n%s\n\n%s%s"
	txtInviteForMembers  = "把链接发给要加入的党员，点击后即可加入，本支部的党员都可以用它。"
	txtInviteForSec      = "把链接只发给这位书记本人：它只能由一个人使用一次，用过即失效。"
	txtInviteLinkRevoked = "🔗 <b>%s</b>的%s邀请链接<b>已作废</b>：\n<s>%s</s>\n\n任何人都不能再用它加入。需要新的链接，发送 /invite。"
	txtInviteRoleMember  = "党员"
	txtInviteRoleSec     = "书记"
	txtInviteNoExpiry    = "链接长期有效；不再需要时，点击下面的“作废此链接”。"
	txtInviteSecNoExpiry = "使用之前一直有效；不再需要时，点击下面的“作废此链接”。"
	txtInviteExpires     = "链接有效期至 %s。"
	txtInviteNoScope     = "您没有可以邀请党员加入的党支部。"
	txtInviteNodeUnknown = "没有名称或编号为“%s”的组织。发送 /invite 从列表中选择。"
	txtInviteNotLeaf     = "党员只能加入党支部（最下一级组织）。请从列表中选择党支部。"
	txtInviteUsage       = "用法：/invite 组织名称或编号 书记 有效天数，三项都可以省略：写“书记”是邀请书记，有效天数为 1–365 天。例如：/invite 老洼坪村党支部 7"
	txtNotInScope        = "您没有查看或管理这个组织的权限。"
	txtNodeUnknown       = "没有这个组织。"
	txtNodeNotFound      = "没有名称或编号为“%s”的组织。"
	txtNodeAmbiguous     = "有 %d 个组织的名称包含“%s”：%s。请写出完整的名称。"

	txtBlockedBack = "欢迎回来！"

	// Drill-downs.
	txtBack   = "⬅️ 返回上级"
	txtBackTo = "⬅️ 返回%s"

	// Dates, times and lists.
	txtDay      = "%d月%d日"
	txtDateTime = "%d月%d日 %02d:%02d" // clock times with an ASCII colon
	txtComma    = "，"                // between items of a sentence
	txtSemi     = "；"                // between options of a question on one line

	// Periods.
	txtPeriodMonth   = "%d年%d月"
	txtPeriodQuarter = "%d年第%s季度"
	txtPeriodHalf    = "%d年%s半年"
	txtPeriodYear    = "%d年"
)

// The numerals of quarters and the halves of a year.
var (
	txtNumerals = []string{"一", "二", "三", "四"}
	txtHalves   = []string{"上", "下"}
)

// reasonText words each error reason of the engine for users.
var reasonText = map[string]string{
	"not_member":      txtNotInvited,
	"no_questions":    txtNoQuestions,
	"outside_window":  txtOutsideWindow,
	"no_attempts":     txtNoAttemptsLeft,
	"closed":          txtClosed,
	"answered":        txtAlreadyAnswered,
	"not_current":     txtNotCurrent,
	"not_yours":       txtNotYours,
	"bad_choice":      txtBadChoice,
	"empty_answer":    txtEmptyAnswer,
	"review_later":    txtReviewLater,
	"invite_unknown":  txtInviteBadCode,
	"invite_expired":  txtInviteExpired,
	"bad_name":        txtBadName,
	"node_unknown":    txtNodeUnknown,
	"not_in_scope":    txtNotInScope,
	"storage_full":    txtStorageFull,
	"not_leaf":        txtInviteNotLeaf,
	"no_mistakes":     txtMistakesEmpty,
	"nothing_to_give": txtNothingToGrant,
	"bad_makeup":      txtBadMakeup,
	"makeup_open":     txtMakeupOpen,
	"invite_used":     txtInviteUsed,
	"invite_revoked":  txtInviteRevoked,
	"bad_amount":      txtBadFix,
	// Reasons that come only from data no screen of the bot makes (a
	// forged or garbled button) or that their screens handle before they
	// reach here: words all the same, never an apology and an error log.
	"bad_period":      txtButtonUnknown,
	"bad_role":        txtButtonUnknown,
	"no_reason":       txtFixNoReason,
	"bad_tree":        txtBadTree,
	"already_done":    txtAlreadyDone,
	"move_ask":        txtMoveAgain,
	"too_many":        txtExportTooMany,
	"bad_file":        txtUploadGone,
	"content_changed": txtPublishStale,
}

// Secretaries and admins.
const (
	txtBranchHeader      = "📋 <b>%s</b>（%d 名党员）"
	txtBranchStudy       = "\n<b>%s学习</b>：已完成 %d/%d 人（学习完成率 %s）"
	txtBranchTest        = "\n<b>%s测试</b>：参考 %d/%d 人，参考人员平均分 %s，人均得分 %s，及格率 %s"
	txtBranchTestLow     = "\uff0c最低分 %d"
	txtBranchTestWait    = "\n<b>%s测试</b>：%s开始"
	txtBranchChildren    = "\n\n<b>下级组织</b>（本月学习完成 / 本季度参考 / 人均得分）"
	txtBranchChild       = "%s\uff1a%s · %s · %s"
	txtNoFigure          = "—" // a figure with nothing owed
	txtBranchNotStudy    = "\n\n<b>本月学习未完成</b>（%d 人）：%s"
	txtBranchNotTest     = "\n<b>本季度测试未参加</b>（%d 人）：%s"
	txtBranchTestDue     = "\n<b>本季度测试待参加</b>（%d 人，%s 截止）：%s"
	txtBranchFlagged     = "\n⚠️ <b>答题过快，请核实</b>：%s"
	txtBranchAllDone     = "\n\n👍 本月学习全部完成。"
	txtBranchPick        = "\n\n点击查看下级组织："
	txtBranchManage      = "管理党员（补学补考、调整积分）"
	txtListMore          = "等 %d 人\uff08完整名单请用 /export 导出）"
	txtBranchRank        = "半年一比排名"
	txtBranchYear        = "年终一评星级"
	txtPickMember        = "请选择党员："
	txtMemberCard        = "👤 <b>%s</b> · %s\n本月学习：%s\n本季度测试：%s\n今年积分：%s 分（%d 星）"
	txtMakeupMonth       = "补学 %d月"
	txtMakeupTest        = "补考 %s"
	txtFixPoints         = "调整积分"
	txtMakeupDays        = "为 %s 开放%s，请选择期限："
	txtDays              = "%d 天"
	txtMakeupGranted     = "✅ 已为 %s 开放%s，至 %s 截止。"
	txtMakeupNotice      = "📌 党支部为您开放了%s，请在 %s 前完成。%s"
	txtMakeupNoticeStudy = "发送 /study 开始。"
	txtMakeupNoticeTest  = "发送 /test 开始。"
	txtNothingToGrant    = "这一项已经完成了，不需要补学补考。"
	txtMakeupAlready     = "这个补学补考已经开放过了。"
	txtMakeupOpen        = "这一项已经开放了补学补考，尚未截止。"
	txtBadMakeup         = "这一项不能开放补学补考：只能为入党后已经开始的月份或已开考的测试开放。"
	txtMakeupReason      = "书记开放"
	txtAskFix            = "请发送为 <b>%s</b> 调整的分数和原因，例如：\n<code>+2 参加党史知识竞赛获奖</code>\n<code>-1 重复计分更正</code>\n发送 /cancel 取消。"
	txtBadFix            = "格式不对。请发送“分数 原因”，分数在 -100 到 100 之间，例如：+2 参加知识竞赛获奖"
	txtFixAsk            = "请确认积分调整：\n党员：<b>%s</b>（%s）\n分数：<b>%s</b> 分\n原因：%s\n\n确认后立即记入积分，并通知%s本人。"
	txtFixConfirm        = "确认调整"
	txtFixCancelled      = "已取消，积分没有变化。"
	txtFixed             = "✅ 已为 %s 调整积分 %s（原因：%s），并已通知本人。"
	txtFixReason         = "书记调整：%s"
	txtFixReasonAdmin    = "组织部调整：%s"
	txtFixNotice         = "📌 <b>积分调整</b>：%s为您调整了积分 <b>%s</b> 分。\n原因：%s\n发送 /me 查看积分明细。"
	txtFixBySecretary    = "党组织书记 %s "
	txtFixByAdmin        = "组织部"

	txtRemindNone          = "👍 %s的党员都已完成本月学习和本季度测试，无需提醒。"
	txtRemindQueued        = "⏰ 已安排提醒 %d 人（按 Telegram 的速度陆续发出）。"
	txtRemindAgain         = "另有 %d 人今天已经提醒过，不再重复提醒。"
	txtRemindAllAgain      = "⏰ 未完成的 %d 人今天都已经提醒过，不再重复提醒。"
	txtRemindBlocked       = "另有 %d 人已屏蔽机器人，无法提醒，请当面通知。"
	txtRemindStudy         = "⏰ <b>学习提醒</b>：您%s的学习还没有完成%s，请发送 /study 继续。"
	txtRemindStudyProgress = "\uff08已答 %d/%d 题）"
	txtRemindTest          = "⏰ <b>测试提醒</b>：%s测试将于 %s 结束，您还没有参加，请发送 /test 参加。"
	txtRemindReport        = "⏰ <b>自动提醒</b>：%s有 %d 名党员尚未完成%s，已提醒 %d 人。发送 /branch 查看名单。"
	txtRemindWhatStudy     = "%s学习"
	txtRemindWhatTest      = "%s测试（%s 截止）"

	txtWeakHeader     = "📉 <b>%s</b>党员错得最多的题"
	txtWeakNone       = "还没有足够的答题记录（每题至少 %d 人次作答）。"
	txtWeakItem       = "\n\n<b>%d.</b> 正确率 %s（%d 人次）· %s\n%s\n正确答案：%s"
	txtWeakItemHidden = "\n\n<b>%d.</b> 正确率 %s（%d 人次）· %s\n%s\n（本题属于尚未结束的测试，答案在 %s 测试结束后显示。）"
	txtReviewHead     = "\n\n🔎 <b>题目质量（全市）</b>"
	txtSuspect        = "\n<b>可能有误</b>（成绩好的反而答错）："
	txtHard           = "\n<b>太难</b>（正确率低于 %s）："
	txtEasy           = "\n<b>太容易</b>（正确率高于 %s）："
	txtItemLine       = "\n· 【%s】%s —— 正确率 %s，区分度 %s"
	txtFlagsHead      = "\n\n<b>党员纠错反馈</b>："
	txtFlagLine       = "\n· %s【%s】%s —— “%s”"
	txtNoneYet        = "\n（暂无）"

	txtExportTooMany = "这个组织的党员太多，请选择下级组织分别导出。"
	txtFixNoReason   = "调整积分必须写明原因，请重新操作。"
	txtBadTree       = "组织架构有误（编号重复、上级不存在或不止一个根），没有做任何改动。请检查后重新上传。"
	txtAlreadyDone   = "这一期已经完成了，不需要再做。"
	txtMoveAgain     = "您已是其他党支部的党员，请重新点击邀请链接，确认后再转入。"
	txtUploadGone    = "这次上传的文件有问题或已失效，没有发布任何内容。请重新发送文件。"
	txtXlsxDone      = "完成"
	txtXlsxMakeup    = "完成（补学）"
	txtXlsxNotDone   = "未完成"
	txtXlsxNotTested = "未参加"
	txtXlsxTestDue   = "待参加"
	txtXlsxNotJoined = "未加入"
	txtExportDone    = "📊 <b>%s %s学习测试报表</b>\n共 %d 名党员。三张表：党员成绩（每月学习、季度测试、积分、星级、排名、答题过快）、组织统计（学习完成率、参考、平均分、及格率）、积分明细（每一笔积分的原因）。%s 导出，可用 A4 纸横向打印。"

	// The export's sheets (bot/export.go).
	txtXlsxTitle          = "%s · %s%s（%s 导出）"
	txtXlsxSheetMembers   = "党员成绩"
	txtXlsxSheetNodes     = "组织统计"
	txtXlsxSheetPoints    = "积分明细"
	txtXlsxTooManyEntries = "积分明细共 %d 条，一张表放不下，请选择下级组织分别导出。"
	txtXlsxName           = "姓名"
	txtXlsxBranch         = "所在党支部"
	txtXlsxMonth          = "%d月学习"
	txtXlsxQuarter        = "第%s季度测试"
	txtXlsxPoints         = "全年积分"
	txtXlsxStars          = "星级"
	txtXlsxRank           = "支部排名"
	txtXlsxFlagged        = "答题过快（请核实）"
	txtXlsxNode           = "组织"
	txtXlsxTotal          = "%s（合计）"
	txtXlsxMembers        = "党员人数"
	txtXlsxStudyRate      = "学习完成率"
	txtXlsxTaken          = "参考人次"
	txtXlsxDue            = "应考人次"
	txtXlsxTakenMean      = "参考人员平均分"
	txtXlsxDueMean        = "人均得分"
	txtXlsxPassRate       = "及格率"
	txtXlsxDate           = "日期"
	txtXlsxAmount         = "积分"
	txtXlsxReason         = "原因"
	txtExportEmpty        = "%s 还没有党员。"

	txtFlagButton        = "答题纠错"
	txtInviteRevoke      = "作废此链接"
	txtInviteRevoked     = "这个邀请链接已作废。"
	txtInviteRevokedDone = "✅ 邀请链接已作废，任何人都不能再用它加入。"
	txtAskFlag           = "请简单说明这道题哪里有误（200 字以内），发送 /cancel 取消："
	txtFlagThanks        = "✅ 已收到您的纠错反馈，管理员会核实。谢谢！"
	txtFlagNext          = "发送 /study 继续本月学习，发送 /mistakes 练习错题。"
	txtFlagNotice        = "📮 <b>答题纠错</b>：%s 对题目【%s】的反馈：\n%s\n\n题目：%s"

	// Banks.
	txtBanksHeader = "📚 <b>已发布的题库</b>（共 %d 套，%d 道题）"
	txtBankLine    = "\n· %s（<code>%s</code>）：%d 题 · %s"
	txtBuiltin     = "内置"
	txtVersion     = "第 %d 版，%s 发布"
	txtPlanLine    = "\n\n<b>学习计划</b>：%s"
	txtPlanNone    = "未设置（每月从全部题库出题）"
	txtOrgLine     = "\n<b>组织架构</b>：%d 个组织，%s"
	txtBanksHow    = "\n\n点下面的题库名，可以看它的版本记录（谁、什么时候、改了什么），下载它的文件（Excel 或 .toml），或回滚到以前的版本。上传题库、学习计划或组织架构：直接把 .toml 文件发给我；Excel 题库（.xlsx）和 Word 试卷（.docx）也可以。怎么写，点“📖 格式说明”。"

	txtUploadNotToml    = "请发送 .toml 格式的文本文件（题库、学习计划或组织架构），或者 Excel 题库（.xlsx）、Word 试卷（.docx）。"
	txtUploadTooBig     = "文件太大（%s），一个文件最多 1 MB。请把题目分成几套题库分别上传。"
	txtUploadFailed     = "文件下载失败，请稍后重新发送。"
	txtUploadProblems   = "❌ <b>%s</b> 有 %d 个问题，没有发布，现有题库不变：\n%s"
	txtUploadMore       = "\n……另有 %d 个问题"
	txtUploadBank       = "📄 <b>%s</b>：题库「%s」（<code>%s</code>），%d 道题。\n%s"
	txtUploadNewBank    = "这是一套新题库。"
	txtUploadChanges    = "与已发布的相比：新增 %d 题，修改 %d 题，删除 %d 题。"
	txtUploadPlan       = "📄 <b>%s</b>：学习计划。%s"
	txtUploadPlanMonths = "变动的月份：%s。"
	txtUploadOrg        = "📄 <b>%s</b>：组织架构。新增 %d 个，删除 %d 个，改名 %d 个，调整上级 %d 个。"
	txtUploadSame       = "内容与已发布的完全相同，无需发布。"
	txtUploadConfirm    = "\n\n确认发布吗？发布后立即生效；已作答的记录不受影响。"
	txtPublish          = "发布"
	txtCancel           = "取消"
	txtPublished        = "✅ 已发布 %s（第 %d 版）。"
	txtPublishCancelled = "已取消，现有内容不变。"
	txtUploadExpired    = "这个上传已经失效了，请重新发送文件。"
	txtPublishStale     = "这个按钮属于之前的一次上传，已经失效，没有发布任何内容。请使用最新一次上传下面的按钮，或重新发送文件。"
	txtPublishChanged   = "⚠️ 在您确认之前，已发布的内容有了变化。与现在相比的变动如下，请重新确认：\n\n"
	txtNoneMonths       = "无"

	// Rounds.
	txtRoundMonth        = "📖 <b>%s学习已开放</b>：%s\n发送 /study 开始本月学习。"
	txtRoundTestOpen     = "📝 <b>%s测试已开放</b>，%s 截止，共 %d 题，限时 %d 分钟。\n发送 /test 参加。"
	txtRoundTestMine     = "📝 <b>%s测试已结束</b>：您的得分 <b>%d</b> 分（%s）。%s"
	txtRoundAnswersOpen  = "答案和解析已开放，发送 /review 查看。"
	txtRoundAnswersLater = "还有党员在补考，答案和解析将在 %s 之后开放，届时发送 /review 查看。"
	txtRoundTestNone     = "📝 <b>%s测试已结束</b>：您没有参加本次测试。"
	txtRoundTestNode     = "📝 <b>%s测试结果 · %s</b>\n参考 %d/%d 人，参考人员平均分 %s，人均得分 %s，及格率 %s。\n（人均得分和及格率按应考人数计算，未参考按 0 分、不及格计；测试结束后入党的不计入。）"
	txtRoundHalfMine     = "🏆 <b>%s半年一比</b>：您的积分 %s 分，在本支部 %d 人中排第 %d 名。"
	txtRoundYearMine     = "⭐ <b>%s年终一评</b>：您全年积分 %s 分，评为 <b>%d 星</b> %s。感谢您一年的学习！"

	// The dashboard (bot/webapp).
	txtDashboardOpen = "📊 打开数据看板"
)

// Bound groups and the live contest (有奖知识问答).
const (
	txtBindDone       = "✅ 本群已绑定到<b>%s</b>。\n书记在与我的私聊中发送 /contest，即可在本群举办有奖知识问答；群里发送 /rank 查看本组织的学习情况（不显示个人成绩）。"
	txtBindNotManager = "只有党组织书记或管理员可以绑定本群。"
	txtUnbindDone     = "已解除本群与<b>%s</b>的绑定。"
	txtGroupNotBound  = "本群还没有绑定党组织。书记可以在群里发送 /bind 绑定。"

	txtGroupRankHeader   = "📊 <b>%s</b>（%d 名党员）"
	txtGroupRankStudy    = "%s学习：已完成 %d/%d 人（学习完成率 %s）"
	txtGroupRankTest     = "%s测试：参考 %d/%d 人，参考人员平均分 %s，人均得分 %s，及格率 %s"
	txtGroupRankTestWait = "%s测试：%s开始"
	txtGroupRankHalf     = "%s：在同级 %d 个组织中排第 <b>%d</b> 名（综合 %s）"
	txtGroupRankYear     = "今年人均积分 %s 分；%s"

	txtContestNoGroup    = "还没有绑定到您所管组织的群。请先把机器人拉进党支部群，在群里发送 /bind，再回到这里发送 /contest。"
	txtContestUseButtons = "请用上面的按钮设置比赛，或发送 /cancel 退出。"
	txtContestSetup      = "🏆 <b>准备有奖知识问答</b>\n群：%s（%s）\n题目：%s（可出 %d 题）\n题数：%d 题\n每题：%d 秒\n分队：%s\n\n设置好后点“开始报名”：群里会出现 %d 秒的报名倒计时，然后逐题出题。"
	txtSrcMonth          = "本月题库"
	txtSrcQuarter        = "本季度题库"
	txtSrcBanks          = "所选题库：%s"
	txtTeamsNone         = "不分队"
	txtTeamsNode         = "按下级组织"
	txtTeams2            = "两队"
	txtTeams3            = "三队"
	txtChecked           = "✓ %s"
	txtBtnGroup          = "换一个群"
	txtBtnMonth          = "本月"
	txtBtnQuarter        = "本季度"
	txtBtnBanks          = "选择题库"
	txtBtnQuestions      = "%d 题"
	txtBtnSeconds        = "%d 秒"
	txtBtnGo             = "开始报名"
	txtBtnPast           = "往期成绩"
	txtBtnDone           = "完成"
	txtContestPickBanks  = "请选择题库（可多选），选好后点“完成”："
	txtContestNoPool     = "所选题库中没有能在群里作答的题目（填空题不能用投票作答）。请换一个题库。"
	txtContestStarted    = "报名已开始，请到群里看看。下面是主持台，可以随时控制比赛："

	txtConsole            = "🎛 <b>有奖知识问答 · 主持台</b>\n群：%s\n%s"
	txtConsoleLobby       = "报名中，%s 开始出题。"
	txtConsoleAsking      = "第 %d/%d 题作答中。"
	txtConsoleRevealed    = "第 %d/%d 题已公布答案。"
	txtConsolePaused      = "已暂停，点“继续”或“下一题”接着出题。"
	txtConsoleInterrupted = "⚠️ 机器人重启过，比赛停在第 %d/%d 题。已记录的答题都保留。请选择："
	txtConsoleDone        = "比赛已结束。成绩已发到群里，每位参赛者的成绩已私信发送。"
	txtConsoleOK          = "好的"
	txtBtnStartNow        = "立即开始"
	txtBtnNext            = "下一题"
	txtBtnPause           = "暂停"
	txtBtnContinue        = "继续"
	txtBtnReveal          = "公布答案"
	txtBtnStop            = "结束比赛"
	txtBtnResume          = "从第 %d 题继续"
	txtBtnEndNow          = "结束并公布成绩"

	txtLobby          = "📣 <b>有奖知识问答</b>\n%s · %d 题 · 每题 %d 秒%s\n\n%s\n已报名 <b>%d</b> 人。直接答题也算参加。"
	txtLobbyTeams     = "\n分队：%s"
	txtLobbyIn        = "<b>%d</b> 秒后开始，点击下方按钮报名。"
	txtLobbySoon      = "马上开始！"
	txtJoinButton     = "我要参加"
	txtJoinTeamButton = "加入%s"
	txtJoinedContest  = "报名成功，祝您取得好成绩！"
	txtJoinedTeam     = "您在%s，祝您取得好成绩！"
	txtJoinLate       = "这场比赛已经结束了。"

	txtPollHead      = "第 %d/%d 题【%s】"
	txtPollMulti     = "（多选）"
	txtPollShort     = "第 %d/%d 题【%s】：题目见上一条消息，请选择"
	txtStem          = "📝 <b>第 %d/%d 题</b>【%s】\n%s"
	txtResult        = "✅ <b>第 %d 题答案：%s</b>\n答对 %d 人（共 %d 人作答）。"
	txtResultFastest = "最快答对：%s"
	txtResultNext    = "下一题马上开始。"

	txtBoard        = "🏆 <b>有奖知识问答 · 最终成绩</b>\n%s · %s · 共 %d 题 · %d 人参加"
	txtBoardStopped = "（比赛提前结束，按已出的 %d 题计分）"
	txtBoardNone    = "本次比赛没有人作答。"
	txtBoardRow     = "%s %s%s %d 分（答对 %d 题）"
	txtBoardTeamOf  = "（%s）"
	txtBoardMore    = "……另有 %d 人"
	txtBoardTeams   = "<b>团队成绩</b>（按队员平均分）"
	txtBoardTeam    = "%d. %s %s 分（%d 人）"
	txtBoardThanks  = "感谢大家参与！每人的成绩已私信发送。"
	txtBoardAgain   = "📋 <b>往期成绩</b>"

	txtMyResult = "🏆 <b>有奖知识问答</b>（%s，%s）\n您答对 %d/%d 题，得分 %d，第 %d 名（共 %d 人）。"
	txtMyTeam   = "您所在的%s排第 %d 名（平均 %s 分）。"
	txtMyPoints = "获得积分 %s 分，已记入您的积分明细（发送 /me 查看）。"
	txtMyCapped = "今天的比赛积分已达上限，本次不再加分。"
	txtMyGuest  = "您不是本组织的党员，本次成绩不计积分。感谢参与！"

	txtPastNone   = "这个群还没有举办过有奖知识问答。"
	txtPastPick   = "选择要把成绩重新发到群里的比赛："
	txtPastButton = "%s · %d 题"
	txtResent     = "已把成绩重新发到群里。"

	txtExportContest = "其中竞赛积分" // the export's column of contest points
)

// txtMedals mark the top three of a leaderboard; txtTeamColours name the
// teams picked in the group.
var (
	txtMedals      = []string{"🥇", "🥈", "🥉"}
	txtTeamColours = []string{"红队", "蓝队", "黄队"}
)

// contestReasons word the engine's contest errors.
var contestReasons = map[string]string{
	"not_bound":       txtGroupNotBound,
	"bound_elsewhere": "本群已绑定到其他组织，需要该组织的书记先在群里发送 /unbind 解除绑定。",
	"contest_running": "这个群正在进行有奖知识问答，请等比赛结束后再操作。",
	"no_contest":      "这场比赛已经结束了。",
	"bad_setup":       "比赛设置不正确，请重新发送 /contest 设置。",
}

func init() {
	for k, v := range contestReasons {
		reasonText[k] = v
	}
}

// Question banks from and to Excel, notes on uploads, and questions
// without 解析.
const (
	txtFillPromptBlanks = "✍️ 这道题有 %d 个空，请按顺序发送各空的答案，用空格或逗号隔开。"
	txtReviewItemBare   = "<b>%d.</b> 【%s】%s\n您的答案：%s %s\n正确答案：%s"

	txtUploadNotes     = "\n\n⚠️ <b>提示 %d 条</b>（不影响发布，建议看一看）：\n%s"
	txtUploadMoreNotes = "……另有 %d 条提示"

	txtXLSXTooBig        = "文件太大（%s），一个 Excel 文件最多 %s。请把题目分成几个文件分别上传。"
	txtXLSXSummary       = "📊 <b>%s</b>：读取 %d 行，生成题目 %d 道，有问题的行 %d 行%s。"
	txtXLSXBySheet       = "，按工作表分为 %d 套题库"
	txtXLSXByChapter     = "，按工作表和“章节”列分为 %d 套题库"
	txtXLSXConfirm       = "\n\n确认发布这 %d 套题库吗？发布后立即生效；已作答的记录不受影响。"
	txtXLSXPublished     = "✅ 已发布 %s：\n%s"
	txtXLSXPublishedBank = "· 「%s」（<code>%s</code>）第 %d 版"
	txtXLSXPartly        = "⚠️ 只发布了一部分：\n%s\n%s 没有发布，请稍后重新发送文件。"
	txtBankDownload      = "⬇️ %s"
	txtBankXLSX          = "📄 题库「%s」（<code>%s</code>），%d 道题。\n在 WPS 或 Excel 里修改后，把这个文件发回给我，就能更新题库（表头上方的题库编号不要改）。"
	txtBankGone          = "这套题库已经不在了，请重新发送 /banks。"
	txtPagePrev          = "◀ 上一页"
	txtPageNext          = "下一页 ▶"
	txtPageOf            = "%d/%d"
)

// Bank uploads and /banks: what an upload adds, changes and removes, what
// members were asked of what it removes, where each bank came from, its
// versions, its file, roll backs and the format guide.
const (
	txtUploadRetitled   = "名称由「%s」改为「%s」。"
	txtUploadQuarters   = "季度测试的题库有变动：%s。"
	txtUploadListAdded  = "\n<b>新增</b>："
	txtUploadListChange = "\n<b>修改</b>："
	txtUploadListRemove = "\n<b>删除</b>："
	txtUploadListItem   = "\n· <code>%s</code> %s"
	txtUploadListAsked  = "（党员做过）"
	txtUploadListMore   = "\n……另有 %d 题没有列出"
	txtUploadListMoreAs = "（其中 %d 题党员做过）"
	txtUploadAsked      = "\n\n⚠️ 题库「%s」要删除的 %d 题中，有 %d 题党员已经做过（%s）。他们的答题记录保留当时的题目，成绩和回顾不受影响。"
	txtUploadAskedN     = "已作答 %d 次"
	txtUploadAskedOpen  = "%d 份进行中的答题含有这些题，仍按原题作答"
	txtListSep          = "，"
	txtMonthsSep        = "、"
	txtQuarterName      = "第%s季度"

	txtFromFile      = "服务器上的文件 %s"
	txtFromStart     = "程序启动时读取的配置"
	txtMonthN        = "%d月"
	txtBankButton    = "📄 %s"
	txtPlanButton    = "🗓 学习计划"
	txtOrgButton     = "🏛 组织架构"
	txtGuideButton   = "📖 格式说明"
	txtBanksList     = "题库列表" // ⬅️ 返回题库列表 on a card of /banks
	txtGuideName     = "题库格式说明.txt"
	txtGuideCaption  = "📖 题库、学习计划和组织架构的写法（前半是中文，后半是英文），手机或电脑上能看文字的软件都能打开。写好后直接把文件发给我：发布之前我会先检查，列出所有问题，没有问题再请您确认发布。（管理服务器的技术人员也可以用 partyquiz validate 命令检查。）"
	txtBankCard      = "📄 <b>题库「%s」</b>（<code>%s</code>），%d 道题\n现在：%s"
	txtPlanCard      = "🗓 <b>学习计划</b>%s\n现在：%s"
	txtPlanCardTitle = "「%s」"
	txtOrgCard       = "🏛 <b>组织架构</b>：%d 个组织\n现在：%s"
	txtCardNoPlan    = "🗓 <b>学习计划</b>：未设置（每月从全部题库出题）。把 plan.toml 发给我就能设置。"
	txtCardHistory   = "\n\n<b>版本记录</b>（共 %d 版，新的在前）："
	txtCardVersion   = "\n· 第 %d 版 · %s · %s · %s"
	txtCardOlder     = "\n……更早的 %d 版没有列出"
	txtCardNoHistory = "\n\n还没有在聊天里发布过新版本。"
	txtCardHow       = "\n\n回滚会把那一版的内容作为新的一版发布，先给您看会有哪些变动，确认后才生效；版本记录一直保留。"
	txtPublisherID   = "管理员（用户 ID %d）"
	txtChangeUnknown = "变动没有记录"
	txtChangeNewBank = "新题库"
	txtChangeNewPlan = "新的学习计划"
	txtChangeBank    = "新增 %d 题，修改 %d 题，删除 %d 题"
	txtChangeOrg     = "新增 %d 个，删除 %d 个，改名 %d 个，调整上级 %d 个"
	txtChangeMonths  = "变动的月份：%s"
	txtChangeQuarter = "季度测试题库变动：%s"
	txtChangeTitle   = "改了名称"
	txtChangeNone    = "没有变动"
	txtChangeRestore = "回滚到第 %d 版：%s"
	txtFileButton    = "⬇️ .toml 文件"
	txtExcelLabel    = "Excel"
	txtRollbackBtn   = "↩️ 回滚到第 %d 版"
	txtFileCaption   = "📄 %s现在发布的文件。改好后发回给我，就是一次更新，同样先看变动再发布。"
	txtFileOfBank    = "题库「%s」"
	txtFileOfPlan    = "学习计划"
	txtFileOfOrg     = "组织架构"
	txtRollbackLead  = "↩️ <b>回滚到第 %d 版</b>：把那一版的内容作为新的一版发布。\n\n"
	txtRollbackSame  = "第 %d 版和现在发布的内容完全相同，无需回滚。"
	txtRolledBack    = "✅ 已回滚：第 %d 版的内容已作为第 %d 版发布。"
	txtNoVersion     = "没有找到这个版本，请重新发送 /banks。"

	txtRestoreBuiltinBtn  = "↩️ 恢复内置版本"
	txtRestoreBuiltinLead = "↩️ <b>恢复内置版本</b>：把程序自带的内容作为新的一版发布。\n\n"
	txtRestoreBuiltinSame = "现在发布的内容和程序自带的版本完全相同，无需恢复。"
	txtRestoredBuiltin    = "✅ 已恢复：程序自带的内容已作为第 %d 版发布。"
	txtChangeBuiltin      = "恢复内置版本：%s"
)

func init() { reasonText["no_version"] = txtNoVersion }
