// The Tether dashboard: polls the admin API every 2 s and draws what it reads.
// Plain DOM and SVG (charts.js draws the charts), no dependencies; every text goes through textContent (no innerHTML), and
// the page's CSP allows no inline script or style, so styles are classes or CSSOM properties.
'use strict';

(() => {
  const POLL_MS = 2000;
  const HISTORY_MS = 5 * 60 * 1000;
  const ABSENT_RETRY_MS = 30000;
  const TOKEN_KEY = 'tether.admin.token';
  const COLORS = ['#1f4fd1', '#e8590c', '#2b8a3e', '#ae3ec9', '#0c8599', '#e03131', '#5c7cfa', '#f59f00'];

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    tokenSubmitted: false,
    csrf: null,           // the admin API's anti-CSRF token, read before the first state-changing call
    pools: [],
    pool: null,
    history: new Map(),   // pool -> [{t, rps, live, births, life}]
    last: new Map(),      // pool/server -> {t, completed}
    absent: new Map(),    // optional endpoint -> time until which it is known to answer 404
    colors: new Map(),
    rows: new Map(),
    timer: null,
    running: false,
    again: false,
    events: 0,
  };

  const $ = (id) => document.getElementById(id);
  const charts = window.TetherCharts;

  class Unauthorized extends Error {}

  // ---- the admin API ------------------------------------------------------------------------

  async function api(method, path, optional, retried) {
    const headers = { Accept: 'application/json' };
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      // a state-changing call proves it comes from this page: the CSRF token only it can read
      if (!state.csrf) {
        const c = await api('GET', '/api/csrf');
        state.csrf = c.token;
      }
      headers['X-Tether-CSRF'] = state.csrf;
      init.body = '{}';
    }
    const r = await fetch(path, init);
    if (r.status === 403 && method !== 'GET' && !retried) {
      state.csrf = null; // the balancer restarted with a new token: read it again, once
      return api(method, path, optional, true);
    }
    if (r.status === 401) {
      throw new Unauthorized('the admin API wants a token');
    }
    if (optional && r.status === 404) {
      return null;
    }
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (!r.ok) {
      throw new Error((body && body.error) || method + ' ' + path + ' answered ' + r.status);
    }
    return body;
  }

  // An endpoint another part of the balancer may not serve (analytics, demo mode): 404 means
  // "not here", remembered for a while so the page does not ask every 2 s.
  async function optional(path) {
    const until = state.absent.get(path);
    if (until && Date.now() < until) {
      return null;
    }
    const body = await api('GET', path, true);
    if (body === null) {
      state.absent.set(path, Date.now() + ABSENT_RETRY_MS);
    } else {
      state.absent.delete(path);
    }
    return body;
  }

  const enc = encodeURIComponent;

  // ---- polling ------------------------------------------------------------------------------

  function schedule(ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, ms);
  }

  function kick() {
    if (state.running) {
      state.again = true;
    } else {
      schedule(0);
    }
  }

  async function poll() {
    state.running = true;
    let stop = false;
    try {
      const pools = (await api('GET', '/api/pools')).pools;
      showMain();
      choosePools(pools);
      const pool = state.pool;
      if (pool === null) {
        setLive(true, 'no pools configured');
        return;
      }
      const [servers, sessions, alerts, demo] = await Promise.all([
        api('GET', '/api/pools/' + enc(pool) + '/servers'),
        optional('/api/pools/' + enc(pool) + '/sessions'),
        optional('/api/alerts'),
        optional('/api/demo/instances'),
      ]);
      if (pool !== state.pool) {
        return;
      }
      const sample = record(pool, servers.servers, sessions);
      renderSummary(servers.servers, sample, sessions);
      renderServers(pool, servers.servers, sample, demo);
      renderCharts(pool);
      renderAlerts(alerts);
      setLive(true, 'live · updated ' + clock(new Date()));
    } catch (e) {
      if (e instanceof Unauthorized) {
        stop = true;
        showLogin();
      } else {
        setLive(false, 'connection lost: ' + e.message);
      }
    } finally {
      state.running = false;
      if (!stop) {
        schedule(state.again ? 0 : POLL_MS);
      }
      state.again = false;
    }
  }

  function choosePools(pools) {
    state.pools = pools.map((p) => p.name);
    const select = $('pool');
    const names = Array.from(select.options).map((o) => o.value);
    if (names.join('\n') !== state.pools.join('\n')) {
      select.replaceChildren(...state.pools.map((n) => new Option(n, n)));
    }
    const wanted = state.pool || new URLSearchParams(location.hash.slice(1)).get('pool');
    state.pool = state.pools.includes(wanted) ? wanted : (state.pools[0] || null);
    select.value = state.pool || '';
    const info = pools.find((p) => p.name === state.pool);
    $('pool-meta').textContent = info
      ? [info.algorithm, 'affinity ' + info.affinity, info.healthChecks ? 'health checks on' : 'no health checks',
        info.servers + (info.servers === 1 ? ' server' : ' servers')]
        .concat(info.ejected ? [info.ejected + ' ejected'] : [])
        .concat(info.panic ? ['PANIC: too few healthy servers, balancing over all'] : []).join(' · ')
      : '';
    document.title = 'Tether — ' + (state.pool || 'no pools');
  }

  // ---- history kept in the page -------------------------------------------------------------

  function record(pool, servers, sessions) {
    const now = Date.now();
    const analytics = new Map(((sessions && sessions.servers) || []).map((s) => [s.name, s]));
    const sample = { t: now, rps: {}, live: {}, births: null, life: null };
    const h = state.history.get(pool) || [];
    const before = h.length ? h[h.length - 1] : null;
    for (const s of servers) {
      const key = pool + '/' + s.name;
      const prev = state.last.get(key);
      const a = analytics.get(s.name);
      // Requests/s between two polls, so the page answers a drain within seconds; the analytics'
      // one-minute rate only stands in until there is a previous poll.
      if (prev && now - prev.t < 1000) {
        // a poll right after a button press: too short a span for a rate; keep the last one
        sample.rps[s.name] = before && before.rps[s.name] !== undefined ? before.rps[s.name] : null;
      } else if (prev) {
        sample.rps[s.name] = Math.max(0, (s.completed - prev.completed) * 1000 / (now - prev.t));
      } else if (a && typeof a.requestsPerSecond === 'number') {
        sample.rps[s.name] = a.requestsPerSecond;
      } else {
        sample.rps[s.name] = null;
      }
      if (!prev || now - prev.t >= 1000) {
        state.last.set(key, { t: now, completed: s.completed });
      }
      const live = a && typeof a.live === 'number' ? a.live : s.sessions;
      sample.live[s.name] = typeof live === 'number' ? live : null;
    }
    if (sessions) {
      sample.births = typeof sessions.birthRatePerSecond === 'number' ? sessions.birthRatePerSecond : null;
      const l = sessions.lifespanSeconds;
      sample.life = l && l.count > 0 ? { p50: l.p50, p90: l.p90, p99: l.p99 } : null;
    }
    h.push(sample);
    while (h.length && h[0].t < now - HISTORY_MS) {
      h.shift();
    }
    state.history.set(pool, h);
    return sample;
  }

  // ---- rendering ----------------------------------------------------------------------------

  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) {
      return '–';
    }
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  function clock(d) {
    return d.toLocaleTimeString('en-GB', { hour12: false });
  }

  function stat(id, text, missing) {
    const el = $(id);
    el.textContent = missing ? 'no analytics' : text;
    el.classList.toggle('na', Boolean(missing));
  }

  function renderSummary(servers, sample, sessions) {
    const up = servers.filter((s) => s.state === 'UP' && !s.ejected).length;
    stat('stat-up', up + ' / ' + servers.length);
    stat('stat-inflight', num(servers.reduce((a, s) => a + s.inFlight, 0), 0));
    const rates = Object.values(sample.rps).filter((v) => v !== null);
    stat('stat-rps', rates.length ? num(rates.reduce((a, v) => a + v, 0), 1) : '–');
    const lives = servers.map((s) => sample.live[s.name]).filter((v) => v !== null);
    const total = sessions ? sessions.live : (lives.length ? lives.reduce((a, v) => a + v, 0) : null);
    stat('stat-sessions', num(total, 0), total === null);
    stat('stat-births', num(sample.births, 2), sample.births === null);
    let imbalance = sessions ? sessions.imbalance : null;
    if (!sessions) {
      const working = servers.filter((s) => s.state === 'UP').map((s) => sample.live[s.name]).filter((v) => v !== null);
      const sum = working.reduce((a, v) => a + v, 0);
      imbalance = sum > 0 ? Math.max(...working) / (sum / working.length) : null;
    }
    stat('stat-imbalance', imbalance === null ? '–' : num(imbalance, 2), !sessions && lives.length === 0);
  }

  function color(name) {
    if (!state.colors.has(name)) {
      state.colors.set(name, COLORS[state.colors.size % COLORS.length]);
    }
    return state.colors.get(name);
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function button(label, action, cls) {
    const b = el('button', cls, label);
    b.type = 'button';
    b.dataset.action = action;
    return b;
  }

  function newRow(pool, name) {
    const tr = el('tr');
    tr.dataset.server = name;
    const cells = {};
    const nameCell = el('td', 'name');
    const sw = el('span', 'swatch');
    sw.style.background = color(name);
    nameCell.append(sw, document.createTextNode(name));
    cells.address = el('td', 'addr');
    cells.state = el('td', 'state');
    cells.health = el('td');
    cells.weight = el('td', 'num');
    cells.inFlight = el('td', 'num');
    cells.rps = el('td', 'num');
    cells.live = el('td', 'num');
    const actions = el('td');
    const box = el('div', 'actions');
    const buttons = {
      drain: button('Drain', 'drain', 'warn'),
      enable: button('Enable', 'enable'),
      disable: button('Disable', 'disable', 'danger'),
      sep: el('span', 'sep'),
      kill: button('Kill', 'kill', 'danger'),
      start: button('Start', 'start'),
    };
    for (const a of ['drain', 'enable', 'disable']) {
      buttons[a].addEventListener('click', () =>
        act(buttons[a], a + ' ' + name, '/api/pools/' + enc(pool) + '/servers/' + enc(name) + '/' + a));
    }
    for (const a of ['kill', 'start']) {
      buttons[a].addEventListener('click', () =>
        act(buttons[a], a + ' instance ' + name, '/api/demo/instances/' + enc(name) + '/' + a));
    }
    box.append(buttons.drain, buttons.enable, buttons.disable, buttons.sep, buttons.kill, buttons.start);
    actions.append(box);
    tr.append(nameCell, cells.address, cells.state, cells.health, cells.weight, cells.inFlight, cells.rps,
      cells.live, actions);
    return { tr, cells, buttons, pool };
  }

  function renderServers(pool, servers, sample, demo) {
    const tbody = document.querySelector('#servers tbody');
    const instances = new Map(((demo && demo.instances) || []).map((i) => [i.name, i]));
    $('demo-badge').hidden = !demo;
    const seen = new Set();
    servers.forEach((s, i) => {
      const key = pool + '/' + s.name;
      seen.add(key);
      let row = state.rows.get(key);
      if (!row) {
        row = newRow(pool, s.name);
        state.rows.set(key, row);
      }
      if (tbody.children[i] !== row.tr) {
        tbody.insertBefore(row.tr, tbody.children[i] || null);
      }
      const c = row.cells;
      c.address.textContent = s.address;
      const badge = c.state.firstChild || c.state.appendChild(el('span'));
      // an ejection (passive checks) shows over the state it leaves untouched
      badge.className = 'badge ' + (s.ejected ? 'EJECTED' : s.state);
      badge.textContent = s.ejected ? 'EJECTED' : s.state;
      badge.title = s.ejected ? s.ejected.reason + '; back at ' + new Date(s.ejected.until).toLocaleTimeString() : '';
      // a drain says what it still waits for, and when it is done (as GET .../drain does)
      let progress = c.state.querySelector('.progress');
      if (s.state === 'DRAINING') {
        if (!progress) {
          progress = c.state.appendChild(el('span', 'progress'));
        }
        const left = [[s.sessions, 'session'], [s.inFlight, 'in flight'], [s.tunnels, 'tunnel']]
          .filter(([n]) => n > 0)
          .map(([n, what]) => n + ' ' + (what === 'in flight' || n === 1 ? what : what + 's'));
        progress.classList.toggle('done', left.length === 0);
        progress.textContent = left.length === 0 ? 'drain done' : 'waiting: ' + left.join(', ');
      } else if (progress) {
        progress.remove();
      }
      // what the application asked for in its health responses (agent headers), when it asked anything
      const a = s.agent;
      const asked = a && ((a.state && a.state !== 'ready') || a.weight)
        ? 'agent: ' + [a.state && a.state !== 'ready' ? a.state : null, a.weight ? 'weight ' + a.weight : null]
          .filter(Boolean).join(', ') + (a.setAside ? ' (set aside by an operator)' : '')
        : null;
      let agent = c.state.querySelector('.agent');
      if (asked) {
        if (!agent) {
          agent = c.state.appendChild(el('span', 'agent'));
        }
        agent.textContent = asked;
        agent.title = a.ignored ? 'ignored: ' + a.ignored : '';
      } else if (agent) {
        agent.remove();
      }
      const health = c.health.firstChild || c.health.appendChild(el('span'));
      health.className = 'health ' + (s.healthy === true ? 'pass' : s.healthy === false ? 'fail' : 'none');
      health.textContent = s.healthy === true ? 'passing' : s.healthy === false ? 'failing' : 'not checked';
      c.weight.textContent = num(s.weight, 0);
      c.inFlight.textContent = num(s.inFlight, 0);
      c.rps.textContent = num(sample.rps[s.name], 1);
      c.live.textContent = sample.live[s.name] === null ? 'no analytics' : num(sample.live[s.name], 0);
      c.live.classList.toggle('na', sample.live[s.name] === null);
      const b = row.buttons;
      if (!b.drain.classList.contains('busy')) {
        b.drain.disabled = s.state === 'DRAINING';
        b.enable.disabled = s.state === 'UP';
        b.disable.disabled = s.state === 'DISABLED';
      }
      const inst = instances.get(s.name);
      b.sep.hidden = b.kill.hidden = b.start.hidden = !inst;
      if (inst) {
        b.kill.disabled = !inst.running;
        b.start.disabled = inst.running;
      }
    });
    for (const [key, row] of state.rows) {
      if (!seen.has(key)) {
        row.tr.remove();
        if (!key.startsWith(pool + '/')) {
          continue;
        }
        state.rows.delete(key);
      }
    }
  }

  function renderAlerts(alerts) {
    const list = $('alerts');
    if (alerts === null) {
      list.replaceChildren(el('li', 'na', 'No analytics: this balancer does not serve /api/alerts.'));
      $('alerts-meta').textContent = '';
      return;
    }
    const active = alerts.alerts || [];
    $('alerts-meta').textContent = active.length + (active.length === 1 ? ' active' : ' active');
    if (active.length === 0) {
      list.replaceChildren(el('li', 'ok', 'No active alerts.'));
      return;
    }
    list.replaceChildren(...active.map((a) => {
      const li = el('li');
      const head = el('div');
      head.append(el('span', 'rule', a.name || a.rule), document.createTextNode(
        ' · ' + [a.pool, a.server].filter(Boolean).join('/')));
      li.append(head, el('div', null, a.message || ''),
        el('div', 'since', 'since ' + (a.since ? clock(new Date(a.since)) : '?')
          + ' · value ' + num(a.value, 2) + ' / threshold ' + num(a.threshold, 2)));
      return li;
    }));
  }

  // ---- charts -------------------------------------------------------------------------------

  function renderCharts(pool) {
    const h = state.history.get(pool) || [];
    const names = Array.from(new Set(h.flatMap((s) => Object.keys(s.rps))));
    const per = (field) => names.map((n) => ({
      name: n, color: color(n), values: h.map((s) => [s.t, s[field][n] === undefined ? null : s[field][n]]),
    }));
    const axis = charts.timeAxis(h.length ? h[0].t : null, Date.now(), HISTORY_MS);
    charts.lineChart($('chart-rps'), axis, per('rps'), 'waiting for a second sample…', 1);
    charts.lineChart($('chart-spread'), axis, per('live'), 'no analytics (no affinity sessions in this pool)', 0);
    charts.lineChart($('chart-births'), axis, [{ name: 'births/s', color: '#1f4fd1', values: h.map((s) => [s.t, s.births]) }],
      'no analytics', 2);
    charts.lineChart($('chart-lifespan'), axis, ['p50', 'p90', 'p99'].map((p, i) => ({
      name: p, color: ['#2b8a3e', '#f59f00', '#e03131'][i], values: h.map((s) => [s.t, s.life ? s.life[p] : null]),
    })), 'no analytics', 1);
  }

  // ---- actions and the event log ------------------------------------------------------------

  async function act(btn, what, path) {
    btn.disabled = true;
    btn.classList.add('busy');
    try {
      const r = await api('POST', path);
      logEvent(what, true, r && r.state ? '→ ' + r.state : (r && 'running' in r ? (r.running ? 'running' : 'stopped') : 'done'));
    } catch (e) {
      if (e instanceof Unauthorized) {
        logEvent(what, false, 'the token was refused');
        showLogin();
        return;
      }
      logEvent(what, false, e.message);
    } finally {
      btn.classList.remove('busy');
      btn.disabled = false;
    }
    kick();
  }

  function logEvent(what, ok, detail) {
    const list = $('events');
    if (state.events === 0) {
      list.replaceChildren();
    }
    state.events++;
    const li = el('li');
    const body = el('span');
    body.append(el('span', ok ? 'ok' : 'err', ok ? 'ok' : 'failed'), document.createTextNode(' ' + what + ' ' + detail));
    li.append(el('span', 'time', clock(new Date())), body);
    list.prepend(li);
  }

  // ---- token prompt and page state ----------------------------------------------------------

  function showLogin() {
    clearTimeout(state.timer);
    $('main').hidden = true;
    $('login').hidden = false;
    $('sign-out').hidden = true;
    $('pool-picker').hidden = true;
    const err = $('login-error');
    err.hidden = !state.tokenSubmitted;
    err.textContent = 'That token was refused; try again.';
    setLive(false, 'token required');
    $('token').focus();
  }

  function showMain() {
    $('login').hidden = true;
    $('main').hidden = false;
    $('pool-picker').hidden = false;
    $('sign-out').hidden = !state.token;
  }

  function setLive(ok, text) {
    const live = $('live');
    live.classList.toggle('ok', ok);
    live.classList.toggle('stale', !ok);
    $('live-text').textContent = text;
  }

  function init() {
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = $('token').value.trim();
      if (!t) {
        return;
      }
      state.token = t;
      state.tokenSubmitted = true;
      sessionStorage.setItem(TOKEN_KEY, t);
      $('token').value = '';
      kick();
    });
    $('sign-out').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
      state.tokenSubmitted = false;
      showLogin();
    });
    $('pool').addEventListener('change', (e) => {
      state.pool = e.target.value;
      history.replaceState(null, '', '#pool=' + enc(state.pool));
      document.querySelector('#servers tbody').replaceChildren();
      kick();
    });
    window.addEventListener('resize', () => state.pool && renderCharts(state.pool));
    kick();
  }

  init();
})();
