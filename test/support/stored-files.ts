/**
 * What the blob store holds, counted in its tables: blobs, uploads under way and their chunks. A
 * refused upload must leave all three as they were (a refusal deletes what it staged); an accepted
 * one adds its blobs and leaves no upload behind.
 */
import type { Database } from '../../store/database/database';

export async function storedFiles(db: Database): Promise<{ blobs: number; uploads: number; chunks: number }> {
  const count = async (table: string) => Number((await db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
  return { blobs: await count('blobs'), uploads: await count('blob_uploads'), chunks: await count('blob_chunks') };
}
