import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

export interface DocumentRow {
  number: string;
  kind: string;
  refersTo: string | null;
  totalCents: number;
  gstCents: number;
  title: string;
  ledgerType: string;
}

/** A user's documents, oldest first, with the ledger row each was issued for. */
export async function documentsOf(ds: DataSource, userId: number): Promise<DocumentRow[]> {
  return ds.query(
    `SELECT d.number, d.kind, d.refers_to AS "refersTo", d.total_cents::int AS "totalCents",
            d.gst_cents::int AS "gstCents", d.snapshot->>'title' AS title, t.type AS "ledgerType"
       FROM documents d JOIN wallet_transactions t ON t.id = d.ledger_transaction_id
      WHERE d.user_id = $1 ORDER BY d.id`,
    [userId],
  );
}

/** The numbers of one kind, as integers, in issue order. */
export async function numbersOf(ds: DataSource, kind: string): Promise<number[]> {
  const rows: { number: string }[] = await ds.query(
    `SELECT number FROM documents WHERE kind = $1 ORDER BY id`,
    [kind],
  );
  return rows.map((r) => Number(r.number.slice(4)));
}

/** The text a PDF shows, as pdf-parse extracts it (in a Node process of its own). */
export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, 'pdf-text.mjs')],
      { maxBuffer: 10 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(pdf);
  });
}
