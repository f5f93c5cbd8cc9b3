import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  readonly path: string;
  /** Rotate before a write would take the file past this many bytes. */
  readonly maxBytes: number;
  /** Rotated files kept: `path.1` (newest) … `path.<keep>`; 0 keeps none. */
  readonly keep: number;
  /** Called for every failed open, write or rotation; the file then tries again on the next write. */
  readonly onError: (error: unknown, path: string) => void;
}

/**
 * An append-only log file written synchronously: a line handed to `write` is in the kernel before
 * the call returns, so `kill -9` (the crash-only test, issue 4 point 6) loses no log line.
 * Size-based rotation renames `path` → `path.1` → `path.2` …, dropping the oldest. An I/O error
 * never throws: a full disk must not stop the engine from closing positions.
 */
export class RotatingFile {
  readonly #options: RotatingFileOptions;
  #fd: number | undefined;
  #size = 0;
  #closed = false;

  constructor(options: RotatingFileOptions) {
    this.#options = options;
  }

  get path(): string {
    return this.#options.path;
  }

  write(text: string): void {
    if (this.#closed) return;
    try {
      const bytes = Buffer.byteLength(text);
      let fd = this.#fd ?? this.#open();
      if (this.#size > 0 && this.#size + bytes > this.#options.maxBytes) {
        this.#rotate();
        fd = this.#open();
      }
      writeSync(fd, text);
      this.#size += bytes;
    } catch (error) {
      this.#options.onError(error, this.#options.path);
      this.#release();
    }
  }

  /** Asks the kernel to put written lines on disk (shutdown, after a kill switch). */
  flush(): void {
    if (this.#fd === undefined) return;
    try {
      fsyncSync(this.#fd);
    } catch {
      // Some targets (pipes, character devices) cannot be synced; the lines are already written.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#release();
    this.#closed = true;
  }

  #open(): number {
    const { path } = this.#options;
    let fd: number;
    try {
      fd = openSync(path, 'a');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The directory is gone (first start, or deleted under us): create it and try once more.
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, 'a');
    }
    this.#fd = fd;
    this.#size = fstatSync(fd).size;
    return fd;
  }

  #rotate(): void {
    const { path, keep } = this.#options;
    this.#release();
    if (keep === 0) {
      ignoreMissing(() => unlinkSync(path));
      return;
    }
    for (let index = keep - 1; index >= 1; index--) {
      ignoreMissing(() => renameSync(`${path}.${index}`, `${path}.${index + 1}`));
    }
    renameSync(path, `${path}.1`);
  }

  #release(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    this.#size = 0;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor that failed to write can fail too; nothing more to do with it.
    }
  }
}

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
