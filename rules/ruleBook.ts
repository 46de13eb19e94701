// The rule files in force: loaded from a folder and reloaded when a file changes. A file that no longer passes the
// checks is refused and logged, and its last good version stays in force.
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Prison } from './prison';
import { formatError, parseRuleFile, type RuleFileError } from './ruleFile';

export type RuleBookLog = (level: 'info' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Rule files are `*.yaml`; their example cases sit beside them as `*.examples.yaml`. */
export function ruleFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') && !name.endsWith('.examples.yaml'))
    .sort();
}

export class RuleBook {
  private byFile = new Map<string, Prison>();
  private watcher?: FSWatcher;
  private listeners: (() => void)[] = [];

  constructor(
    readonly dir: string,
    private readonly log: RuleBookLog = () => undefined,
  ) {
    this.reload();
  }

  /** The prison with this id, from the last good version of its rule file. */
  get(id: string): Prison | undefined {
    for (const prison of this.byFile.values()) if (prison.id === id) return prison;
    return undefined;
  }

  list(): Prison[] {
    return [...this.byFile.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Reads every rule file again; returns the errors of those refused. */
  reload(): RuleFileError[] {
    const errors: RuleFileError[] = [];
    const names = existsSync(this.dir) ? ruleFileNames(this.dir) : [];
    for (const file of [...this.byFile.keys()]) if (!names.includes(file)) this.byFile.delete(file);
    for (const file of names) {
      const result = parseRuleFile(readFileSync(join(this.dir, file), 'utf8'), file);
      const clash = result.ok && [...this.byFile].find(([other, p]) => other !== file && p.id === result.prison.id);
      if (clash) {
        errors.push({ file, line: 1, path: 'id', message: `${result.prison.id} is already the id in ${clash[0]}` });
      } else if (result.ok) {
        if (this.byFile.get(file)?.version !== result.prison.version) {
          this.log('info', 'rule file in force', { file, prison: result.prison.id, version: result.prison.version });
        }
        this.byFile.set(file, result.prison);
      } else {
        errors.push(...result.errors);
      }
    }
    for (const error of errors) {
      this.log('error', 'rule file refused; its last good version stays in force', { error: formatError(error) });
    }
    this.listeners.forEach((listener) => listener());
    return errors;
  }

  /** Reloads shortly after any file in the folder changes. */
  watch(): this {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(this.dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.reload(), 100);
      timer.unref();
    });
    // Watching alone keeps no process alive: a worker or API that is shutting down still exits.
    this.watcher.unref();
    return this;
  }

  /** Calls `listener` after every reload. */
  onReload(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.watcher?.close();
  }
}
