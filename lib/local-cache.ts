import type { SavedResult } from './saved-result.js';

/** A completed record kept in memory: its request fingerprint, expiry and result. */
export interface CachedRecord {
  fingerprint: string;
  /** Epoch seconds. */
  expiresAt: number;
  result: SavedResult;
}

/** A cached record with its result as JSON text, as the store keeps it. */
interface CacheEntry {
  fingerprint: string;
  expiresAt: number;
  resultJson: string;
}

/**
 * An in-memory cache of completed records for one Lambda execution environment, evicting the least
 * recently used entry beyond `maxEntries`. Completed records never change until they expire, so a hit
 * can be replayed without reading DynamoDB. Results are kept as JSON text and parsed on every hit, so a
 * replay from the cache equals a replay from the store, and no caller can change what later replays see.
 */
export class LocalCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly maxEntries: number) {}

  get(id: string, nowSeconds: number): CachedRecord | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;

    this.entries.delete(id);
    if (entry.expiresAt <= nowSeconds) return undefined;
    this.entries.set(id, entry);
    return { fingerprint: entry.fingerprint, expiresAt: entry.expiresAt, result: JSON.parse(entry.resultJson) as SavedResult };
  }

  set(id: string, record: CachedRecord): void {
    let resultJson: string;
    try {
      resultJson = JSON.stringify(record.result);
    } catch {
      // A result JSON cannot represent is saved as omitted, so the store has nothing to mirror here.
      return;
    }

    this.entries.delete(id);
    this.entries.set(id, { fingerprint: record.fingerprint, expiresAt: record.expiresAt, resultJson });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
