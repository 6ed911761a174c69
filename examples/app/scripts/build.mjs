// Builds the example app with webpack's Node API: dist/client (browser) then dist/server (RSC).
import webpack from 'webpack';
import { createConfigs, distDir } from '../webpack/config.mjs';

export async function buildApp() {
  const compiler = webpack(createConfigs());
  const stats = await new Promise((resolve, reject) => {
    compiler.run((error, result) => (error ? reject(error) : resolve(result)));
  });
  await new Promise((resolve) => compiler.close(resolve));
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  for (const warning of info.warnings ?? []) console.warn(`webpack warning: ${warning.message}`);
  if (stats.hasErrors()) {
    const messages = (info.errors ?? []).map((e) => e.message).join('\n\n');
    throw new Error(`The example app failed to build:\n${messages}`);
  }
  return { distDir };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  await buildApp();
  console.log(`Built ${distDir} in ${Date.now() - started} ms`);
}
