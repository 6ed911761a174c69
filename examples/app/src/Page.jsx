// The page: a server component tree rendered to a Flight payload on every request.
import { CachedShell, FreshTime, TaggedClock, UntaggedClock } from './clocks.jsx';
import { getForecast } from './forecast.js';
import { Guestbook } from './Guestbook.jsx';
import { RefreshButton } from './RefreshButton.jsx';

export function readQuery(searchParams) {
  const city = (searchParams.get('city') ?? 'Oslo').replace(/[^\p{L} -]/gu, '').slice(0, 40) || 'Oslo';
  const days = Math.min(7, Math.max(1, Number.parseInt(searchParams.get('days') ?? '3', 10) || 3));
  return { city, days };
}

export async function Page({ searchParams }) {
  const { city, days } = readQuery(searchParams);
  const forecast = await getForecast(city, days);
  return (
    <main>
      <h1>babel-plugin-use-cache example</h1>
      <p className="intro">
        React Server Components built by webpack with <code>babel-loader</code> and this plugin. Reload the page: cached
        parts keep their time, fresh parts change.
      </p>

      <section className="card">
        <h2>Cached components</h2>
        <TaggedClock />
        <UntaggedClock />
        <RefreshButton />
      </section>

      <section className="card">
        <h2>Cached shell, fresh children</h2>
        <CachedShell>
          <FreshTime />
        </CachedShell>
      </section>

      <section className="card" data-testid="forecast" data-computed-at={forecast.computedAt}>
        <h2>
          Cached data: getForecast({JSON.stringify(city)}, {days})
        </h2>
        <p className="stamp">
          <span className="label">computed at</span>
          <time dateTime={forecast.computedAt}>{forecast.computedAt.slice(11, 23)}</time>
        </p>
        <ol className="forecast">
          {forecast.days.map((d) => (
            <li key={d.day}>
              Day {d.day}: {d.condition}, {d.high}°C
            </li>
          ))}
        </ol>
        <p className="hint">
          Try <a href="?city=Bergen&amp;days=5">?city=Bergen&amp;days=5</a> or{' '}
          <a href="?city=Oslo&amp;days=3">?city=Oslo&amp;days=3</a>.
        </p>
      </section>

      <section className="card">
        <Guestbook city={city} />
      </section>
    </main>
  );
}
