// Freightline pipeline view: vanilla JavaScript, no build. It draws the pipelines from the engine's /api/v1 API.
// The token lives in this tab's sessionStorage and travels only in the Authorization header, never in a URL.
// Live updates poll the API: EventSource cannot send an Authorization header, and tokens must not go in URLs.
(() => {
  'use strict';

  const TOKEN_KEY = 'freightline.token';
  const API = document.body.dataset.api || '/api/v1';
  const POLL_MS = Number(document.body.dataset.pollMs) || 3000;
  const ROLES = ['viewer', 'promoter', 'admin'];
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    who: null,
    projects: [],
    project: null,
    data: null,       // {stages, warehouses, freight, audit}
    fingerprint: '',
    timer: null,
    generation: 0,
    openPromotion: null, // the promotion whose steps are shown
  };

  // ---------------------------------------------------------------- helpers

  /** Builds an element; strings become text nodes (never HTML), attributes starting with "on" become listeners. */
  function h(tag, attrs, ...children) {
    const el = tag === 'svg:path' ? document.createElementNS('http://www.w3.org/2000/svg', 'path') : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const chip = (text, kind, title) => h('span', { class: 'chip' + (kind ? ' ' + kind : ''), title }, text);

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    let res;
    try {
      res = await fetch(API + path, {
        method,
        headers: Object.assign({ Authorization: 'Bearer ' + state.token, Accept: 'application/json' },
          body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        body: body !== undefined ? JSON.stringify(body) : undefined,
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      throw new ApiError(0, 'cannot reach the engine');
    }
    let json = null;
    const text = await res.text();
    if (text) {
      try { json = JSON.parse(text); } catch (e) { json = null; }
    }
    if (res.status === 401) {
      signOut('The engine did not accept this token (401). Enter a valid token.');
      throw new ApiError(401, 'not signed in');
    }
    if (!res.ok) {
      const problems = json && Array.isArray(json.problems)
        ? '; ' + json.problems.map((p) => [p.file, p.document, p.field, p.reason].filter(Boolean).join(' ')).join('; ') : '';
      throw new ApiError(res.status, ((json && json.error) || res.statusText || 'request failed') + problems);
    }
    return json;
  }

  function ago(iso) {
    if (!iso) return '';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ago';
    return Math.floor(s / 86400) + 'd ago';
  }

  function duration(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return v >= 3600 ? (v / 3600) + 'h' : v >= 60 ? (v / 60) + 'm' : v + 's';
    return String(v).replace(/^PT/, '').toLowerCase();
  }

  /** One artifact as repo:tag (images), name@version (charts) or repo@sha (git). */
  function artifact(a) {
    if (!a) return '';
    const version = a.tag || (a.commit ? a.commit.slice(0, 7) : '') || (a.digest ? a.digest.slice(0, 19) : '');
    return (a.repoURL || '') + (a.name ? '/' + a.name : '') + (version ? ':' + version : '');
  }

  function toast(message, error) {
    const t = h('div', { class: 'toast' + (error ? ' error' : ''), role: error ? 'alert' : 'status' }, message);
    $('toasts').append(t);
    setTimeout(() => t.remove(), error ? 9000 : 5000);
  }

  const roleIn = (project) => (state.who && state.who.projects && state.who.projects[project]) || null;
  const can = (role) => ROLES.indexOf(roleIn(state.project)) >= ROLES.indexOf(role);

  // ---------------------------------------------------------------- sign-in

  function showSignIn(message) {
    $('app').hidden = true;
    $('signin').hidden = false;
    $('sign-out').hidden = true;
    $('whoami').textContent = '';
    $('projects').replaceChildren();
    $('signin-error').textContent = message || '';
    setLive('off', 'signed out');
    $('token').focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.who = null;
    state.data = null;
    state.fingerprint = '';
    clearTimeout(state.timer);
    showSignIn(message);
  }

  async function signIn(token) {
    state.token = token;
    try {
      state.who = await api('GET', '/whoami');
    } catch (e) {
      if (e.status !== 401) showSignIn('Cannot sign in: ' + e.message);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    $('signin').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
    $('whoami').textContent = state.who.subject;
    $('whoami').title = 'the token\'s identity in the audit trail (not the token)';
    try {
      state.projects = await api('GET', '/projects');
    } catch (e) {
      toast('Cannot list projects: ' + e.message, true);
      state.projects = [];
    }
    selectProject();
  }

  function selectProject() {
    const wanted = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
    const names = state.projects.map((p) => p.name);
    state.project = names.includes(wanted) ? wanted : (names[0] || null);
    $('projects').replaceChildren(...names.map((n) => h('a', {
      href: '#/' + encodeURIComponent(n), class: n === state.project ? 'active' : null, 'data-project': n,
    }, n)));
    $('project-title').textContent = state.project ? 'Project ' + state.project : 'No projects';
    $('role').textContent = state.project ? (roleIn(state.project) || 'no role') : '';
    state.data = null;
    state.fingerprint = '';
    if (!state.project) {
      $('columns').replaceChildren(h('p', { class: 'muted' }, 'This token may not view any project yet.'));
      $('edges').replaceChildren();
      $('freight').replaceChildren();
      $('audit').replaceChildren();
      return;
    }
    refresh();
  }

  // ---------------------------------------------------------------- polling

  function setLive(kind, text) {
    const el = $('live');
    el.className = 'live ' + kind;
    el.textContent = text;
  }

  async function refresh() {
    clearTimeout(state.timer);
    const project = state.project;
    const generation = ++state.generation;
    if (!state.token || !project) return;
    const p = '/projects/' + encodeURIComponent(project);
    try {
      const [stages, warehouses, freight, audit] = await Promise.all([
        api('GET', p + '/stages'), api('GET', p + '/warehouses'),
        api('GET', p + '/freight?limit=50'), api('GET', p + '/audit?limit=12'),
      ]);
      if (generation !== state.generation) return; // a newer refresh started meanwhile
      const data = { stages, warehouses, freight, audit: audit.entries || [] };
      const fingerprint = JSON.stringify(data);
      if (fingerprint !== state.fingerprint) {
        state.data = data;
        state.fingerprint = fingerprint;
        render();
      } else {
        refreshTimes();
      }
      setLive('on', 'live');
      $('live').title = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      if (e.status === 401) return;
      setLive('off', e.status === 403 ? 'forbidden' : 'offline');
      if (e.status === 403 || e.status === 404) {
        $('columns').replaceChildren(h('p', { class: 'error' }, e.message));
      }
    }
    if (generation === state.generation && state.token) {
      state.timer = setTimeout(refresh, document.hidden ? POLL_MS * 5 : POLL_MS);
    }
  }

  // relative times age between polls even when nothing else changed
  function refreshTimes() {
    document.querySelectorAll('.when[title]').forEach((el) => {
      if (el.dataset.iso) el.textContent = ago(el.dataset.iso);
    });
  }

  // ---------------------------------------------------------------- rendering

  function render() {
    const { stages, warehouses, freight, audit } = state.data;
    renderGraph(stages, warehouses);
    renderFreight(warehouses, freight, stages);
    renderAudit(audit);
  }

  /** Columns by depth: warehouses first, then each stage one column right of its furthest upstream source. */
  function layout(stages, warehouses) {
    const depth = {};
    warehouses.forEach((w) => { depth['w:' + w.name] = 0; });
    const edges = [];
    for (const s of stages) {
      for (const r of s.requestedFreight || []) {
        if (r.direct) edges.push(['w:' + r.warehouse, 's:' + s.name]);
        for (const up of r.stages || []) edges.push(['s:' + up, 's:' + s.name]);
      }
    }
    stages.forEach((s) => { depth['s:' + s.name] = 1; });
    for (let i = 0; i < stages.length + 1; i++) { // longest path; bounded in case of a cycle
      let changed = false;
      for (const [from, to] of edges) {
        if (depth[from] !== undefined && depth[to] < depth[from] + 1) {
          depth[to] = depth[from] + 1;
          changed = true;
        }
      }
      if (!changed) break;
    }
    return { depth, edges };
  }

  function renderGraph(stages, warehouses) {
    const { depth, edges } = layout(stages, warehouses);
    const columns = [];
    const put = (key, node) => {
      const d = depth[key] || 0;
      (columns[d] = columns[d] || []).push(node);
    };
    warehouses.forEach((w) => put('w:' + w.name, warehouseNode(w)));
    stages.forEach((s) => put('s:' + s.name, stageNode(s)));
    $('columns').replaceChildren(...columns.filter(Boolean).map((nodes) => h('div', { class: 'column' }, nodes)));
    state.edges = edges.map(([from, to]) => ({
      from, to, live: stages.some((s) => 's:' + s.name === to && s.running),
    }));
    drawEdges();
  }

  function drawEdges() {
    const svg = $('edges');
    const graph = $('graph');
    const columns = $('columns');
    const box = graph.getBoundingClientRect();
    // as large as the cards, not the scroll area: sizing it from the scroll area would keep it scrollable
    svg.setAttribute('width', columns.offsetLeft + columns.scrollWidth);
    svg.setAttribute('height', columns.offsetTop + columns.offsetHeight);
    const paths = [];
    for (const e of state.edges || []) {
      const a = graph.querySelector('[data-node="' + CSS.escape(e.from) + '"]');
      const b = graph.querySelector('[data-node="' + CSS.escape(e.to) + '"]');
      if (!a || !b) continue;
      const ra = a.getBoundingClientRect();
      const rb = b.getBoundingClientRect();
      const x1 = ra.right - box.left + graph.scrollLeft;
      const y1 = ra.top + ra.height / 2 - box.top + graph.scrollTop;
      const x2 = rb.left - box.left + graph.scrollLeft;
      const y2 = rb.top + rb.height / 2 - box.top + graph.scrollTop;
      const mid = (x2 - x1) / 2;
      paths.push(h('svg:path', {
        d: `M${x1},${y1} C${x1 + mid},${y1} ${x2 - mid},${y2} ${x2},${y2}`,
        class: e.live ? 'live' : null, 'data-edge': e.from + '->' + e.to,
      }));
    }
    svg.replaceChildren(...paths);
  }

  function warehouseNode(w) {
    const subs = (w.subscriptions || []).map((s) => h('div', { class: 'artifacts' },
      (s.kind ? s.kind.toLowerCase() + ' ' : '') + (s.repoURL || '') + (s.chartName ? '/' + s.chartName : '')
      + (s.constraint ? ' ' + s.constraint : '')));
    return h('div', { class: 'node warehouse', 'data-node': 'w:' + w.name, 'data-warehouse': w.name },
      h('div', { class: 'title' }, h('span', { class: 'name' }, w.name), h('span', { class: 'kind' }, 'warehouse')),
      subs,
      h('div', { class: 'small muted' }, w.freightCount + ' freight · generation ' + w.generation),
      can('admin') ? h('div', { class: 'buttons' },
        h('button', { class: 'secondary', 'data-action': 'refresh', 'data-warehouse': w.name, onclick: () => refreshWarehouse(w) }, 'Refresh')) : null);
  }

  function verification(s) {
    const current = (s.currentFreight || []).filter(Boolean).map((f) => f.id);
    const verified = (s.lastVerifiedFreight || []).filter(Boolean).map((f) => f.id);
    if (s.running && ['Committed', 'Syncing'].includes(s.running.state)) return chip('verifying', 'info');
    if (current.length && current.every((id) => verified.includes(id))) return chip('verified', 'ok');
    const last = (s.recentPromotions || [])[0];
    if (last && last.state === 'Failed') return chip('failed', 'bad', last.message || '');
    return current.length ? chip('not verified') : null;
  }

  function healthChip(health) {
    const kind = { Healthy: 'ok', Progressing: 'info', Unhealthy: 'bad' }[health];
    return chip(health || 'Unknown', kind, 'health');
  }

  const stateKind = (st) => ({ Succeeded: 'ok', Failed: 'bad', Aborted: 'warn', Superseded: '', Pending: '', Running: 'info', Committed: 'info', Syncing: 'info' }[st] || '');

  function stageNode(s) {
    const current = (s.currentFreight || []).filter(Boolean);
    const policy = s.policy || {};
    const badges = [];
    badges.push(policy.autoPromotion ? chip('auto-promotion', 'ok') : chip('manual promotion'));
    if (policy.approvalRequired) badges.push(chip('approval required', 'info'));
    for (const r of s.requestedFreight || []) {
      if (r.requiredSoakTime) badges.push(chip('soak ' + duration(r.requiredSoakTime), '', 'required soak time upstream'));
      if ((r.stages || []).length > 1) badges.push(chip((r.availability || 'All') + ' of ' + r.stages.join(', ')));
    }
    if ((policy.promotionWindows || []).length) badges.push(chip(policy.promotionWindows.length + ' window(s)', '', 'promotion windows'));
    if (s.paused) badges.push(chip('paused', 'warn'));
    if (s.hold) badges.push(chip('hold', 'warn', 'auto-promotion held by ' + (s.hold.actor || '?') + (s.hold.reason ? ': ' + s.hold.reason : '')));
    for (const [reason, since] of Object.entries(s.waitingSince || {})) {
      badges.push(chip('waiting for ' + reason + ' · ' + ago(since), 'warn', 'since ' + new Date(since).toLocaleString()));
    }

    const freight = current.length
      ? current.map((f) => h('div', {},
        h('div', { class: 'freight-line' }, h('span', { class: 'freight-alias', 'data-freight': f.id, title: f.id }, f.alias), verification(s)),
        h('div', { class: 'artifacts' }, (f.artifacts || []).map(artifact).join(', '))))
      : [h('div', { class: 'freight-line' }, h('span', { class: 'freight-alias none' }, 'no freight yet'))];

    const running = s.running ? h('div', { class: 'running', 'data-running': s.running.id },
      h('span', {}, 'Promoting ', h('b', {}, s.running.freightAlias || s.running.freight), ' · ', s.running.state),
      can('promoter') ? h('button', { class: 'danger', 'data-action': 'abort', onclick: () => abort(s.running) }, 'Abort') : null) : null;
    const queue = (s.queue || []).length ? h('div', { class: 'small muted' },
      'Queued: ', s.queue.map((p) => (p.freightAlias || p.freight) + ' (' + p.kind + ')').join(', ')) : null;

    const history = (s.recentPromotions || []).slice(0, 3).map((p) => h('li', { 'data-promotion': p.id,
      class: 'clickable', onclick: () => { state.openPromotion = state.openPromotion === p.id ? null : p.id; render(); },
      title: p.kind + ' promotion ' + p.id + ' by ' + (p.requestedBy || '?') + (p.message ? ' — ' + p.message : '') },
      h('span', { class: 'what' }, (p.freightAlias || p.freight) + ' ', chip(p.state, stateKind(p.state)),
        (p.kind || '').includes('rollback') ? ' ' : null, (p.kind || '').includes('rollback') ? chip(p.kind, 'warn') : null),
      h('span', { class: 'when', title: p.updatedAt, 'data-iso': p.updatedAt }, ago(p.updatedAt))));

    const buttons = [];
    if (can('promoter')) {
      buttons.push(h('button', { 'data-action': 'promote', 'data-stage': s.name, onclick: () => openPromote(s) }, 'Promote…'));
      if ((s.lastVerifiedFreight || []).length || (s.recentPromotions || []).length) {
        buttons.push(h('button', { class: 'secondary', 'data-action': 'rollback', 'data-stage': s.name, onclick: () => rollback(s) }, 'Rollback'));
      }
      if (s.hold) buttons.push(h('button', { class: 'secondary', 'data-action': 'clear-hold', 'data-stage': s.name, onclick: () => command(s.name, 'clear-hold', 'Hold cleared') }, 'Clear hold'));
    }
    if (can('admin')) {
      buttons.push(s.paused
        ? h('button', { class: 'secondary', 'data-action': 'resume', 'data-stage': s.name, onclick: () => command(s.name, 'resume', 'Resumed ' + s.name) }, 'Resume')
        : h('button', { class: 'secondary', 'data-action': 'pause', 'data-stage': s.name, onclick: () => pause(s) }, 'Pause'));
    }

    return h('div', { class: 'node stage' + (s.paused ? ' paused' : ''), 'data-node': 's:' + s.name, 'data-stage': s.name },
      h('div', { class: 'title' }, h('span', { class: 'name' }, s.name), healthChip(s.health)),
      freight,
      h('div', { class: 'badges' }, badges),
      running, queue,
      history.length ? h('ul', { class: 'history' }, history) : h('div', { class: 'small muted' }, 'no promotions yet'),
      promotionDetails([s.running].concat(s.recentPromotions || []).find((p) => p && p.id === state.openPromotion)),
      buttons.length ? h('div', { class: 'buttons' }, buttons) : null);
  }

  /** One promotion's steps, from every service that ran one: alias, what it uses, status, duration, error. */
  function promotionDetails(p) {
    if (!p) return null;
    const stepKind = (st) => ({ Succeeded: 'ok', SUCCEEDED: 'ok', Failed: 'bad', FAILED: 'bad', Errored: 'bad', Running: 'info' }[st] || '');
    const duration = (ms) => (typeof ms !== 'number' ? '' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s');
    const steps = (p.steps || []).map((st) => h('li', { 'data-step': st.as || st.uses },
      h('span', { class: 'what' }, (st.as || st.uses) + ' ', h('span', { class: 'muted' }, st.uses), ' ', chip(st.status, stepKind(st.status))),
      h('span', { class: 'when' }, duration(st.durationMillis)),
      st.message ? h('div', { class: 'small muted step-message' }, st.message) : null));
    return h('div', { class: 'promotion-details', 'data-details': p.id },
      h('div', { class: 'small' }, 'Promotion ', h('b', {}, p.id), p.message ? ' — ' + p.message : ''),
      steps.length ? h('ul', { class: 'history steps' }, steps) : h('div', { class: 'small muted' }, 'no step results yet'));
  }

  function renderFreight(warehouses, freight, stages) {
    const blocks = warehouses.map((w) => {
      const mine = freight.filter((f) => f.warehouse === w.name);
      const targets = stages.filter((s) => (s.requestedFreight || []).some((r) => r.warehouse === w.name)).map((s) => s.name);
      const rows = mine.map((f) => {
        const approved = Object.keys(f.approvedFor || {});
        const open = targets.filter((t) => !approved.includes(t));
        let action = null;
        if (can('promoter') && open.length) {
          const select = h('select', { 'aria-label': 'stage to approve ' + f.alias + ' for', 'data-approve-stage': f.id },
            open.map((t) => h('option', { value: t }, t)));
          action = h('span', {}, select, ' ', h('button', { class: 'secondary', 'data-action': 'approve', 'data-freight': f.id,
            onclick: () => approve(f, select.value) }, 'Approve'));
        }
        return h('tr', { 'data-freight-row': f.id },
          h('td', {}, h('b', {}, f.alias), h('div', { class: 'small muted', title: f.id }, f.id.slice(0, 12))),
          h('td', { class: 'artifacts' }, (f.artifacts || []).map(artifact).join(', ')),
          h('td', {}, h('span', { class: 'when', title: f.createdAt, 'data-iso': f.createdAt }, ago(f.createdAt))),
          h('td', {}, (f.currentlyIn || []).map((s) => chip(s, 'info'))),
          h('td', {}, Object.entries(f.verifiedIn || {}).map(([s, at]) => chip(s, 'ok', 'verified ' + new Date(at).toLocaleString()))),
          h('td', {}, approved.map((s) => chip(s, '', 'approved by ' + f.approvedFor[s].actor))),
          h('td', { class: 'actions' }, action));
      });
      return h('div', { class: 'warehouse-block', 'data-warehouse-freight': w.name },
        h('header', {}, h('span', { class: 'name' }, w.name), h('span', { class: 'muted small' }, mine.length + ' shown of ' + w.freightCount)),
        mine.length ? h('table', {},
          h('thead', {}, h('tr', {}, ['Freight', 'Artifacts', 'Created', 'In', 'Verified in', 'Approved for', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, rows))
          : h('p', { class: 'muted small pad' }, 'No freight yet: push an artifact its subscriptions select.'));
    });
    $('freight').replaceChildren(...blocks);
  }

  function renderAudit(entries) {
    $('audit').replaceChildren(...(entries.length ? entries : []).map((e) => h('li', {},
      h('div', {}, h('span', { class: 'what' }, e.action), ' ', e.target || ''),
      h('div', { class: 'meta' }, h('span', { class: 'when', title: e.at, 'data-iso': e.at }, ago(e.at)), ' · ', e.actor || '',
        e.reason ? ' · ' + e.reason : ''))));
    if (!entries.length) $('audit').append(h('li', { class: 'muted' }, 'Nothing yet.'));
  }

  // ---------------------------------------------------------------- actions

  async function run(label, fn) {
    try {
      const r = await fn();
      toast(r && r.status === 'accepted' ? label + ' (queued; the engine has not applied it yet)' : label);
      return true;
    } catch (e) {
      if (e.status !== 401) toast((e.status ? e.status + ': ' : '') + e.message, true);
      return false;
    } finally {
      refresh();
    }
  }

  const stagePath = (stage, action) => '/projects/' + encodeURIComponent(state.project) + '/stages/' + encodeURIComponent(stage) + '/' + action;

  function command(stage, action, label, body) {
    return run(label, () => api('POST', stagePath(stage, action), body || {}));
  }

  function pause(s) {
    const reason = prompt('Pause ' + s.name + ': no promotions will start. Reason?', '');
    if (reason === null) return;
    command(s.name, 'pause', 'Paused ' + s.name, { reason: reason || null });
  }

  function rollback(s) {
    if (!confirm('Roll ' + s.name + ' back to its previously verified freight? This holds auto-promotion until newer freight is promoted by hand.')) return;
    run('Rollback of ' + s.name + ' queued', () => api('POST', stagePath(s.name, 'rollback'), {}));
  }

  function abort(p) {
    if (!confirm('Abort the promotion of ' + (p.freightAlias || p.freight) + ' to ' + p.stage + '?')) return;
    run('Aborted', () => api('POST', '/projects/' + encodeURIComponent(state.project) + '/promotions/' + encodeURIComponent(p.id) + '/abort', {}));
  }

  function approve(f, stage) {
    run('Approved ' + f.alias + ' for ' + stage, () => api('POST', '/projects/' + encodeURIComponent(state.project)
      + '/freight/' + encodeURIComponent(f.id) + '/approve', { stage }));
  }

  function refreshWarehouse(w) {
    run('Asked the watcher to re-read ' + w.name, () => api('POST', '/projects/' + encodeURIComponent(state.project)
      + '/warehouses/' + encodeURIComponent(w.name) + '/refresh', {}));
  }

  /** Whether the stage can take the freight now, as the engine decides it (the engine has the last word). */
  function availability(s, f) {
    if ((f.currentlyIn || []).includes(s.name)) return { ok: true, text: 'current', kind: 'info' };
    const r = (s.requestedFreight || []).find((x) => x.warehouse === f.warehouse);
    if (!r) return null;
    if (r.direct) return { ok: true, text: 'available', kind: 'ok' };
    const ups = r.stages || [];
    const verified = ups.filter((u) => (f.verifiedIn || {})[u]);
    const approved = (f.approvedFor || {})[s.name];
    const upstream = r.availability === 'OneOf' ? verified.length > 0 : ups.length > 0 && verified.length === ups.length;
    if (upstream && (!s.policy || !s.policy.approvalRequired || approved)) return { ok: true, text: 'verified in ' + verified.join(', '), kind: 'ok' };
    if (upstream) return { ok: false, text: 'needs approval', kind: 'warn' };
    if (approved && !(s.policy && s.policy.approvalRequired)) return { ok: true, text: 'approved', kind: 'ok' };
    return { ok: false, text: 'not verified in ' + ups.join(', '), kind: '' };
  }

  let promoteStage = null;

  function openPromote(s) {
    promoteStage = s;
    $('promote-stage').textContent = s.name;
    $('promote-error').textContent = '';
    $('promote-reason').value = '';
    const candidates = state.data.freight.map((f) => ({ f, a: availability(s, f) })).filter((c) => c.a);
    const preferred = candidates.find((c) => c.a.ok && c.a.text !== 'current') || candidates[0];
    $('promote-choices').replaceChildren(...(candidates.length ? candidates.map(({ f, a }) => {
      const radio = h('input', { type: 'radio', name: 'freight', value: f.id, 'data-alias': f.alias,
        checked: preferred && preferred.f.id === f.id });
      return h('label', { class: 'choice' + (a.ok ? '' : ' unavailable') },
        radio,
        h('div', {}, h('div', {}, h('span', { class: 'alias' }, f.alias), ' ', chip(a.text, a.kind)),
          h('div', { class: 'artifacts' }, (f.artifacts || []).map(artifact).join(', ')),
          h('div', { class: 'small muted' }, 'created ' + ago(f.createdAt))));
    }) : [h('p', { class: 'muted pad' }, 'No freight for this stage yet.')]));
    $('promote-submit').disabled = !candidates.length;
    $('promote-dialog').showModal();
  }

  async function submitPromote(ev) {
    ev.preventDefault();
    const chosen = document.querySelector('#promote-choices input[name=freight]:checked');
    if (!chosen || !promoteStage) return;
    const stage = promoteStage.name;
    const reason = $('promote-reason').value.trim();
    $('promote-submit').disabled = true;
    try {
      const r = await api('POST', stagePath(stage, 'promotions'), { freight: chosen.value, reason: reason || null });
      $('promote-dialog').close();
      const p = r && r.promotion;
      toast(p ? 'Promotion of ' + (p.freightAlias || chosen.dataset.alias) + ' to ' + stage + ': ' + p.state
        : 'Promotion to ' + stage + ' queued');
    } catch (e) {
      if (e.status !== 401) $('promote-error').textContent = (e.status ? e.status + ': ' : '') + e.message;
    } finally {
      $('promote-submit').disabled = false;
      refresh();
    }
  }

  // ---------------------------------------------------------------- wiring

  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    if (token) signIn(token);
  });
  $('sign-out').addEventListener('click', () => signOut(''));
  $('promote-form').addEventListener('submit', submitPromote);
  $('promote-cancel').addEventListener('click', () => $('promote-dialog').close());
  window.addEventListener('hashchange', () => { if (state.who) selectProject(); });
  window.addEventListener('resize', () => drawEdges());
  document.addEventListener('visibilitychange', () => { if (!document.hidden && state.who) refresh(); });

  if (state.token) signIn(state.token);
  else showSignIn('');
})();
