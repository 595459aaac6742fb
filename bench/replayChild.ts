/**
 * Runs the CLI in this process and prints its peak RSS with the replay's
 * summary line (for bench/replayMemory.ts).
 */
import { main } from '../cli/main.ts';

let summary = '';
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => {
    summary += text;
  },
});
if (code !== 0) {
  process.stderr.write(summary);
  process.exit(code);
}
process.stdout.write(`${JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, summary: summary.trim() })}\n`);
