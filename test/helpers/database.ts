import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';

function adminUrl(): string {
  const url = process.env.OZVPS_TEST_ADMIN_URL;
  if (!url)
    throw new Error(
      'OZVPS_TEST_ADMIN_URL is unset: run the tests through jest (test/harness/global-setup.js)',
    );
  return url;
}

export function urlFor(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The same database as the panel's runtime role (owns nothing, only the runtime grants), which the
 * harness created; the test files' own `url` is the superuser, for arranging and asserting.
 */
export function asPanelRole(url: string): string {
  const login = process.env.OZVPS_TEST_PANEL_LOGIN;
  if (!login) throw new Error('OZVPS_TEST_PANEL_LOGIN is unset: run the tests through jest');
  const [user, password] = login.split(':');
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database of its own for one test file: migrated (from the template) or empty. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `ozvps_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : process.env.OZVPS_TEST_TEMPLATE!;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A DataSource on a test database with the panel's entities and migrations. */
export async function openDataSource(url: string): Promise<DataSource> {
  const ds = createDataSource(url, SCHEMA);
  await ds.initialize();
  return ds;
}
