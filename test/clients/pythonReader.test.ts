import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { writeGroupPopulation } from '../../simulators/groupPopulation.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { projectRoot } from '../helpers/shared.ts';
import { DEBIAN_PYTHON } from '../snapshots/debianNumpy.ts';

/**
 * The Python readers (clients/python/synergy_client.py: read_updates,
 * read_update_table, read_groups, read_alerts) on the files a real
 * `synergy replay` writes, checked row by row against the JSONL; and
 * `subscribe`/`read_updates` against a live `synergy demo`. The readers'
 * own unit tests (clients/python/test_reader.py) run in pythonClient.test.ts.
 * Skipped where Debian's python3 has no pandas (CI installs python3-pandas).
 */

const hasDebianPandas = spawnSync(DEBIAN_PYTHON, ['-c', 'import pandas, numpy'], { stdio: 'ignore' }).status === 0;
const NO_PANDAS = `${DEBIAN_PYTHON} has no pandas (apt-get install python3-pandas)`;

const clientDir = join(projectRoot, 'clients', 'python');
const dir = mkdtempSync(join(tmpdir(), 'python-reader-'));
const children: ChildProcess[] = [];
afterEach(() => {
  // A process still running when its test failed is ended here (its own process only).
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the Python side prints of a DataFrame: rows, columns, dtypes, attrs and every row (NaN and <NA> as null). */
interface Table {
  rows: number;
  columns: string[];
  dtypes: Record<string, string>;
  attrs: Record<string, unknown>;
  records: Array<Record<string, unknown>>;
}

const DESCRIBE = `
import json, math, sys
import pandas as pd
sys.path.insert(0, ${JSON.stringify(clientDir)})
import synergy_client as sc

def plain(value):
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

def describe(df):
    return {
        "rows": len(df),
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "attrs": df.attrs,
        "records": [{c: plain(v) for c, v in row.items()} for row in df.to_dict("records")],
    }
`;

interface PythonRun {
  child: ChildProcess;
  /** Resolves once the script has written \`text\` to stderr (or exited). */
  said: (text: string) => Promise<void>;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts a Python script with Debian's python3 (clients/python importable, stdin a pipe). */
function startPython(script: string, args: string[]): PythonRun {
  const path = join(dir, `script-${children.length}-${Date.now()}.py`);
  writeFileSync(path, script);
  const child = spawn(DEBIAN_PYTHON, [path, ...args], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: clientDir, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wait of waiting.filter((w) => stderr.includes(w.text))) wait.resolve();
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolvePromise) =>
    child.on('close', (status) => {
      for (const wait of waiting) wait.resolve();
      resolvePromise({ status, stdout, stderr });
    }),
  );
  const said = (text: string) => (stderr.includes(text) || child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve })));
  return { child, said, done };
}

/** Runs a Python script to its end; resolves with its exit status and output. */
function runPython(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const run = startPython(script, args);
  run.child.stdin!.end();
  return run.done;
}

function readJsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const PAIR_COLUMNS = ['update', 't', 'window_start', 'window_end', 'samples', 'a', 'b', 'joint', 'ia', 'ib', 'synergy', 'normalized', 'excess', 'p', 'p_fwer', 'p_fwer_tail', 'q', 'alpha', 'surrogates', 'effective_surrogates', 'significant', 'units', 'estimator'];

/** The pair table read_updates must give for these updates: one row per update × pair, in file order. */
function expectedPairRows(updates: SynergyUpdate[]): Array<Record<string, unknown>> {
  return updates.flatMap((update, index) =>
    update.pairs.map((pair) => ({
      update: index,
      t: update.t,
      window_start: update.window[0],
      window_end: update.window[1],
      samples: update.samples,
      a: pair.a,
      b: pair.b,
      joint: pair.joint,
      ia: pair.ia,
      ib: pair.ib,
      synergy: pair.synergy,
      normalized: pair.normalized,
      excess: pair.excess,
      p: pair.p,
      p_fwer: pair.p_fwer,
      p_fwer_tail: pair.p_fwer_tail,
      q: pair.q,
      alpha: update.alpha,
      surrogates: update.surrogates,
      effective_surrogates: update.effective_surrogates,
      significant: update.significant,
      units: update.units,
      estimator: update.estimator,
    })),
  );
}

