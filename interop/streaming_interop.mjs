// jsforce's Streaming API (its Faye CometD client, unpatched) subscribes to the org's event bus:
// a platform event channel and an object's change events through conn.streaming.topic(), then
// replay through the extension jsforce ships (StreamingExtension.Replay with createClient):
// from a stored replay id after a disconnect, from -2 (all retained) and from -1 (new only).
// Events are published through jsforce's REST calls. Prints one JSON line per step for the
// pytest driver (tests/test_streaming_interop.py); an {"step": "error"} line ends the run.
//
// Environment: LOGIN_URL (the org's base URL), CLIENT_ID and CLIENT_SECRET (an app allowed the
// client credentials flow), CURRENT_VERSION (the org's newest API version).
import { createRequire } from 'node:module';
import jsforce from 'jsforce';

// jsforce documents its streaming extensions under this CommonJS path only.
const require = createRequire(import.meta.url);
const { StreamingExtension } = require('jsforce/api/streaming');

const env = process.env;
const ORDERS = '/event/Order_Placed__e';
const ACCOUNTS = '/data/AccountChangeEvent';
const say = (report) => process.stdout.write(JSON.stringify(report) + '\n');

function fail(error) {
  say({ step: 'error', message: String(error?.message ?? error), stack: error?.stack });
  process.exit(1);
}

// A hung subscription would otherwise leave the test waiting for its own timeout.
setTimeout(() => fail(new Error('the run did not finish within 150 s')), 150_000).unref();

// Every event a listener got, and a way to wait until what arrived satisfies a test.
function inbox() {
  const received = [];
  let wake = () => {};
  return {
    received,
    listener(data) {
      received.push(data);
      wake();
    },
    async until(test) {
      while (!test(received)) {
        await new Promise((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

const orderNumbers = (messages) => messages.map((m) => m.payload.Order_Number__c);
const hasOrder = (number) => (messages) => orderNumbers(messages).includes(number);

async function login() {
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: env.LOGIN_URL, clientId: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET },
    version: env.CURRENT_VERSION,
  });
  await conn.authorize({ grant_type: 'client_credentials' });
  say({ step: 'login', instance_url: conn.instanceUrl, version: conn.version });
  return conn;
}

async function publish(conn, number) {
  const result = await conn
    .sobject('Order_Placed__e')
    .create({ Order_Number__c: number, Amount__c: 125.5, Customer__c: 'Interop Traders' });
  say({ step: 'publish', number, success: result.success, errors: result.errors });
}

// A client of its own with jsforce's replay extension, subscribed to one channel.
async function replaying(conn, channel, replayId) {
  const box = inbox();
  const client = conn.streaming.createClient([new StreamingExtension.Replay(channel, replayId)]);
  await client.subscribe(channel, box.listener);
  return { box, client };
}

async function live(conn) {
  const orders = inbox();
  const accounts = inbox();
  await conn.streaming.topic(ORDERS).subscribe(orders.listener);
  await conn.streaming.topic(ACCOUNTS).subscribe(accounts.listener);
  say({ step: 'subscribed', channels: [ORDERS, ACCOUNTS] });

  await publish(conn, 'ORD-1');
  await orders.until(hasOrder('ORD-1'));
  say({ step: 'platform_event', data: orders.received.find((m) => hasOrder('ORD-1')([m])) });

  const account = await conn.sobject('Account').create({ Name: 'Streaming Interop Ltd' });
  await conn.sobject('Account').update({ Id: account.id, Industry: 'Energy' });
  const ofAccount = (messages) =>
    messages.filter((m) => m.payload.ChangeEventHeader.recordIds.includes(account.id));
  await accounts.until((messages) =>
    ofAccount(messages).some((m) => m.payload.ChangeEventHeader.changeType === 'UPDATE'),
  );
  say({ step: 'change_events', account_id: account.id, data: ofAccount(accounts.received) });
  return { orders, accountId: account.id, ofAccount };
}

async function replay(conn, { orders, ofAccount }) {
  // A subscriber that stores the replay id of what it got, goes away, and comes back with it.
  const first = await replaying(conn, ORDERS, -1);
  await publish(conn, 'ORD-2');
  await first.box.until(hasOrder('ORD-2'));
  const stored = first.box.received.at(-1).event.replayId;
  await first.client.disconnect();
  say({ step: 'away', stored_replay_id: stored, got: orderNumbers(first.box.received) });
  await publish(conn, 'ORD-3');
  await publish(conn, 'ORD-4');

  const back = await replaying(conn, ORDERS, stored);
  await back.box.until(hasOrder('ORD-4'));
  say({ step: 'replay_stored', ...described(back.box.received) });

  const all = await replaying(conn, ORDERS, -2);
  await all.box.until(hasOrder('ORD-4'));
  say({ step: 'replay_all', ...described(all.box.received) });

  const changes = await replaying(conn, ACCOUNTS, -2);
  await changes.box.until((m) => ofAccount(m).length >= 2);
  const types = ofAccount(changes.box.received).map((m) => m.payload.ChangeEventHeader.changeType);
  say({ step: 'replay_changes', change_types: types });

  const fresh = await replaying(conn, ORDERS, -1);
  await publish(conn, 'ORD-5');
  await fresh.box.until(hasOrder('ORD-5'));
  say({ step: 'replay_new', ...described(fresh.box.received) });

  await orders.until(hasOrder('ORD-5'));
  say({ step: 'live_all_along', ...described(orders.received) });
  for (const client of [back.client, all.client, changes.client, fresh.client]) {
    await client.disconnect();
  }
}

function described(messages) {
  return {
    orders: orderNumbers(messages),
    replay_ids: messages.map((m) => m.event.replayId),
  };
}

try {
  say({ step: 'start', jsforce: jsforce.VERSION });
  const conn = await login();
  const seen = await live(conn);
  await replay(conn, seen);
  say({ step: 'done' });
  process.exit(0);
} catch (error) {
  fail(error);
}
