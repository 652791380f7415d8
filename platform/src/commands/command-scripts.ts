/**
 * The Lua scripts behind the command bus. Each state change of a command is one script, so no two
 * processes can both move a command: `queued` → `sending` happens once (take), and every final status
 * is written only from the state the writer saw. That is what makes sending exactly-once:
 *
 * - take: only the collector the station hash names as owner, while the station is online, and only
 *   when nothing is in flight on the station's current connection. The in-flight marker records the
 *   connection (`<collector>@<connectedAt>`); a marker from an earlier connection means that
 *   connection closed with the command unanswered: it ends `interrupted`, never resent.
 * - finish: only the sender, on the connection it sent on, from `sending`.
 * - release: the sender found the connection changed before anything went on the wire: back to the
 *   head of the queue.
 * - sweep: deadlines of waiting commands (`offline` or `timeout`) and senders that went silent past
 *   the call timeout (`interrupted`).
 * - submit: refuses unknown stations and full queues, fails fast when asked and the station is offline;
 *   a record that already exists (a submitter-chosen id submitted again) is left as it is.
 *
 * Every final transition drops the raw parameters (`params`; the redacted `shown` stays) and publishes
 * the id on the done channel. Times come from the caller's clock as epoch milliseconds.
 */

/**
 * KEYS: stations set, station hash, queue, history, record, pending
 * ARGV: stationId, id, now, deadline, wfc, name, params, shown, actor, ttlSec, historyCutoff, historyLimit,
 *       offlineResult, doneChannel, maxQueued
 */
export const SUBMIT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {'unknown'} end
if redis.call('EXISTS', KEYS[5]) == 1 then return {'exists'} end
if redis.call('LLEN', KEYS[3]) >= tonumber(ARGV[15]) then return {'full'} end
local st = redis.call('HMGET', KEYS[2], 'online', 'collectorId')
redis.call('HSET', KEYS[5], 'id', ARGV[2], 'station', ARGV[1], 'name', ARGV[6], 'params', ARGV[7], 'shown', ARGV[8],
  'actor', ARGV[9], 'submittedAt', ARGV[3], 'deadline', ARGV[4], 'wfc', ARGV[5], 'status', 'queued')
redis.call('EXPIRE', KEYS[5], ARGV[10])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[11])
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[12]) + 1))
if st[1] ~= '1' and ARGV[5] == '0' then
  redis.call('HSET', KEYS[5], 'status', 'offline', 'result', ARGV[13], 'finishedAt', ARGV[3])
  redis.call('HDEL', KEYS[5], 'params')
  redis.call('PUBLISH', ARGV[14], ARGV[2])
  return {'offline'}
end
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[4], ARGV[2])
return {'queued', st[2] or '', st[1] or '0'}
`;

/**
 * KEYS: station hash, queue, inflight, pending
 * ARGV: collectorId, now, replyBy, recordPrefix, graceMs, interruptedResult, timeoutResult, doneChannel
 * Returns {'not_owner'} | {'busy'} | {'empty', ended…} | {'took', id, connection, name, params, ended…},
 * where ended lists id, status pairs this call finalised.
 */
export const TAKE = `
local st = redis.call('HMGET', KEYS[1], 'online', 'collectorId', 'connectedAt')
if st[1] ~= '1' or st[2] ~= ARGV[1] then return {'not_owner'} end
local conn = ARGV[1] .. '@' .. (st[3] or '')
local now = tonumber(ARGV[2])
local ended = {}
local function final(rk, id, status, result)
  redis.call('HSET', rk, 'status', status, 'result', result, 'finishedAt', ARGV[2])
  redis.call('HDEL', rk, 'params')
  redis.call('ZREM', KEYS[4], id)
  redis.call('PUBLISH', ARGV[8], id)
  table.insert(ended, id)
  table.insert(ended, status)
