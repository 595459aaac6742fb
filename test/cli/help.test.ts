import { describe, expect, it } from 'vitest';
import { connectCommand } from '../../cli/connectCommand.ts';
import { demoCommand } from '../../cli/demoCommand.ts';
import { inspectCommand } from '../../cli/inspectCommand.ts';
import type { CliIo } from '../../cli/main.ts';
import { measureCommand } from '../../cli/measureCommand.ts';
import { replayCommand } from '../../cli/replayCommand.ts';
import { serveCommand } from '../../cli/serveCommand.ts';
import { simulateCommand } from '../../cli/simulateCommand.ts';
import { workerCommand } from '../../cli/workerCommand.ts';
import { runCli } from '../helpers/runCli.ts';

const io: CliIo = { stdout: () => {}, stderr: () => {} };
const commands = [measureCommand(io.stdout), replayCommand(io), inspectCommand(io), demoCommand(io, false), serveCommand(io), connectCommand(io), simulateCommand(io), workerCommand(io)];

describe('--help', () => {
  it('synergy --help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['measure', 'replay', 'inspect', 'demo', 'serve', 'connect', 'simulate', 'worker']) expect(result.stdout).toMatch(new RegExp(`\\n  ${name} `));
  });

  it.each(commands.map((command) => [command.name(), command] as const))('%s: a description laid out within 80 columns, with examples', (_name, command) => {
    const lines = command.description().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    if (command.name() !== 'measure') expect(command.description()).toMatch(/Examples?:/);
  });

  it('each live command documents its options', async () => {
    const wanted: Record<string, string[]> = {
      serve: ['--token', '--host', '--port', '--max-payload', '--silence', '--alert-alpha', '--alert-effect', '--alert-for', '--alerts-out', '--surrogates <n>', '(default: 99)', '--lag-step'],
      connect: ['<url>', '--serve', '--token', '--max-retries', '--alerts-out', '--window'],
      simulate: ['--units', '--rate', '--seed', '--modes', '--port', '--truth', '--speed', '--duration', '--json'],
      demo: ['--speed', '--port', '--duration', '--plain', '--units', '--window <seconds>', '(default: 30)'],
      worker: ['--redis <url>', '--name'],
      replay: ['--workers', '--cluster', '--tiles', '--max-surrogate-cells', '--serve', '--alert-alpha', '--surrogates <n>', '--alerts-out', '--quiet-alerts', '--speed', '--start', '--end', '--ttl-labels', '--unsorted', '--units', '--label-column', '--unit-filter', '--units-table', '--multi-tag'],
    };
    for (const [name, options] of Object.entries(wanted)) {
      const result = await runCli([name, '--help']);
      expect(result.code).toBe(0);
      for (const option of options) expect(result.stdout, `${name} --help names ${option}`).toContain(option);
    }
  });
});
