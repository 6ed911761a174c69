// A server component with an inline Server Action. `guestbookKey` is a value only the server
// should know: the action captures it, so the plugin binds it to the action encrypted
// (`encryptBound`) and the action decrypts it when it runs. It never reaches the browser in clear.
import { addEntry, fingerprint, listEntries } from './guestbook-store.js';

const KEY_SUFFIX = 'd41c8e7b';

export function Guestbook({ city }) {
  const guestbookKey = `gbk_${city.toLowerCase()}_${KEY_SUFFIX}`;

  async function sign(formData) {
    'use server';
    const message = String(formData.get('message') ?? '').slice(0, 200);
    addEntry({ message, keyFingerprint: fingerprint(guestbookKey), at: new Date().toISOString() });
  }

  const entries = listEntries();
  return (
    <section className="guestbook">
      <h2>Guestbook for {city}</h2>
      <form action={sign} data-testid="guestbook-form">
        <input name="message" placeholder="Say hello" required data-testid="guestbook-input" />
        <button type="submit" data-testid="guestbook-submit">
          Sign (inline Server Action)
        </button>
      </form>
      <ul data-testid="guestbook-entries">
        {entries.map((entry, i) => (
          <li key={i} data-fingerprint={entry.keyFingerprint}>
            “{entry.message}” — filed with captured key #{entry.keyFingerprint}
          </li>
        ))}
      </ul>
    </section>
  );
}
