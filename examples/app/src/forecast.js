// A cached data function whose arguments come from the URL (?city=…&days=…). Each distinct
// (city, days) pair is its own cache entry.
import { cacheLife, cacheTag } from 'babel-plugin-use-cache/runtime';

const CONDITIONS = ['sunny', 'cloudy', 'rain', 'snow', 'windy', 'fog'];

export async function getForecast(city, days) {
  'use cache';
  cacheLife('minutes');
  cacheTag(`forecast:${city}`);
  // Stands in for a slow upstream call.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const seed = [...city].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return {
    city,
    computedAt: new Date().toISOString(),
    days: Array.from({ length: days }, (_, i) => ({
      day: i + 1,
      condition: CONDITIONS[(seed + i * 7) % CONDITIONS.length],
      high: 5 + ((seed + i * 3) % 20),
    })),
  };
}
