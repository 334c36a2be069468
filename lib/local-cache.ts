import type { SavedResult } from './saved-result.js';

/** A completed record kept in memory: its request fingerprint, expiry and result. */
export interface CachedRecord {
  fingerprint: string;
  /** Epoch seconds. */
  expiresAt: number;
  result: SavedResult;
}

/**
 * An in-memory cache of completed records for one Lambda execution environment, evicting the least
 * recently used entry beyond `maxEntries`. Completed records never change until they expire, so a hit
 * can be replayed without reading DynamoDB.
 */
export class LocalCache {
  private readonly entries = new Map<string, CachedRecord>();

  constructor(private readonly maxEntries: number) {}

  get(id: string, nowSeconds: number): CachedRecord | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;

    this.entries.delete(id);
    if (entry.expiresAt <= nowSeconds) return undefined;
    this.entries.set(id, entry);
    return entry;
  }

  set(id: string, entry: CachedRecord): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
