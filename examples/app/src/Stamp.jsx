// A labelled timestamp. `data-at` keeps the full ISO time for tests; the text shows the clock part.
export function Stamp({ label, at, testId }) {
  return (
    <p className="stamp">
      <span className="label">{label}</span>
      <time data-testid={testId} dateTime={at} data-at={at}>
        {at.slice(11, 23)}
      </time>
    </p>
  );
}
