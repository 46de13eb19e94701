// What the benchmark reads of its processes from Linux's /proc: CPU time and resident memory.
import { readdirSync, readFileSync } from 'node:fs';
import { round } from './figures';

/** Clock ticks in a second (USER_HZ), as /proc counts CPU time. */
const TICKS = 100;

function statOf(pid: number): { ppid: number; ticks: number; childTicks: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * CPU time used so far, in seconds, by a process, and with `tree` every process under it (PostgreSQL's server
 * processes) and the children it has already waited for.
 */
export function cpuSecondsOf(pid: number | undefined, tree = false): number {
  if (pid === undefined) return NaN;
  if (!tree) return (statOf(pid)?.ticks ?? NaN) / TICKS;
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat) parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), Number(entry)]);
  }
  let ticks = 0;
  const visit = (id: number) => {
    const stat = statOf(id);
    if (!stat) return;
    ticks += stat.ticks + stat.childTicks;
    for (const child of parents.get(id) ?? []) visit(child);
  };
  visit(pid);
  return ticks / TICKS;
}

/** Peak and present resident memory of a process, in MB. */
export function memoryOf(pid: number | undefined) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: round(kb('VmHWM') / 1024), nowMb: round(kb('VmRSS') / 1024) };
}

/** CPU milliseconds each process (with those under it, for the names in `trees`) used per unit of work. */
export function cpuPer(pids: Record<string, number | undefined>, trees: string[] = []) {
  const read = (name: string) => cpuSecondsOf(pids[name], trees.includes(name));
  const before = Object.fromEntries(Object.keys(pids).map((name) => [name, read(name)]));
  return (units: number) =>
    Object.fromEntries(Object.keys(pids).map((name) => [name, round(((read(name) - before[name]) * 1000) / units)]));
}
