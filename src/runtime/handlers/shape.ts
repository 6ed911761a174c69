/** Whether `value` is an object with a function under each of `names` (a handler's shape). */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  return names.every((name) => typeof object[name] === 'function');
}
