// On a terminal, one line at the bottom of stderr says what runs now (scenario, driver, time, bytes the server is
// receiving), so a slow scenario does not look hung; finished-scenario lines print above it. Not shown when stderr
// is not a TTY (CI logs keep one line per finished scenario).
import type { Writable } from 'node:stream';

export interface StatusStream extends Writable {
  isTTY?: boolean;
  columns?: number;
}

export class StatusLine {
  private timer: NodeJS.Timeout | undefined;
  private text = '';
  private shown = false;

  constructor(private readonly out: StatusStream) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  /** Starts showing `what`, refreshed with the elapsed time and the bytes `received()` reports. */
  start(what: string, received?: () => Promise<number>): void {
    if (!this.enabled) return;
    this.stop();
    const started = Date.now();
    let bytes = 0;
    const render = (): void => {
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      const moved = bytes > 0 ? `, server receiving ${(bytes / 1024 / 1024).toFixed(1)} MiB` : '';
      this.draw(`running ${what} (${secs} s${moved})`);
    };
    render();
    this.timer = setInterval(() => {
      if (received) {
        received().then(
          (n) => {
            bytes = n;
          },
          () => undefined,
        );
      }
      render();
    }, 500);
    this.timer.unref();
  }

  /** Writes lines above the status line. */
  print(text: string): void {
    this.clear();
    this.out.write(text.endsWith('\n') ? text : text + '\n');
    if (this.text) this.draw(this.text);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.text = '';
  }

  private draw(text: string): void {
    this.text = text;
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    this.out.write(`\r\x1b[2K${text.slice(0, width)}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
