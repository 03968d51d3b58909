import { PrimaryColumn, ValueTransformer } from 'typeorm';

/**
 * node-postgres returns BIGINT as a string so that no precision is lost. Ids and cents in this
 * panel stay far below 2^53, so they are numbers in code; a value that is not safe is an error,
 * never a silent rounding.
 */
export const bigintToNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => {
    if (value === null || value === undefined) return value;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) {
      throw new Error(`BIGINT value ${String(value)} does not fit in a safe JavaScript integer`);
    }
    return n;
  },
};

/** `id bigint GENERATED ALWAYS AS IDENTITY` primary key, read as a number. */
export function BigIntIdentityPrimaryColumn(primaryKeyConstraintName: string): PropertyDecorator {
  return PrimaryColumn({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName,
    transformer: bigintToNumber,
  });
}
