// Prints vitest's JSON report as the one line CI reads: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const failedSuites = (report.testResults ?? []).filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + failedSuites} failed`);