end
local cur = redis.call('GET', KEYS[3])
if cur then
  local at = string.find(cur, '|', 1, true)
  local cid, cconn = string.sub(cur, 1, at - 1), string.sub(cur, at + 1)
  if cconn == conn then return {'busy'} end
  local rk = ARGV[4] .. cid
  if redis.call('HGET', rk, 'status') == 'sending' and redis.call('HGET', rk, 'conn') == cconn then
    final(rk, cid, 'interrupted', ARGV[6])
  end
  redis.call('DEL', KEYS[3])
end
while true do
  local id = redis.call('LPOP', KEYS[2])
  if not id then return {'empty', unpack(ended)} end
  local rk = ARGV[4] .. id
  local f = redis.call('HMGET', rk, 'status', 'deadline', 'name', 'params')
  if f[1] == 'queued' then
    if tonumber(f[2]) < now then
      final(rk, id, 'timeout', ARGV[7])
    else
      redis.call('HSET', rk, 'status', 'sending', 'sentAt', ARGV[2], 'replyBy', ARGV[3], 'collector', ARGV[1], 'conn', conn)
      redis.call('SET', KEYS[3], id .. '|' .. conn)
      redis.call('ZADD', KEYS[4], tonumber(ARGV[3]) + tonumber(ARGV[5]), id)
      return {'took', id, conn, f[3], f[4], unpack(ended)}
    end
  end
end
`;

/**
 * KEYS: record, inflight, pending
 * ARGV: id, connection, status, result, now, ttlSec, doneChannel
 */
export const FINISH = `
local f = redis.call('HMGET', KEYS[1], 'status', 'conn')
if f[1] ~= 'sending' or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'result', ARGV[4], 'finishedAt', ARGV[5])
redis.call('HDEL', KEYS[1], 'params')
redis.call('EXPIRE', KEYS[1], ARGV[6])
if redis.call('GET', KEYS[2]) == ARGV[1] .. '|' .. ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[7], ARGV[1])
return 1
`;

/**
 * KEYS: record, inflight, queue, pending
 * ARGV: id, connection
 */
export const RELEASE = `
local f = redis.call('HMGET', KEYS[1], 'status', 'conn', 'deadline')
if f[1] ~= 'sending' or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued')
redis.call('HDEL', KEYS[1], 'sentAt', 'replyBy', 'collector', 'conn', 'protocol', 'action')
if redis.call('GET', KEYS[2]) == ARGV[1] .. '|' .. ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], f[3], ARGV[1])
return 1
`;

/**
 * KEYS: record, pending, station hash, queue, inflight
 * ARGV: id, now, graceMs, offlineResult, timeoutResult, interruptedResult, doneChannel
 * Returns the final status it wrote, or 'later' / 'final' / 'gone'.
 */
export const SWEEP = `
local f = redis.call('HMGET', KEYS[1], 'status', 'deadline', 'replyBy', 'conn')
local now = tonumber(ARGV[2])
if not f[1] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'gone'
end
local status, result
if f[1] == 'queued' then
  if tonumber(f[2]) > now then
    redis.call('ZADD', KEYS[2], f[2], ARGV[1])
    return 'later'
  end
  if redis.call('HGET', KEYS[3], 'online') == '1' then status, result = 'timeout', ARGV[5] else status, result = 'offline', ARGV[4] end
  redis.call('LREM', KEYS[4], 0, ARGV[1])
elseif f[1] == 'sending' then
  local due = tonumber(f[3]) + tonumber(ARGV[3])
  if due > now then
    redis.call('ZADD', KEYS[2], due, ARGV[1])
    return 'later'
  end
  status, result = 'interrupted', ARGV[6]
  if redis.call('GET', KEYS[5]) == ARGV[1] .. '|' .. f[4] then redis.call('DEL', KEYS[5]) end
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'final'
end
redis.call('HSET', KEYS[1], 'status', status, 'result', result, 'finishedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'params')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[7], ARGV[1])
return status
`;
