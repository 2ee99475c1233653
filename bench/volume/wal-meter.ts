import pg from 'pg';
import type { MeasuredWindow } from '../load.js';

/**
 * The server's WAL over a measured window (pg_stat_wal, server-wide): in particular the full-page
 * images, which every page's first change after a checkpoint writes whole into the WAL.
 */
export class WalMeter {
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<WalMeter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new WalMeter(client);
  }

  private async read(): Promise<{ fpi: number; bytes: number }> {
    const { rows } = await this.client.query<{ fpi: string; bytes: string }>('SELECT wal_fpi AS fpi, wal_bytes AS bytes FROM pg_stat_wal');
    return { fpi: Number(rows[0]!.fpi), bytes: Number(rows[0]!.bytes) };
  }

  /** A window for `measure`; `result()` afterwards gives its full-page images and WAL bytes. */
  window(): MeasuredWindow & { result(): { fpi: number; bytes: number } } {
    let start = { fpi: 0, bytes: 0 };
    let end = { fpi: 0, bytes: 0 };
    return {
      started: async () => {
        start = await this.read();
      },
      ended: async () => {
        end = await this.read();
      },
      result: () => ({ fpi: end.fpi - start.fpi, bytes: end.bytes - start.bytes }),
    };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
