// partyquiz 数据看板: the page of the Telegram Mini App (package bot/webapp).
//
// It reads Telegram's launch parameters from the URL fragment itself
// (#tgWebAppData=…&tgWebAppThemeParams=…&tgWebAppVersion=…&tgWebAppPlatform=…),
// as telegram-web-app.js does, so it needs no script from Telegram: it runs
// inside Telegram, in a test browser and in an ordinary browser opened on a
// signed link. The initData is exchanged for a session (api/session); every
// figure and every permission comes from the server, which asks the engine.
'use strict';

// Every word the page shows.
const T = {
  loading: '正在加载……',
  openInTelegram: '请在 Telegram 中点击机器人的“打开数据看板”按钮打开本页。',
  expired: '登录已过期，请关闭本页，再从 Telegram 重新打开。',
  forbidden: '数据看板只对书记和管理员开放。您可以在聊天中发送 /me 查看自己的记录。',
  notInScope: '没有查看这个组织的权限。',
  notFound: '没有找到这个组织。',
  failed: '加载失败，请稍后再试。',
  network: '网络不通，请稍后再试。',
  admin: '管理员',
  secretary: '书记',
  members: '党员',
  person: '人',
  study: '学习完成',
  studyTimes: '学习完成 / 应学（人次）',
  testTimes: '参考 / 应考（人次）',
  studyRate: '学习完成率',
  tested: '参考',
  testRate: '参考率',
  mean: '参考人员平均分',
  dueMean: '人均得分',
  pass: '及格率',
  value: '综合',
  name: '名称',
  studyDone: '已完成',
  studyOngoing: '进行中',
  studyMissed: '未完成',
  makeup: '补学',
  notTested: '未参加',
  testDue: '待参加',
  testNotYet: '未开始',
  flagged: '答题过快',
  small: '人数少',
  unranked: '不参加排名',
  nothingOwed: '暂无可比数据。',
  noChildren: '没有下级组织。',
  noMembers: '这里还没有党员。',
  unfinishedFirst: '（未完成的在前）',
  testWait: '测试窗口 %s 开放',
  remind: '提醒未完成的党员',
  remindCount: '提醒未完成的 %d 人',
  remindNone: '都已完成，无需提醒',
  reminded: '已提醒 %d 人。',
  remindedAgain: '%d 人今天已提醒过。',
  unreachable: '%d 人已屏蔽机器人，无法提醒。',
  exportSent: '已把 %d 名党员的成绩表发到聊天中。',
  exportEmpty: '这里还没有党员，没有可导出的内容。',
  exportTooMany: '人数太多，请选择下级组织分别导出。',
  rankingHead: '%s · 综合 = 学习完成率 × %s + 人均得分 × %s',
  rankingMembers: '本支部党员积分排名',
  changeUp: '较上半年 +%s',
  changeDown: '较上半年 %s',
  points: '分',
  yearHead: '%s · 星级标准：%s',
  starRule: '%d星≥%s分',
  starN: '%d星',
  meanPoints: '人均积分',
  noWeak: '还没有足够的作答（每题至少 %d 次）。',
  right: '答对率 %s（%d 次作答）',
  answer: '正确答案：%s',
  answerLater: '本题属于尚未结束的测试，答案在 %s 测试结束后显示。',
  memberTitle: '%s',
  missedMonths: '可以补学的月份',
  missedTest: '可以补考的测试',
  nothingToReopen: '没有需要补学补考的内容。',
  days: '开放天数',
  dayN: '%d 天',
  grant: '开放补学补考',
  granted: '已开放，截至 %s。已通知本人。',
  nothingToGrant: '已经完成，无需补学补考。',
  monthStudy: '%s学习',
  close: '关闭',
};
const fmt = (s, ...a) => { let i = 0; return s.replace(/%[sd]/g, () => String(a[i++])); };

// --- Telegram launch parameters and events -------------------------------

