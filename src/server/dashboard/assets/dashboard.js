// The dashboard page: renders each snapshot from /dashboard/events (server-sent events). Values are
// set with textContent only (incident summaries come from the exchange and operators, never as HTML).
(() => {
  const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const CHART_HEIGHT = 200;

  function setText(id, text, tone) {
    const element = byId(id);
    if (element === null) return;
    element.textContent = text;
    if (tone === undefined) delete element.dataset.tone;
    else element.dataset.tone = tone;
  }

  /** "12345.6" → "12,345.6" on the string (money arrives as exact decimal strings). */
  function grouped(decimal) {
    if (decimal === null || decimal === undefined) return '—';
    const [whole, fraction] = decimal.split('.');
    const negative = whole.startsWith('-');
    const digits = (negative ? whole.slice(1) : whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${negative ? '−' : ''}${digits}${fraction === undefined ? '' : `.${fraction}`}`;
  }

  const signTone = (decimal) =>
    decimal === null || /^-?0(\.0+)?$/.test(decimal) ? undefined : decimal.startsWith('-') ? 'crit' : 'ok';

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return `${seconds.toFixed(1)} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${Math.floor(seconds % 60)} s`;
    const hours = Math.floor(seconds / 3600);
    return hours < 48
      ? `${hours} h ${Math.floor((seconds % 3600) / 60)} m`
      : `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  /** UTC, like the trading log and the playbook's daily boundary. */
  function utc(ms, now) {
    if (ms === null || ms === undefined) return '—';
    const iso = new Date(ms).toISOString();
    const sameDay = now !== undefined && iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 19)} UTC`;
  }

  function cell(text, className, tone) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    if (tone) td.dataset.tone = tone;
    return td;
  }

  function tag(text, tone) {
    const span = document.createElement('span');
    span.className = 'tag';
    span.textContent = text;
    if (tone) span.dataset.tone = tone;
    return span;
  }

  function fillRows(id, items, columns, rowFor, emptyText) {
    const body = byId(id);
    const rows = items.map(rowFor);
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell(emptyText, 'empty');
      td.colSpan = columns;
      tr.append(td);
      rows.push(tr);
    }
    // Each cell carries its column's name: on a phone the table stacks into labelled cards.
    const labels = [...body.closest('table').querySelectorAll('thead th')].map((th) => th.textContent);
    for (const row of rows) {
      [...row.children].forEach((td, index) => {
        td.dataset.label = labels[index] ?? '';
      });
    }
    body.replaceChildren(...rows);
  }

  const STATE_TONE = { ACTIVE: 'ok', REDUCING: 'warn', HALTED: 'crit' };
  const HEALTH_TONE = { ok: 'ok', degraded: 'warn', halted: 'crit' };
  const SEVERITY_TONE = { INFO: 'info', WARN: 'warn', CRIT: 'crit' };
  const STATUS_TONE = { OPEN: 'crit', CONTAINED: 'warn', RESOLVED: 'ok' };

  function renderStatus(s) {
    setText('mode', s.mode === 'DRY_RUN' ? 'DRY RUN' : 'LIVE', s.mode === 'LIVE' ? 'info' : 'warn');
    // After a kill switch trip a LIVE engine keeps deciding on paper (DESIGN: LIVE → DRY_RUN).
    setText('mode-note', s.mode === 'LIVE' ? 'orders go to the exchange' : 'orders stay on paper');
    setText('trading-state', s.trading_state, STATE_TONE[s.trading_state]);
    setText('kill-switch', s.kill_switch, s.kill_switch === 'ARMED' ? 'ok' : 'crit');
    setText('health', s.running ? s.health : 'stopped', s.running ? HEALTH_TONE[s.health] : 'crit');
    setText('equity', grouped(s.equity));
    setText('uptime', duration(s.uptime_s));
    const gauge = byId('drawdown-gauge');
    if (s.drawdown === null) {
      setText('drawdown', '—');
      setText('drawdown-limit', 'no baseline yet');
      gauge.style.width = '0';
    } else {
      const used = s.drawdown.used_of_limit;
      const tone = s.drawdown.breached ? 'crit' : used >= 0.5 ? 'warn' : 'ok';
      setText('drawdown', `${s.drawdown.pct} %`, tone);
      setText('drawdown-limit', `limit ${s.drawdown.limit_pct} % · baseline ${grouped(s.drawdown.baseline)}`);
      gauge.style.width = `${Math.min(100, Math.max(0, used * 100)).toFixed(1)}%`;
      gauge.dataset.tone = tone;
    }
  }

  function renderConnectivity(s) {
    setText('rest-p95', s.latency === null || s.latency.rest.count === 0 ? '—' : `${s.latency.rest.p95_ms} ms`);
    setText('ws-p95', s.latency === null || s.latency.ws.count === 0 ? '—' : `${s.latency.ws.p95_ms} ms`);
    fillRows(
      'streams',
      s.streams,
      4,
      (stream) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'stream-row';
        tr.dataset.stream = stream.stream;
        const age = cell(duration(stream.receive_age_s), 'num', stream.stale ? 'crit' : undefined);
        age.dataset.testid = 'stream-age';
        age.dataset.seconds = String(stream.receive_age_s ?? '');
        tr.append(
          cell(stream.stream),
          cell(stream.state, undefined, stream.state === 'open' ? 'ok' : 'crit'),
          age,
          cell(String(stream.reconnects_today), 'num', stream.reconnects_today > 0 ? 'warn' : undefined),
        );
        return tr;
      },
      'no streams',
    );
    setText(
      'stream-note',
      `Receive age = time since the stream's last message (red from ${s.stale_warn_s} s). Reconnects are counted since 00:00 UTC.`,
    );
  }

  function renderPositions(s) {
    fillRows(
      'positions',
      s.positions,
      6,
      (position) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'position-row';
        tr.append(
          cell(position.symbol),
          cell(position.amount, 'num', position.amount.startsWith('-') ? 'crit' : 'ok'),
          cell(grouped(position.entry_price), 'num'),
          cell(grouped(position.mark_price), 'num'),
          cell(grouped(position.unrealized_pnl), 'num', signTone(position.unrealized_pnl)),
          cell(grouped(position.realized_pnl), 'num', signTone(position.realized_pnl)),
        );
        return tr;
      },
      'flat: no open positions',
    );
  }

  function renderOrders(s) {
    const stuck = s.orders.filter((order) => order.stuck).length;
    setText(
      'orders-note',
      `${s.orders.length} open · stuck from ${duration(s.max_order_age_s)}${stuck > 0 ? ` · ${stuck} STUCK` : ''}`,
      stuck > 0 ? 'crit' : undefined,
    );
    fillRows(
      'orders',
      s.orders,
      9,
      (order) => {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'order-row';
        tr.dataset.stuck = String(order.stuck);
        if (order.stuck) tr.className = 'stuck';
        const age = cell(duration(order.age_s), 'num');
        if (order.stuck) age.prepend(tag('STUCK', 'crit'), ' ');
        tr.append(
          cell(order.symbol),
          cell(order.side, undefined, order.side === 'BUY' ? 'ok' : 'crit'),
          cell(order.type),
          cell(order.quantity, 'num'),
          cell(grouped(order.price), 'num'),
          cell(order.executed_qty, 'num'),
          cell(order.state),
          age,
          cell(order.purpose),
        );
        return tr;
      },
      'no open orders',
    );
  }

  function renderIncidents(s) {
    const list = byId('incidents');
    const items = s.incidents.map((incident) => {
      const li = document.createElement('li');
      li.dataset.testid = 'incident-row';
      li.dataset.incidentId = incident.id;
      li.dataset.type = incident.type;
      const when = document.createElement('span');
      when.className = 'when';
      when.textContent = utc(incident.detected_at, s.at);
      const head = document.createElement('span');
      head.className = 'head';
      head.append(
        tag(incident.severity, SEVERITY_TONE[incident.severity]),
        `${incident.type}${incident.symbol === null ? '' : ` · ${incident.symbol}`}`,
        tag(incident.status, STATUS_TONE[incident.status]),
      );
      const summary = document.createElement('span');
      summary.className = 'summary';
      summary.textContent = incident.summary;
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.dataset.testid = 'incident-ack';
      const acks = incident.acknowledgements.map((ack) => `acknowledged by ${ack.by} at ${utc(ack.at, s.at)}`);
      const ack = document.createElement('span');
      ack.textContent = acks.length > 0 ? acks.join('; ') : 'not acknowledged';
      // An open incident nobody has acknowledged is still escalating (playbook §9).
      if (acks.length === 0 && incident.status !== 'RESOLVED') ack.dataset.tone = 'warn';
      const rest = [
        ...(incident.contained_at === null ? [] : [`contained ${utc(incident.contained_at, s.at)}`]),
        ...(incident.resolved_at === null ? [] : [`resolved ${utc(incident.resolved_at, s.at)}`]),
        ...(incident.last_action === null ? [] : [`last action: ${incident.last_action}`]),
      ];
      meta.append(`${incident.id} · `, ack, ...rest.map((part) => ` · ${part}`));
      li.append(when, head, summary, meta);
      return li;
    });
    if (items.length === 0) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = 'no incidents';
      items.push(li);
    }
    list.replaceChildren(...items);
  }

  // Charts (uPlot from the npm package, served by the engine). One plot per container, resized with it.
  const plots = {};
  const AXIS = { stroke: '#8b95a3', grid: { stroke: '#262d37', width: 1 }, ticks: { stroke: '#262d37', width: 1 } };
  const hhmm = (seconds) => new Date(seconds * 1000).toISOString().slice(11, 16);
  const hhmmss = (seconds) => new Date(seconds * 1000).toISOString().slice(11, 19);
  // The trading day is a UTC day (playbook §5), so the time axis and the legend are in UTC.
  const TIME_AXIS = {
    ...AXIS,
    values: (_plot, splits, _axis, _space, increment) =>
      splits.map((split) => (increment < 60 ? hhmmss(split) : hhmm(split))),
  };
  const TIME_SERIES = { label: 'UTC', value: (_plot, seconds) => (seconds === null ? '—' : hhmmss(seconds)) };

  function chart(id, series, data, yLabelSize, yRange) {
    const element = byId(id);
    const points = data[0].length;
    element.dataset.points = String(points);
    if (typeof uPlot === 'undefined') return;
    if (plots[id] === undefined) {
      if (points === 0) {
        if (element.childElementCount === 0) {
          const empty = document.createElement('div');
          empty.className = 'empty';
          empty.textContent = 'waiting for the first sample…';
          element.append(empty);
        }
        return;
      }
      element.replaceChildren();
      plots[id] = new uPlot(
        {
          width: Math.max(200, element.clientWidth),
          height: CHART_HEIGHT,
          legend: { show: true },
          // Room on the right for the last time label, which uPlot centres on the edge.
          padding: [12, 28, 0, 0],
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, ...(yRange === undefined ? {} : { y: { range: yRange } }) },
          axes: [TIME_AXIS, { ...AXIS, size: yLabelSize }],
          series: [TIME_SERIES, ...series],
        },
        data,
        element,
      );
      new ResizeObserver(() =>
        plots[id].setSize({ width: Math.max(200, element.clientWidth), height: CHART_HEIGHT }),
      ).observe(element);
    } else {
      plots[id].setData(data);
    }
  }

  function renderCharts(s) {
    const { t, equity, drawdown_pct } = s.history;
    chart(
      'equity-chart',
      [{ label: 'Equity', stroke: '#58a6ff', width: 2, fill: 'rgba(88,166,255,0.08)' }],
      [t, equity],
      72,
    );
    const limit = s.drawdown === null ? null : Number(s.drawdown.limit_pct);
    chart(
      'drawdown-chart',
      [
        { label: 'Drawdown %', stroke: '#d29922', width: 2, fill: 'rgba(210,153,34,0.10)' },
        { label: 'Limit %', stroke: '#f85149', width: 1.5, dash: [6, 4] },
      ],
      [t, drawdown_pct, t.map(() => limit)],
      56,
      // From zero, so the distance to the limit reads true at a glance.
      (_plot, _min, max) => [0, Math.max(max ?? 0, 0.1) * 1.15],
    );
  }

  function render(snapshot) {
    renderStatus(snapshot);
    renderConnectivity(snapshot);
    renderPositions(snapshot);
    renderOrders(snapshot);
    renderIncidents(snapshot);
    renderCharts(snapshot);
    setText('updated-at', utc(snapshot.at, snapshot.at));
  }

  function connection(state, text) {
    const element = byId('connection');
    element.dataset.state = state;
    setText('connection-text', text);
    document.body.dataset.stale = String(state === 'disconnected');
  }

  // EventSource reconnects by itself (the server sends `retry: 2000`); the indicator shows the gap.
  const events = new EventSource('/dashboard/events');
  events.onmessage = (message) => {
    let snapshot;
    try {
      snapshot = JSON.parse(message.data);
    } catch {
      return;
    }
    render(snapshot);
    connection('live', 'live');
  };
  events.onerror = () => connection('disconnected', 'stream disconnected — retrying');
})();
