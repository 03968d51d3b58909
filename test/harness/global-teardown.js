module.exports = async function globalTeardown() {
  const db = globalThis.__OZVPS_TEST_DB__;
  if (db) await db.stop();
};
