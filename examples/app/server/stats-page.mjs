// GET /stats: what cacheStats() says about the cached functions of this server, as an HTML table
// (or as JSON for `Accept: application/json`, e.g. a metrics scraper).

const COLUMNS = ['hits', 'stale', 'misses', 'fills', 'joins', 'errors', 'bytesStored'];

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const row = (label, counts, testId) =>
  `<tr data-testid="${testId}"><th>${label}</th>${COLUMNS.map((c) => `<td data-column="${c}">${counts[c]}</td>`).join('')}</tr>`;

/** @param {{ total: object, functions: object[] }} stats what cacheStats() returned */
export function statsPage(stats, accept = '') {
  if (accept.includes('application/json')) {
    return { type: 'application/json', body: JSON.stringify(stats) };
  }
  const rows = stats.functions.map((f) =>
    row(`${escape(f.name)} <small>(${escape(f.kind)})</small>`, f, `stats-${escape(f.name)}`),
  );
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cache stats</title>
<style>
  body { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f6fa; margin: 24px; }
  table { border-collapse: collapse; background: #fff; }
  th, td { border: 1px solid #dde2ec; padding: 6px 10px; text-align: right; }
  th:first-child { text-align: left; }
  small { color: #4a5468; }
</style></head>
<body>
<h1>Cache stats</h1>
<p>Counts since the server started, from <code>cacheStats()</code>. <a href="/">Back to the app</a></p>
<table>
<thead><tr><th>function</th>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
${row('total', stats.total, 'stats-total')}
</tbody>
</table>
</body>
</html>
`;
  return { type: 'text/html; charset=utf-8', body };
}