const launch = (() => {
  const read = (s) => { const p = new URLSearchParams(s.replace(/^#/, '')); return p.get('tgWebAppData') ? p : null; };
  let p = read(location.hash);
  try {
    if (p) sessionStorage.setItem('tgLaunch', location.hash);
    else { const saved = sessionStorage.getItem('tgLaunch'); if (saved) p = read(saved); }
  } catch (e) { /* storage may be off */ }
  if (!p) return null;
  let theme = {};
  try { theme = JSON.parse(p.get('tgWebAppThemeParams') || '{}') || {}; } catch (e) { theme = {}; }
  return { initData: p.get('tgWebAppData'), theme, version: p.get('tgWebAppVersion') || '6.0', platform: p.get('tgWebAppPlatform') || 'unknown' };
})();

function postEvent(type, data) {
  const body = data === undefined ? '' : JSON.stringify(data);
  try {
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(type, body);
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), '*');
    }
  } catch (e) { /* not in Telegram */ }
}

const handlers = {};
function receiveEvent(type, data) { (handlers[type] || (() => {}))(data || {}); }
window.Telegram = window.Telegram || {};
window.Telegram.WebView = window.Telegram.WebView || { receiveEvent };
window.TelegramGameProxy = window.TelegramGameProxy || { receiveEvent };
window.addEventListener('message', (e) => {
  try { const d = JSON.parse(e.data); if (d && d.eventType) receiveEvent(d.eventType, d.eventData); } catch (err) { /* not ours */ }
});

function versionAtLeast(v) {
  const a = (launch ? launch.version : '0').split('.').map(Number), b = v.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}