/** Every pair in canonical order as the analyzer writes it (src/stream/unitIds.ts), whatever the id type. */
function canonicalId(id: string | number): [number, number, string] {
  return typeof id === 'number' ? [0, id, ''] : [1, 0, id];
}
function before(x: string | number, y: string | number): boolean {
  const [kx, nx, sx] = canonicalId(x);
  const [ky, ny, sy] = canonicalId(y);
  return kx !== ky ? kx < ky : kx === 0 ? nx < ny : sx < sy;
}

describe('the Python readers on a real synergy replay', () => {
  it('read_updates, read_update_table, read_groups and read_alerts give the JSONL row by row: int64 ids in canonical order, the run header as attrs; text ids stay text', async (context) => {
    if (!hasDebianPandas) return context.skip(NO_PANDAS);
    // A simulated recording with groups: 60 s, 12 units (ids 0–11), a synergistic region, an independent one, a group that switches.
    const files = await writeGroupPopulation(dir, {
      seed: 6,
      untilSeconds: 60,
      switchSeconds: 30,
      regions: [
        { name: 'cortex', kind: 'synergistic', units: 4, strength: 0.6 },
        { name: 'striatum', kind: 'independent', units: 4 },
      ],
    });
    const out = join(dir, 'updates.jsonl');
    const alertsOut = join(dir, 'alerts.jsonl');
    const common = ['--labels', files.labelsPath, '--bin', '0.02', '--window', '5', '--hop', '1', '--surrogates', '19', '--top', '20'];
    const replay = await runCliHere(['replay', files.spikesPath, ...common, '--groups', files.groupsPath, '--out', out, '--alerts-out', alertsOut]);
    expect(replay.code, replay.stderr).toBe(0);
    // The same spikes with text ids: "u0" … "u11" ("u10" before "u2", as text).
    const textSpikes = join(dir, 'spikes-text.csv');
    const [head, ...rows] = readFileSync(files.spikesPath, 'utf8').trimEnd().split('\n');
    writeFileSync(textSpikes, `${head}\n${rows.map((row) => `u${row}`).join('\n')}\n`);
    const textOut = join(dir, 'updates-text.jsonl');
    const textReplay = await runCliHere(['replay', textSpikes, ...common, '--out', textOut]);
    expect(textReplay.code, textReplay.stderr).toBe(0);

    const python = await runPython(
      `${DESCRIBE}
out, alerts_out, text_out = sys.argv[1:4]
print(json.dumps({
    "updates": describe(sc.read_updates(out)),
    "table": describe(sc.read_update_table(out)),
    "groups": describe(sc.read_groups(out)),
    "alerts": describe(sc.read_alerts(alerts_out)),
    "text": describe(sc.read_updates(text_out)),
}))
`,
      [out, alertsOut, textOut],
    );
    expect(python.status, python.stderr).toBe(0);
    expect(python.stderr).toBe(''); // no warning: nothing unknown, no incomplete line
    const read = JSON.parse(python.stdout) as Record<'updates' | 'table' | 'groups' | 'alerts' | 'text', Table>;

    const [header, ...lines] = readJsonl(out);
    const updates = lines.filter((line) => line.type === 'synergy') as unknown as SynergyUpdate[];
    expect(header.type).toBe('run');
    expect(updates.length).toBeGreaterThanOrEqual(55); // one a second

    // Pairs: rows = Σ the updates' pairs, each row the pair as written, ids int64 with a < b.
    const pairs = read.updates;
    expect(pairs.rows).toBe(updates.reduce((sum, update) => sum + update.pairs.length, 0));
    expect(updates.every((update) => update.pairs.length === 20)).toBe(true); // --top 20 of 66
    expect(pairs.columns).toEqual(PAIR_COLUMNS);
    expect(pairs.dtypes).toMatchObject({ update: 'int64', t: 'float64', samples: 'int64', a: 'int64', b: 'int64', synergy: 'float64', normalized: 'float64', p_fwer: 'float64', surrogates: 'int64', estimator: 'object' });
    expect(pairs.records).toEqual(expectedPairRows(updates));
    for (const row of pairs.records) expect(row.a as number).toBeLessThan(row.b as number);
    // attrs: the whole header, its options and fields, the groups with numeric ids, nothing skipped.
    expect(Object.keys(pairs.attrs).sort()).toEqual(['command', 'format', 'groups', 'options', 'path', 'run', 'seed', 'skipped', 'source', 'started', 'version']);
    expect(pairs.attrs.run).toEqual(header);
    expect(pairs.attrs.options).toEqual(header.options);
    expect(pairs.attrs).toMatchObject({ command: 'replay', format: 'csv', source: files.spikesPath, seed: 0, path: out, skipped: {} });
    expect(pairs.attrs.groups).toEqual({ cortex: [0, 1, 2, 3], striatum: [4, 5, 6, 7], switch: [8, 9, 10, 11] });

    // One row per update.
    const table = read.table;
    expect(table.rows).toBe(updates.length);
    expect(table.records.map((row) => [row.update, row.t, row.window_start, row.samples, row.pairs_computed, row.pairs_listed, row.significant, row.dropped_late, row.labels])).toEqual(
      updates.map((update, index) => [index, update.t, update.window[0], update.samples, update.pairsComputed, update.pairs.length, update.significant, update.dropped.late, update.labels]),
    );
    expect(table.dtypes).toMatchObject({ update: 'int64', pairs_computed: 'int64', min_p: 'float64', labels: 'object' });

    // One row per update × group, the population last.
    const groups = read.groups;
    const wantGroups = updates.flatMap((update, index) => [...update.groups!.map((group) => ({ index, kind: 'group', group })), { index, kind: 'population', group: update.population! }]);
    expect(groups.rows).toBe(wantGroups.length);
    expect(groups.records.map((row) => [row.update, row.t, row.group, row.kind, row.units, row.method, row.oinfo, row.tc, row.dtc, row.sinfo, row.synergy, row.doinfo_y, row.p_oinfo, row.p_doinfo_y, row.pair_count, row.pair_median])).toEqual(
      wantGroups.map(({ index, kind, group }) => [index, updates[index].t, group.name, kind, group.units, group.method, group.oinfo, group.tc, group.dtc, group.sinfo, group.synergy, group.doinfo_y, group.p?.oinfo ?? null, group.p?.doinfo_y ?? null, group.pairs?.pairs ?? null, group.pairs?.median ?? null]),
    );

    // Alerts: each as written, ids as numbers.
    const [alertsHeader, ...alertLines] = readJsonl(alertsOut);
    const alerts = alertLines as unknown as AlertEvent[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(read.alerts.rows).toBe(alerts.length);
    expect(read.alerts.attrs.run).toEqual(alertsHeader);
    read.alerts.records.forEach((row, index) => {
      const { type, ...fields } = alerts[index];
      expect(type).toBe('alert');
      expect(row).toMatchObject(fields);
    });
    // Whole-number ids: int64, or pandas's nullable Int64 when some alert names no pair (emergence alerts here).
    const idType = alerts.some((alert) => alert.a === undefined) ? 'Int64' : 'int64';
    expect(read.alerts.dtypes).toMatchObject({ a: idType, b: idType, t: 'float64' });
    expect(alerts.some((alert) => alert.kind === 'synergy' && typeof alert.a === 'number')).toBe(true);

    // Text ids: str (object dtype), in the analyzer's own order (no row swapped), the same values.
    const textUpdates = readJsonl(textOut).filter((line) => line.type === 'synergy') as unknown as SynergyUpdate[];
    expect(read.text.dtypes).toMatchObject({ a: 'object', b: 'object' });
    expect(read.text.records).toEqual(expectedPairRows(textUpdates));
    expect(read.text.records.some((row) => row.a === 'u10' && row.b === 'u2')).toBe(true);
    for (const row of read.text.records) expect(before(row.a as string, row.b as string)).toBe(true);
  }, 90_000);
});

describe('the Python subscriber on a live synergy demo', () => {
  it('subscribe() gets the welcome with the run header and updates; with history, subscribe() and updates() get every update from t = 1 to the end message, once each, as --out has them', async (context) => {
    if (!hasDebianPandas) return context.skip(NO_PANDAS);
    // Python first, its imports done (seconds on a loaded machine), then the demo: it runs 7.5 s whoever listens.
    const subscriber = startPython(
      `${DESCRIBE}
import threading
print("ready", file=sys.stderr, flush=True)
url = sys.stdin.readline().strip()
# 1. The messages until two updates have come, then leave (closing the generator closes the connection).
first = []
for message in sc.subscribe(url, timeout=60):
    first.append(message)
    if sum(1 for m in first if m["type"] == "synergy") >= 2:
        break
# 2. Two subscriptions with history, side by side, each to the end of the stream: the generators must end by themselves.
rest, only_updates, problems = [], [], []
def run(target, generator):
    try:
        target.extend(generator)
    except BaseException as error:
        problems.append(repr(error))
threads = [
    threading.Thread(target=run, args=(rest, sc.subscribe(url, history=True, timeout=60))),
    threading.Thread(target=run, args=(only_updates, sc.updates(url, history=True, timeout=60))),
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if problems:
    sys.exit("; ".join(problems))
print(json.dumps({
    "first": [m["type"] for m in first],
    "welcome": first[0],
    "updates": [m for m in first if m["type"] == "synergy"],
    "rest": [{"type": m["type"], "t": m.get("t")} for m in rest],
    "end": rest[-1],
    "only_updates": [[u["t"], u.get("conflated", 0), len(u["pairs"])] for u in only_updates],
    "read": describe(sc.read_updates(rest)),
}))
`,
      [],
    );
    await subscriber.said('ready');
    const demoOut = join(dir, 'demo.jsonl');
    const demo = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), 'demo', '--port', '0', '--speed', '8', '--duration', '60', '--plain', '--out', demoOut], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    children.push(demo);
    let demoStdout = '';
    let demoStderr = '';
    demo.stderr!.on('data', (chunk: Buffer) => (demoStderr += chunk.toString()));
    // 'close': after the demo's output has all been read (an 'exit' may be handled before the last of it).
    const exited = new Promise<number | null>((resolvePromise) => demo.on('close', (code) => resolvePromise(code)));
    const url = await new Promise<string>((resolvePromise, reject) => {
      demo.stdout!.on('data', (chunk: Buffer) => {
        demoStdout += chunk.toString();
        const match = /subscribe: (ws:\/\/\S+)/.exec(demoStdout);
        if (match !== null) resolvePromise(match[1]);
      });
      void exited.then(() => reject(new Error(`synergy demo ended before its subscriber could connect: ${demoStderr}\nstdout: ${demoStdout}`)));
    });
    subscriber.child.stdin!.end(`${url}\n`);
    const python = await subscriber.done;
    expect(python.status, python.stderr).toBe(0);
    const got = JSON.parse(python.stdout) as {
      first: string[];
      welcome: { type: string; run: Record<string, unknown> };
      updates: SynergyUpdate[];
      rest: Array<{ type: string; t: number | null }>;
      end: Record<string, unknown>;
      only_updates: Array<[number, number, number]>;
      read: Table;
    };
    expect(await exited, demoStderr).toBe(0);
    const [demoHeader, ...demoLines] = readJsonl(demoOut);
    const written = demoLines.filter((line) => line.type === 'synergy') as unknown as SynergyUpdate[];
    expect(written.map((update) => update.t)).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));

    // 1. The welcome first, with the run header; updates may come before `subscribed` (a connection gets data from the moment it is open).
    expect(got.first[0]).toBe('welcome');
    expect(got.first).toContain('subscribed');
    expect(got.welcome.run).toEqual(demoHeader);
    expect(got.updates.length).toBe(2);
    for (const update of got.updates) {
      expect(update.pairs.length).toBeGreaterThan(0);
      for (const pair of update.pairs) expect(before(pair.a, pair.b)).toBe(true);
    }

    // 2. subscribe(history=True): one history, and the end-of-stream message last, which ended the generator.
    expect(got.rest[0].type).toBe('welcome');
    expect(got.rest.filter((m) => m.type === 'history').length).toBe(1);
    expect(got.end).toMatchObject({ type: 'end', source: null, t: 60, updates: 60 });
    // updates(history=True): from t = 1 (the history) to 60, in order, each once, with all its pairs (the demo's 20 ≤ the history's 50);
    // a gap only where the server conflated updates for a slow reader, and then the update says how many.
    const ts = got.only_updates.map(([t]) => t);
    expect(ts[0]).toBe(1);
    expect(ts.at(-1)).toBe(60);
    got.only_updates.slice(1).forEach(([t, conflated], k) => expect(t - ts[k], `t ${t}`).toBe(1 + conflated));
    for (const [t, , pairs] of got.only_updates) expect(pairs, `t ${t}`).toBe(written[t - 1].pairs.length);
    // read_updates of subscribe()'s messages: the welcome's run header, and the pairs of every update received, once each, as --out has them.
    expect(got.read.attrs.run).toEqual(demoHeader);
    expect(got.read.dtypes).toMatchObject({ a: 'int64', b: 'int64', t: 'float64' });
    const readTs = [...new Set(got.read.records.map((row) => row.t as number))];
    expect(readTs[0]).toBe(1);
    expect(readTs.at(-1)).toBe(60);
    expect(got.read.records).toEqual(expectedPairRows(written.filter((update) => readTs.includes(update.t))));
  }, 90_000);
});
