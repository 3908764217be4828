// jsforce, the most used JavaScript Salesforce client, drives the org through its public API:
// a JWT bearer login as Salesforce's CLI signs it, then the REST API with jsforce's default
// API version and with the org's current one. Prints one JSON line per step for the pytest
// driver (tests/test_jsforce.py); an {"step": "error"} line ends the run.
//
// Environment: LOGIN_URL (the org's base URL), CLIENT_ID, PRIVATE_KEY_FILE, USERNAME,
// CURRENT_VERSION (the org's newest API version), BULK_ROWS (rows for the Bulk API 2.0 load).
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jsforce from 'jsforce';

const env = process.env;
const say = (report) => process.stdout.write(JSON.stringify(report) + '\n');

function base64url(value) {
  return Buffer.from(value).toString('base64url');
}

// The assertion Salesforce's command-line tool signs: no jti, and exp = Date.now() + 300,
// milliseconds where RFC 7519 wants seconds.
function assertion() {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: env.CLIENT_ID,
      sub: env.USERNAME,
      aud: env.LOGIN_URL,
      exp: Date.now() + 300,
    }),
  );
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  const signature = signer.sign(readFileSync(env.PRIVATE_KEY_FILE, 'utf8')).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

async function login() {
  // jsforce's own token request: its fetch sends the form body as a stream, chunked.
  const conn = new jsforce.Connection({ oauth2: new jsforce.OAuth2({ loginUrl: env.LOGIN_URL }) });
  const user = await conn.authorize({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: assertion(),
  });
  say({
    step: 'jwt_login',
    organization_id: user.organizationId,
    user_id: user.id,
    instance_url: conn.instanceUrl,
  });
  return { instanceUrl: conn.instanceUrl, accessToken: conn.accessToken };
}

async function queryAll(conn, soql, batchSize) {
  const records = [];
  await new Promise((resolve, reject) => {
    conn
      .query(soql)
      .on('record', (record) => records.push(record))
      .on('end', resolve)
      .on('error', reject)
      .run({
        autoFetch: true,
        maxFetch: 100000,
        headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` },
      });
  });
  return records;
}

async function rest(session, version) {
  const options = { instanceUrl: session.instanceUrl, accessToken: session.accessToken };
  const conn = new jsforce.Connection(version ? { ...options, version } : options);
  const tag = `jsforce ${conn.version} ${Date.now()}`;

  const global = await conn.describeGlobal();
  say({
    step: 'describe_global',
    version: conn.version,
    sobjects: global.sobjects.map((s) => s.name).sort(),
  });

  const account = await conn.sobject('Account').describe();
  say({
    step: 'describe',
    version: conn.version,
    name: account.name,
    key_prefix: account.keyPrefix,
    fields: account.fields.map((f) => f.name).sort(),
  });

  const created = await conn.sobject('Account').create({ Name: tag, Industry: 'Energy' });
  const read = await conn.sobject('Account').retrieve(created.id);
  await conn.sobject('Account').update({ Id: created.id, Name: `${tag} renamed` });
  const renamed = await conn.sobject('Account').retrieve(created.id);
  const destroyed = await conn.sobject('Account').destroy(created.id);
  let afterDestroy = null;
  try {
    await conn.sobject('Account').retrieve(created.id);
  } catch (error) {
    afterDestroy = error.errorCode;
  }
  say({
    step: 'crud',
    version: conn.version,
    created: created.success,
    id_length: created.id.length,
    read_name: read.Name,
    renamed: renamed.Name,
    destroyed: destroyed.success,
    after_destroy: afterDestroy,
  });

  // More than one collection's worth (200): with allowRecursive, jsforce splits the list itself.
  const contacts = Array.from({ length: 450 }, (_, i) => ({ LastName: tag, FirstName: `n${i}` }));
  const results = await conn.sobject('Contact').create(contacts, { allOrNone: true, allowRecursive: true });
  say({
    step: 'collections',
    version: conn.version,
    sent: contacts.length,
    succeeded: results.filter((r) => r.success).length,
  });

  const found = await queryAll(conn, `SELECT Id, FirstName FROM Contact WHERE LastName = '${tag}'`, 200);
  say({
    step: 'query_auto_fetch',
    version: conn.version,
    records: found.length,
    distinct: new Set(found.map((r) => r.Id)).size,
  });

  const limits = await conn.limits();
  say({
    step: 'limits',
    version: conn.version,
    daily_api_requests: limits.DailyApiRequests,
  });
  return conn;
}

async function bulk(conn) {
  const rows = Number(env.BULK_ROWS || 2000);
  const tag = `bulk ${Date.now()}`;
  const csv = ['Name,Industry,Description']
    .concat(Array.from({ length: rows }, (_, i) => `${tag} ${i},Energy,"row ${i}, loaded"`))
    .concat(['=1+2,Energy,formula'])
    .join('\n');
  conn.bulk2.pollInterval = 250;
  conn.bulk2.pollTimeout = 120000;
  const result = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'insert',
    input: csv,
  });
  say({
    step: 'bulk_ingest',
    version: conn.version,
    sent: rows + 1,
    successful: result.successfulResults.length,
    failed: result.failedResults.length,
    unprocessed: result.unprocessedRecords.length,
  });
  const queried = [];
  const stream = await conn.bulk2.query(`SELECT Id, Name FROM Account WHERE Industry = 'Energy'`);
  await new Promise((resolve, reject) => {
    stream.on('record', (record) => queried.push(record));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  say({
    step: 'bulk_query',
    version: conn.version,
    records: queried.length,
    tagged: queried.filter((r) => r.Name.startsWith(tag)).length,
  });
}

try {
  const info = JSON.parse(readFileSync(new URL('./node_modules/jsforce/package.json', import.meta.url)));
  say({ step: 'start', jsforce: info.version, node: process.version });
  const session = await login();
  await rest(session, undefined);
  const current = await rest(session, env.CURRENT_VERSION);
  if (env.BULK_ROWS !== '0') await bulk(current);
  say({ step: 'done' });
} catch (error) {
  say({ step: 'error', message: String(error && error.stack ? error.stack : error), code: error?.errorCode });
  process.exitCode = 1;
}