// applyTheme sets --tg-theme-* variables from theme parameters, as
// telegram-web-app.js does, and the colour scheme from the background.
function applyTheme(theme) {
  const root = document.documentElement;
  if (!theme || !theme.bg_color) { // an ordinary browser: its own light or dark
    theme = matchMedia('(prefers-color-scheme: dark)').matches ? {
      bg_color: '#212121', text_color: '#ffffff', hint_color: '#aaaaaa', link_color: '#8cc2f5', button_color: '#3e88d6',
      button_text_color: '#ffffff', secondary_bg_color: '#0f0f0f', section_bg_color: '#212121', subtitle_text_color: '#aaaaaa',
    } : {};
  }
  for (const [k, v] of Object.entries(theme || {})) {
    if (/^#[0-9a-f]{3,8}$/i.test(v)) root.style.setProperty('--tg-theme-' + k.replace(/_/g, '-'), v);
  }
  const bg = (theme && theme.bg_color) || (matchMedia('(prefers-color-scheme: dark)').matches ? '#212121' : '#ffffff');
  const n = parseInt(bg.replace('#', '').padEnd(6, '0').slice(0, 6), 16);
  const lum = (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  const scheme = lum < 0.5 ? 'dark' : 'light';
  root.dataset.scheme = scheme;
  root.style.setProperty('--tg-color-scheme', scheme);
  root.style.colorScheme = scheme;
}
handlers.theme_changed = (d) => { applyTheme(d.theme_params); redrawCharts(); };
handlers.back_button_pressed = () => goUp();

// --- the API ----------------------------------------------------------------

let session = null;

async function login() {
  const r = await fetch('api/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ init_data: launch.initData }),
  });
  if (r.status === 401) throw new ApiError(401, '');
  if (!r.ok) throw new ApiError(r.status, '');
  session = await r.json();
  return session;
}

class ApiError extends Error {
  constructor(status, reason) { super('api ' + status); this.status = status; this.reason = reason; }
}

async function api(method, path, body, retried) {
  let r;
  try {
    r = await fetch('api/' + path, {
      method, headers: Object.assign({ Authorization: 'Bearer ' + session.token }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'network');
  }
  if (r.status === 401 && !retried) { // the session ran out: a new one, while the initData is fresh
    await login();
    return api(method, path, body, true);
  }
  if (!r.ok) {
    let reason = '';
    try { reason = (await r.json()).reason || ''; } catch (e) { /* no body */ }
    throw new ApiError(r.status, reason);
  }
  return r.json();
}

function errorText(e) {
  if (!(e instanceof ApiError)) return T.failed;
  switch (e.status) {
    case 0: return T.network;
    case 401: return T.expired;
    case 403: return e.reason === 'not_in_scope' ? T.notInScope : T.forbidden;
    case 404: return T.notFound;
  }
  return T.failed;
}

// --- state and navigation -----------------------------------------------------

const $ = (s) => document.querySelector(s);
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
};

const state = {
  node: new URLSearchParams(location.search).get('node') || '',
  top: '', // the viewer's own first node
  period: 'month',
  tab: 'overview',
  sort: { key: 'rate', dir: -1 },
  path: [],
  data: null,
};

function setStatus(text) {
  const s = $('#status');
  s.textContent = text || '';
  s.hidden = !text;
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

function goTo(node) {
  state.node = node;
  load();
}

function goUp() {
  if (state.path.length > 1) goTo(state.path[state.path.length - 2].id);
}

function renderPath(path, node) {
  state.path = path;
  const nav = $('#path');
  nav.replaceChildren();
  path.forEach((p, i) => {
    if (i > 0) nav.append(el('span', { class: 'sep', text: '›' }));
    const last = i === path.length - 1;
    nav.append(el('button', { type: 'button', 'data-node': p.id, 'aria-current': last ? 'page' : null, text: p.name,
      onclick: last ? null : () => goTo(p.id) }));
  });
  $('#node-name').textContent = node.name;
  postEvent('web_app_setup_back_button', { is_visible: path.length > 1 });
}

async function load() {
  const token = (load.seq = (load.seq || 0) + 1);
  for (const s of ['overview', 'ranking', 'year', 'weak']) $('#' + s).hidden = s !== state.tab;
  document.querySelectorAll('#tabs button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === state.tab)));
  setStatus(T.loading);
  try {
    const q = 'node=' + encodeURIComponent(state.node);
    let d;
    switch (state.tab) {
      case 'overview': d = await api('GET', 'overview?' + q + '&period=' + state.period); break;
      case 'ranking': d = await api('GET', 'ranking?' + q); break;
      case 'year': d = await api('GET', 'year?' + q); break;
      case 'weak': d = await api('GET', 'weak?' + q); break;
    }
    if (token !== load.seq) return; // a later load won
    state.data = d;
    state.node = d.node.id;
    renderPath(d.path, d.node);
    setStatus('');
    ({ overview: renderOverview, ranking: renderRanking, year: renderYear, weak: renderWeak })[state.tab](d);
    document.body.dataset.loaded = state.tab + ':' + d.node.id + ':' + (state.tab === 'overview' ? state.period : '');
  } catch (e) {
    if (token !== load.seq) return;
    $('#' + state.tab).hidden = true;
    setStatus(errorText(e));
    document.body.dataset.loaded = 'error';
  }
}

// --- charts ---------------------------------------------------------------------

const charts = {};
function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function chart(id, height, option, onClick) {
  const box = document.getElementById(id);
  box.style.height = height + 'px';
  if (charts[id]) charts[id].dispose();
  const c = echarts.init(box, null, { renderer: 'canvas' });
  charts[id] = c;
  c.setOption(Object.assign({ animationDuration: 300, textStyle: { color: cssVar('--text') } }, option));
  if (onClick) c.on('click', onClick);
  chart.last = chart.last || {};
  chart.last[id] = [height, option, onClick];
  return c;
}

function redrawCharts() {
  for (const [id, args] of Object.entries(chart.last || {})) {
    if (document.getElementById(id).offsetParent !== null) chart(id, ...args);
  }
}
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

// hbar is a horizontal bar chart of named values, the first on top.
function hbar(id, names, values, labels, max, onClick, colors) {
  const text = cssVar('--text'), hint = cssVar('--hint'), button = cssVar('--button');
  return chart(id, Math.max(70, names.length * 32 + 20), {
    grid: { left: 8, right: 92, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max, show: false },
    yAxis: { type: 'category', inverse: true, data: names, axisTick: { show: false }, axisLine: { show: false },
      axisLabel: { color: text, width: 96, overflow: 'truncate', fontSize: 12 } },
    series: [{ type: 'bar', barMaxWidth: 18, showBackground: true, backgroundStyle: { color: cssVar('--bg2'), borderRadius: 4 },
      itemStyle: { borderRadius: 4, color: (p) => (colors && colors[p.dataIndex]) || button },
      label: { show: true, position: 'right', color: hint, fontSize: 12, formatter: (p) => labels[p.dataIndex] },
      data: values.map((v) => (v === null ? 0 : v)) }],
  }, onClick);
}

// --- overview -------------------------------------------------------------------

const sorts = {
  month: [['rate', T.studyRate], ['name', T.name]],
  quarter: [['rate', T.testRate], ['due_mean', T.dueMean], ['mean', T.mean], ['name', T.name]],
  half: [['value', T.value], ['rate', T.studyRate], ['due_mean', T.dueMean], ['name', T.name]],
};

function card(k, v, extra) {
  return el('div', { class: 'card' }, el('div', { class: 'v', text: v }), el('div', { class: 'k', text: k }), extra || null);
}

function renderOverview(d) {
  $('#period-label').textContent = d.label + (d.period !== 'month' && !d.test_open && d.test_opens ? '，' + fmt(T.testWait, d.test_opens) : '');
  document.querySelectorAll('#periods button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.period === d.period)));
  const t = d.total;
  const cards = [card(T.members, String(t.members))];
  if (d.period === 'month') {
    cards.push(card(T.study, t.done + '/' + t.owed), card(T.studyRate, t.rate_text));
  } else if (d.period === 'quarter') {
    cards.push(card(T.tested, t.done + '/' + t.owed), card(T.mean, t.mean_text), card(T.dueMean, t.due_mean_text), card(T.pass, t.pass_text));
  } else {
    cards.push(card(T.studyRate, t.rate_text), card(T.dueMean, t.due_mean_text), card(T.pass, t.pass_text),
      card(T.studyTimes, t.done + '/' + t.owed), card(T.testTimes, (t.taken || 0) + '/' + (t.tests_owed || 0)));
  }
  $('#totals').replaceChildren(...cards);

  // Children: bars and a list, in the order asked for.
  const block = $('#children-block');
  block.hidden = d.children.length === 0;
  if (d.children.length > 0) {
    if (!sorts[d.period].some(([k]) => k === state.sort.key)) state.sort = { key: sorts[d.period][0][0], dir: -1 };
    renderSort(d);
    const kids = sortedChildren(d);
    const metric = state.sort.key === 'name' ? sorts[d.period][0][0] : state.sort.key;
    const val = (c) => (metric === 'rate' ? (c.rate === null ? null : 100 * c.rate) : c[metric]);
    const lab = (c) => ({ rate: c.rate_text, mean: c.mean_text, due_mean: c.due_mean_text, value: c.value_text })[metric];
    const shown = kids.slice(0, 60);
    hbar('children-chart', shown.map((c) => c.name), shown.map(val), shown.map(lab), 100,
      (p) => goTo(shown[p.dataIndex].id));
    $('#children').replaceChildren(...kids.map((c) => childItem(c, d.period)));
  }

  // A branch: its members.
  const mb = $('#members-block');
  mb.hidden = !d.leaf;
  if (d.leaf) {
    $('#members-note').textContent = d.rows.length ? T.unfinishedFirst : '';
    const body = $('#members tbody');
    body.replaceChildren(...d.rows.map((m) => memberTr(m, d)));
    if (!d.rows.length) body.append(el('tr', {}, el('td', { colspan: 5, class: 'empty', text: T.noMembers })));
  }
  renderActions(d);
}

function sortedChildren(d) {
  const { key, dir } = state.sort; // dir -1: the default order (most first; names A to Z)
  const kids = d.children.slice();
  kids.sort((a, b) => {
    const byName = a.name.localeCompare(b.name, 'zh-CN');
    if (key === 'name') return dir < 0 ? byName : -byName;
    const x = a[key] === null ? -1 : a[key], y = b[key] === null ? -1 : b[key];
    if (x === y) return byName;
    return dir < 0 ? y - x : x - y;
  });
  return kids;
}

function renderSort(d) {
  const box = $('#sort');
  box.replaceChildren(...sorts[d.period].map(([k, label]) => {
    const on = state.sort.key === k;
    const arrow = on ? (state.sort.dir < 0 ? ' ↓' : ' ↑') : '';
    return el('button', { type: 'button', 'data-sort': k, 'aria-pressed': String(on), text: label + arrow, onclick: () => {
      state.sort = on ? { key: k, dir: -state.sort.dir } : { key: k, dir: -1 };
      renderOverview(state.data);
    } });
  }));
}

function childItem(c, period) {
  const figs = [c.members + T.person];
  if (period === 'month') figs.push(T.study + ' ' + c.done + '/' + c.owed, c.rate_text);
  if (period === 'quarter') figs.push(T.tested + ' ' + c.done + '/' + c.owed, T.dueMean + ' ' + c.due_mean_text, T.pass + ' ' + c.pass_text);
  if (period === 'half') figs.push(T.value + ' ' + c.value_text, T.studyRate + ' ' + c.rate_text, T.dueMean + ' ' + c.due_mean_text);
  const w = c.rate === null ? 0 : Math.round(100 * c.rate);
  return el('li', { class: 'link', 'data-node': c.id, onclick: () => goTo(c.id) },
    el('div', {}, el('span', { class: 'name', text: c.name }), c.small ? el('span', { class: 'tag', text: T.small }) : null),
    el('div', { class: 'fig', text: figs.join(' · ') }),
    el('div', { class: 'bar' }, el('i', { style: 'width:' + w + '%' })));
}

// memberTr is a member's row; the quarter's test reads as in the chat's
// /me: 未开始 before its window, 待参加 while it is open (this quarter's
// window lasts to the quarter's end, so 未参加 is for a closed one).
function memberTr(m, d) {
  const study = { done: T.studyDone, ongoing: T.studyOngoing + ' ' + m.answered + '/' + m.total, missed: T.studyMissed }[m.study];
  const test = m.tested ? String(m.score) : d.test_open ? T.testDue : T.testNotYet;
  const name = el('td', {}, m.name, m.flagged ? el('span', { class: 'tag warn', text: T.flagged }) : null,
    m.makeup ? el('span', { class: 'tag', text: T.makeup }) : null);
  return el('tr', { 'data-id': String(m.id), 'data-study': m.study, onclick: () => openMember(m.id) },
    name, el('td', { class: m.study, text: study }), el('td', { text: test }), el('td', { text: m.half }),
    el('td', { text: '★'.repeat(m.stars) }));
}

// --- actions --------------------------------------------------------------------

async function renderActions(d) {
  const btn = $('#remind');
  btn.textContent = T.remind;
  btn.disabled = false;
  btn.dataset.count = '';
  const dl = $('#export-download');
  dl.href = 'api/export.xlsx?node=' + encodeURIComponent(d.node.id) + '&token=' + encodeURIComponent(session.token);
  // The count only for nodes small enough to count at once.
  if (d.total.members > 20000) return;
  try {
    const p = await api('GET', 'remind?node=' + encodeURIComponent(d.node.id));
    if (state.data !== d) return;
    btn.dataset.count = String(p.targets);
    btn.textContent = p.targets > 0 ? fmt(T.remindCount, p.targets) : T.remindNone;
    btn.disabled = p.targets === 0;
  } catch (e) { /* the button still works */ }
}

$('#remind').addEventListener('click', async () => {
  const btn = $('#remind');
  btn.disabled = true;
  try {
    const r = await api('POST', 'remind', { node: state.node });
    let s = fmt(T.reminded, r.queued);
    if (r.again) s += fmt(T.remindedAgain, r.again);
    if (r.unreachable) s += fmt(T.unreachable, r.unreachable);
    toast(s);
    document.body.dataset.reminded = String(r.queued);
    postEvent('web_app_trigger_haptic_feedback', { type: 'notification', notification_type: 'success' });
  } catch (e) {
    toast(errorText(e));
  }
});

$('#export-send').addEventListener('click', async () => {
  try {
    const r = await api('POST', 'export', { node: state.node });
    toast(r.rows ? fmt(T.exportSent, r.rows) : T.exportEmpty);
  } catch (e) {
    toast(e.reason === 'too_many' ? T.exportTooMany : errorText(e));
  }
});

$('#export-download').addEventListener('click', (e) => {
  // Inside Telegram a page cannot save a file itself: Telegram downloads it.
  if (launch && launch.platform !== 'unknown' && versionAtLeast('8.0') && (window.TelegramWebviewProxy || window.parent !== window)) {
    e.preventDefault();
    const url = new URL($('#export-download').getAttribute('href'), location.href).href;
    postEvent('web_app_request_file_download', { url, file_name: (state.data ? state.data.node.name : 'export') + '.xlsx' });
  }
});

// --- a member: make-ups -------------------------------------------------------------

async function openMember(id) {
  let m;
  try { m = await api('GET', 'member?id=' + id); } catch (e) { toast(errorText(e)); return; }
  $('#sheet-title').textContent = m.name;
  const content = $('#sheet-content');
  content.replaceChildren(el('p', { class: 'hint', text: m.path }));
  // One id for the grant this card may make: a tap sent twice grants once.
  const choice = { what: null, days: 7, request: requestId() };
  const whats = [];
  for (const p of m.missed) whats.push({ kind: 'study', period: p.key, label: fmt(T.monthStudy, p.label) });
  if (m.test_missed) whats.push({ kind: 'test', period: m.test_missed.key, label: m.test_missed.label });
  if (!whats.length) {
    content.append(el('p', { text: T.nothingToReopen }));
  } else {
    const pick = el('div', { class: 'choices', id: 'makeup-what' });
    const grant = el('button', { type: 'button', class: 'primary', id: 'makeup-grant', disabled: true, text: T.grant });
    whats.forEach((w) => pick.append(el('button', { type: 'button', 'aria-pressed': 'false', 'data-period': w.period, text: w.label, onclick: (ev) => {
      choice.what = w;
      pick.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === ev.currentTarget)));
      grant.disabled = false;
    } })));
    const days = el('div', { class: 'choices', id: 'makeup-days' });
    [3, 7, 14].forEach((n) => days.append(el('button', { type: 'button', 'aria-pressed': String(n === 7), 'data-days': String(n), text: fmt(T.dayN, n), onclick: (ev) => {
      choice.days = n;
      days.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b === ev.currentTarget)));
    } })));
    grant.addEventListener('click', async () => {
      grant.disabled = true;
      try {
        const r = await api('POST', 'makeup', { member: id, kind: choice.what.kind, period: choice.what.period, days: choice.days, request: choice.request });
        toast(fmt(T.granted, r.until));
        closeSheet();
      } catch (e) {
        toast(e.reason === 'nothing_to_give' ? T.nothingToGrant : errorText(e));
        grant.disabled = false;
      }
    });
    content.append(el('h2', { text: T.missedMonths + ' / ' + T.missedTest }), pick, el('h2', { text: T.days }), days, grant);
  }
  $('#sheet').hidden = false;
}
function requestId() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
function closeSheet() { $('#sheet').hidden = true; }
$('#sheet-close').addEventListener('click', closeSheet);
$('#sheet').addEventListener('click', (e) => { if (e.target.id === 'sheet') closeSheet(); });

