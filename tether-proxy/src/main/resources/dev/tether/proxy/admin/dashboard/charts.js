// Line charts in plain SVG for the Tether dashboard: a time axis that grows from the first
// sample to the history kept, nice value ticks, one path per series, a legend. No dependencies;
// attributes only (the page's CSP allows no inline style).
'use strict';

window.TetherCharts = (() => {
  const SVG = 'http://www.w3.org/2000/svg';

  function num(v, digits) {
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, v);
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  // A tick step of 1, 2 or 5 times a power of ten that covers v in at most five steps.
  function niceStep(v) {
    if (!(v > 0)) {
      return 0.25;
    }
    const p = Math.pow(10, Math.floor(Math.log10(v / 5)));
    for (const m of [1, 2, 5, 10]) {
      if (m * p * 5 >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  // The time axis: from the first sample kept (at least 30 s ago) to now, at most `history` ms.
  function timeAxis(first, now, history) {
    const span = Math.min(history, Math.max(30000, first === null ? 0 : now - first));
    const tick = [10000, 15000, 30000, 60000].find((t) => span / t <= 6) || 60000;
    const label = (ago) => (ago === 0 ? 'now' : tick < 60000 ? '-' + ago / 1000 + 's' : '-' + ago / 60000 + 'm');
    return { span, tick, label };
  }

  // series: [{name, color, values: [[t, v|null]]}]
  function lineChart(target, axis, series, emptyText, digits) {
    const w = Math.max(200, Math.round(target.getBoundingClientRect().width));
    const h = 190;
    const left = 46;
    const right = 14;
    const top = 26;
    const bottom = 22;
    target.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    const now = Date.now();
    const t0 = now - axis.span;
    const x = (t) => left + (w - left - right) * (t - t0) / axis.span;
    const values = series.flatMap((s) => s.values.filter((p) => p[0] >= t0).map((p) => p[1])).filter((v) => v !== null);
    // A whole-number series (digits 0) never gets a fractional step: 0.2 would label as 0 0 0 1 1 1.
    const step = digits === 0 ? Math.max(1, niceStep(Math.max(0, ...values))) : niceStep(Math.max(0, ...values));
    const ticks = Math.max(1, Math.ceil(Math.max(0, ...values) / step));
    const max = step * ticks;
    const y = (v) => top + (h - top - bottom) * (1 - v / max);
    const parts = [];
    const decimals = step >= 1 ? 0 : Math.min(digits, Math.ceil(-Math.log10(step)));
    for (let i = 0; i <= ticks; i++) {
      const v = step * i;
      parts.push(svg('line', { class: 'grid', x1: left, x2: w - right, y1: y(v), y2: y(v) }));
      if (values.length > 0) {
        parts.push(svg('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, num(v, decimals)));
      }
    }
    for (let ago = Math.floor(axis.span / axis.tick) * axis.tick; ago >= 0; ago -= axis.tick) {
      parts.push(svg('text', { class: 'axis', x: x(now - ago), y: h - 6, 'text-anchor': ago === 0 ? 'end' : 'middle' },
        axis.label(ago)));
    }
    if (values.length === 0) {
      parts.push(svg('text', { class: 'empty', x: left + (w - left - right) / 2, y: top + (h - top - bottom) / 2, 'text-anchor': 'middle' }, emptyText));
      target.replaceChildren(...parts);
      return;
    }
    let lx = left;
    for (const s of series) {
      let d = '';
      let pen = false;
      let lastPoint = null;
      for (const [t, v] of s.values) {
        if (v === null || t < t0) {
          pen = false;
          continue;
        }
        lastPoint = [x(t), y(v)];
        d += (pen ? 'L' : 'M') + lastPoint[0].toFixed(1) + ' ' + lastPoint[1].toFixed(1);
        pen = true;
      }
      if (d) {
        parts.push(svg('path', { class: 'series', d, stroke: s.color }));
        parts.push(svg('circle', { class: 'marker', cx: lastPoint[0].toFixed(1), cy: lastPoint[1].toFixed(1), r: 3, fill: s.color }));
      }
      parts.push(svg('rect', { x: lx, y: 6, width: 10, height: 10, rx: 2, fill: s.color }));
      parts.push(svg('text', { class: 'legend', x: lx + 14, y: 15 }, s.name));
      lx += 24 + 7 * s.name.length;
    }
    target.replaceChildren(...parts);
  }

  return { timeAxis, lineChart };
})();
