import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmptySelectionError, InputFormatError, UsageError } from '../../src/errors.ts';
import { groupsFromUnitValues, MAX_GROUPS, MAX_UNITS_PER_GROUP, parseGroups, readGroupsFile } from '../../src/groups/groupSpec.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-groups-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a groups file and returns its path. */
function groupsFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** The InputFormatError reading `text` gives (fails when it reads). */
async function readError(name: string, text: string): Promise<InputFormatError> {
  const path = groupsFile(name, text);
  try {
    await readGroupsFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    const formatError = error as InputFormatError;
    expect(formatError.code).toBe('INPUT_FORMAT');
    expect(formatError.file).toBe(path);
    expect(formatError.message.startsWith(path)).toBe(true);
    return formatError;
  }
  throw new Error(`${name} was read without error`);
}

describe('readGroupsFile', () => {
  it('reads the object form: groups in file order, ids as text (numbers in decimal, text as written)', async () => {
    const path = groupsFile('object.json', '{"PFC": ["a7", "a9"], "CA1": [1, 2, 3], "both": [3, "a7", -4]}\n');
    expect(await readGroupsFile(path)).toEqual([
      { name: 'PFC', units: ['a7', 'a9'] },
      { name: 'CA1', units: ['1', '2', '3'] },
      { name: 'both', units: ['3', 'a7', '-4'] },
    ]);
  });

  it('reads the list form, and a group literally named "groups" in the object form', async () => {
    const list = groupsFile('list.json', '\uFEFF{"groups": [{"name": "CA1", "units": [1, 2, 3]}, {"name": "PFC", "units": ["a7", "a9"]}]}');
    expect(await readGroupsFile(list)).toEqual([
      { name: 'CA1', units: ['1', '2', '3'] },
      { name: 'PFC', units: ['a7', 'a9'] },
    ]);
    expect(parseGroups('{"groups": [4, 5], "other": [6, 7]}', 'g.json')).toEqual([
      { name: 'groups', units: ['4', '5'] },
      { name: 'other', units: ['6', '7'] },
    ]);
  });

  it('names the file and the group in every error', async () => {
    expect((await readError('empty-text.json', '')).message).toMatch(/is not JSON/);
    expect((await readError('trailing.json', '{"CA1": [1, 2],}')).message).toMatch(/is not JSON .*expected \{"<group>": \[unit ids\]/);
    expect((await readError('array.json', '[[1, 2]]')).message).toMatch(/holds a list: expected an object/);
    expect((await readError('none.json', '{}')).message).toMatch(/holds no group/);
    expect((await readError('none-list.json', '{"groups": []}')).message).toMatch(/holds no group/);
    expect((await readError('empty.json', '{"CA1": [1, 2], "PFC": []}')).message).toMatch(/group "PFC" has no unit: a group needs 2 units or more/);
    expect((await readError('single.json', '{"CA1": [7]}')).message).toMatch(/group "CA1" has a single unit: a group needs 2 units or more/);
    expect((await readError('twice.json', '{"CA1": [1, 2, "1"]}')).message).toMatch(/group "CA1" lists unit 1 twice/);
    expect((await readError('float.json', '{"CA1": [1, 2.5]}')).message).toMatch(/group "CA1", unit 2: 2\.5 is not a unit id: expected text \("a7"\) or a whole number \(12\)/);
    expect((await readError('null.json', '{"CA1": [1, null]}')).message).toMatch(/unit 2: null is not a unit id/);
    expect((await readError('blank.json', '{"CA1": [1, " "]}')).message).toMatch(/unit 2: " " is not a unit id/);
    expect((await readError('not-list.json', '{"CA1": "1,2"}')).message).toMatch(/group "CA1" holds "1,2": expected a list of unit ids/);
    const repeated = await readError('repeated.json', '{\n  "CA1": [1, 2],\n  "PFC": [3, 4],\n  "CA1": [5, 6]\n}');
    expect(repeated.message).toMatch(/line 4: group "CA1" is given twice \(first on line 2\)/);
    expect(repeated.line).toBe(4);
    expect((await readError('repeated-list.json', '{"groups": [{"name": "CA1", "units": [1, 2]}, {"name": "CA1", "units": [3, 4]}]}')).message).toMatch(
      /groups\[1\] \(group "CA1"\): the name "CA1" is also that of groups\[0\] \(group "CA1"\)/,
    );
    expect((await readError('list-no-name.json', '{"groups": [{"units": [1, 2]}]}')).message).toMatch(/groups\[0\] has no "name"/);
    expect((await readError('list-no-units.json', '{"groups": [{"name": "x"}]}')).message).toMatch(/groups\[0\] \(group "x"\) has no "units"/);
    expect((await readError('list-extra.json', '{"groups": [{"name": "x", "unit": [1, 2]}]}')).message).toMatch(/groups\[0\] has "unit": expected only "name" and "units"/);
    expect((await readError('list-beside.json', '{"groups": [{"name": "x", "units": [1, 2]}], "CA1": [3, 4]}')).message).toMatch(/has "CA1" beside "groups"/);
    expect((await readError('empty-name.json', '{"": [1, 2]}')).message).toMatch(/has an empty name/);
  });

  it('caps the number of groups and of units per group', async () => {
    const many = Object.fromEntries(Array.from({ length: MAX_GROUPS + 1 }, (_, k) => [`g${k}`, [2 * k, 2 * k + 1]]));
    expect((await readError('many.json', JSON.stringify(many))).message).toMatch(new RegExp(`holds ${MAX_GROUPS + 1} groups, more than ${MAX_GROUPS}`));
    const large = { big: Array.from({ length: MAX_UNITS_PER_GROUP + 1 }, (_, k) => k) };
    expect((await readError('large.json', JSON.stringify(large))).message).toMatch(new RegExp(`group "big" has ${MAX_UNITS_PER_GROUP + 1} units, more than ${MAX_UNITS_PER_GROUP}`));
    const exactly = Object.fromEntries(Array.from({ length: MAX_GROUPS }, (_, k) => [`g${k}`, Array.from({ length: MAX_UNITS_PER_GROUP }, (_, u) => u)]));
    expect(await readGroupsFile(groupsFile('caps.json', JSON.stringify(exactly)))).toHaveLength(MAX_GROUPS);
  });

  it('a missing file is an InputFormatError naming it', async () => {
    const path = join(folder, 'nowhere.json');
    await expect(readGroupsFile(path)).rejects.toThrow(new InputFormatError('no such file (or it cannot be read): expected a JSON file of unit groups', path));
  });
});

describe('groupsFromUnitValues', () => {
  it('groups units by value, sorted by name (whole numbers numerically), units in the given order', () => {
    const ids = ['5', '3', '9', '1', '12', '7', '8'];
    const shank = ['10', '2', '2', '10', '', '2', '3'];
    const { groups, unitsWithoutValue, singleUnitGroups, notes } = groupsFromUnitValues(ids, shank, 'sh');
    expect(groups).toEqual([
      { name: '2', units: ['3', '9', '7'] },
      { name: '10', units: ['5', '1'] },
    ]);
    expect(unitsWithoutValue).toBe(1);
    expect(singleUnitGroups).toEqual([{ name: '3', units: ['8'] }]);
    expect(notes).toEqual([
      'groups by sh: 2 (3 units), 10 (2 units)',
      '1 unit has no sh: left out of every group',
      '1 sh value has a single unit, no group (measures need 2 units): 3 (unit 8)',
    ]);
  });

  it('text values sort by code point after numbers; a repeated id counts once', () => {
    const { groups } = groupsFromUnitValues(['a', 'b', 'c', 'd', 'a'], ['PFC', 'CA1', 'PFC', 'CA1', 'CA1'], 'location');
    expect(groups).toEqual([
      { name: 'CA1', units: ['b', 'd'] },
      { name: 'PFC', units: ['a', 'c'] },
    ]);
  });

  it('no group of 2 units is an EmptySelectionError; too many groups a UsageError', () => {
    expect(() => groupsFromUnitValues(['1', '2', '3'], ['', ' ', ''], 'location')).toThrow(EmptySelectionError);
    expect(() => groupsFromUnitValues(['1', '2', '3'], ['', ' ', ''], 'location')).toThrow(/grouping by location gives no group of 2 or more units \(every unit's location is empty\)/);
    expect(() => groupsFromUnitValues(['1', '2'], ['a', 'b'], 'ch')).toThrow(/values: a \(1\), b \(1\)/);
    const ids = Array.from({ length: 2 * (MAX_GROUPS + 1) }, (_, k) => String(k));
    const values = ids.map((_, k) => String(Math.floor(k / 2)));
    expect(() => groupsFromUnitValues(ids, values, 'ch')).toThrow(UsageError);
    expect(() => groupsFromUnitValues(ids, values, 'ch')).toThrow(new RegExp(`gives ${MAX_GROUPS + 1} groups of 2 or more units, more than ${MAX_GROUPS}`));
  });
});