// --- ranking, year, weak -------------------------------------------------------------

function renderRanking(d) {
  const list = $('#ranking-list');
  if (d.rows.length) {
    $('#ranking-label').textContent = fmt(T.rankingHead, d.label, d.weights[0], d.weights[1]);
    const good = cssVar('--button'), hint = cssVar('--hint');
    // A node with nothing owed (no members yet) has no rank: listed last, not charted.
    const ranked = d.rows.filter((r) => r.rank);
    hbar('ranking-chart', ranked.map((r) => r.rank + '. ' + r.name), ranked.map((r) => r.value), ranked.map((r) => {
      const ch = r.change === null ? '' : ' (' + (r.change >= 0 ? '+' : '') + r.change.toFixed(1) + ')';
      return r.value_text + ch;
    }), 100, (p) => goTo(ranked[p.dataIndex].id), ranked.map((r) => (r.small ? hint : good)));
    list.replaceChildren(...d.rows.map((r) => {
      if (!r.rank) {
        return el('li', { class: 'link', 'data-node': r.id, onclick: () => goTo(r.id) },
          el('div', {}, el('span', { class: 'name', text: r.name }), el('span', { class: 'tag', text: T.unranked })),
          el('div', { class: 'fig' }, r.members ? T.nothingOwed : T.noMembers));
      }
      const change = r.change === null ? null : el('span', { class: r.change >= 0 ? 'up' : 'down',
        text: ' ' + fmt(r.change >= 0 ? T.changeUp : T.changeDown, r.change.toFixed(1)) });
      return el('li', { class: 'link', 'data-node': r.id, onclick: () => goTo(r.id) },
        el('div', {}, el('span', { class: 'name', text: r.rank + '. ' + r.name }), r.small ? el('span', { class: 'tag', text: T.small }) : null),
        el('div', { class: 'fig' }, T.value + ' ' + r.value_text + ' · ' + T.studyRate + ' ' + r.rate_text + ' · ' + T.dueMean + ' ' + r.due_mean_text, change));
    }));
  } else {
    $('#ranking-label').textContent = d.label + ' · ' + T.rankingMembers;
    hbar('ranking-chart', d.members.map((m) => m.rank + '. ' + m.name), d.members.map((m) => m.points), d.members.map((m) => m.text + T.points),
      Math.max(1, ...d.members.map((m) => m.points)));
    list.replaceChildren(...d.members.map((m) => el('li', { 'data-id': String(m.id) },
      el('span', { class: 'name', text: m.rank + '. ' + m.name }), el('span', { class: 'fig', text: ' ' + m.text + T.points + ' ' + '★'.repeat(m.stars) }))));
    if (!d.members.length) list.replaceChildren(el('li', { class: 'empty', text: T.noMembers }));
  }
}

