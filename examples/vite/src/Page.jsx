import { Clock } from './Clock.jsx';

/** The page: a cached clock (with a client component inside) and the time of this render. */
export function Page() {
  const renderedAt = new Date().toISOString();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>babel-plugin-use-cache on Vite</title>
      </head>
      <body>
        <h1>babel-plugin-use-cache on Vite</h1>
        <Clock />
        <p>
          This render: <time data-testid="render-time">{renderedAt}</time>
        </p>
      </body>
    </html>
  );
}