function renderYear(d) {
  const rules = d.thresholds.map((t, i) => fmt(T.starRule, i + 2, t)).join('，');
  $('#year-label').textContent = fmt(T.yearHead, d.label, rules);
  const counts = d.total.stars; // 1…5 stars
  const names = [5, 4, 3, 2, 1].map((n) => fmt(T.starN, n));
  const vals = [4, 3, 2, 1, 0].map((i) => counts[i]);
  const total = Math.max(1, d.total.members);
  hbar('year-chart', names, vals, vals.map((v) => v + T.person + ' (' + (100 * v / total).toFixed(1) + '%)'), Math.max(1, ...vals));
  $('#year-totals').replaceChildren(card(T.members, String(d.total.members)), card(T.meanPoints, d.total.mean_text),
    card(fmt(T.starN, 5), String(counts[4])));
  const list = $('#year-list');
  if (d.children.length) {
    list.replaceChildren(...d.children.map((c) => el('li', { class: 'link', 'data-node': c.id, onclick: () => goTo(c.id) },
      el('div', { class: 'name', text: c.name }),
      el('div', { class: 'fig', text: c.members + T.person + ' · ' + T.meanPoints + ' ' + c.mean_text + ' · ' +
        [5, 4, 3, 2, 1].map((n) => fmt(T.starN, n) + ' ' + c.stars[n - 1]).join('，') }))));
  } else {
    list.replaceChildren(...d.members.map((m) => el('li', { 'data-id': String(m.id) },
      el('span', { class: 'name', text: m.rank + '. ' + m.name }), el('span', { class: 'fig', text: ' ' + m.text + T.points + ' ' + '★'.repeat(m.stars) }))));
  }
}

function renderWeak(d) {
  const list = $('#weak-list');
  if (!d.items.length) {
    list.replaceChildren(el('li', { class: 'empty', text: fmt(T.noWeak, d.min_answers) }));
    return;
  }
  list.replaceChildren(...d.items.map((it) => el('li', { class: 'q', 'data-q': it.bank + '/' + it.id },
    el('div', { text: it.text }),
    it.options.length ? el('div', { class: 'opts', text: it.options.join('　') }) : null,
    el('div', { class: 'ans', text: it.hidden ? fmt(T.answerLater, it.until) : fmt(T.answer, it.answer) }),
    el('div', { class: 'fig', text: fmt(T.right, it.facility_text, it.answers) }),
    el('div', { class: 'bar' }, el('i', { style: 'width:' + Math.round(100 * (it.facility || 0)) + '%;background:var(--danger)' })))));
}

// --- start ------------------------------------------------------------------------------

document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => { state.tab = b.dataset.tab; load(); }));
document.querySelectorAll('#periods button').forEach((b) => b.addEventListener('click', () => { state.period = b.dataset.period; load(); }));

async function main() {
  applyTheme(launch ? launch.theme : {});
  if (!launch) { setStatus(T.openInTelegram); document.body.dataset.loaded = 'error'; return; }
  postEvent('web_app_ready');
  postEvent('web_app_expand');
  try {
    await login();
  } catch (e) {
    setStatus(errorText(e));
    document.body.dataset.loaded = 'error';
    return;
  }
  const who = session.role === 'admin' ? T.admin : session.role === 'secretary' ? T.secretary : '';
  $('#who').textContent = [session.user.name, who].filter(Boolean).join(' · ');
  if (session.scopes.length > 1) { // a secretary of several nodes: each is a way in
    for (const sc of session.scopes) {
      $('#who').append(' · ', el('button', { type: 'button', class: 'scope', 'data-node': sc.id, text: sc.name, onclick: () => goTo(sc.id) }));
    }
  }
  if (session.role !== 'admin' && session.role !== 'secretary') {
    setStatus(T.forbidden);
    document.body.dataset.loaded = 'error';
    return;
  }
  $('#tabs').hidden = false;
  load();
}
main();
