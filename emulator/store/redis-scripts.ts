/**
 * The Redis store's server-side steps (Lua, run atomically by Redis: no other command runs in between). Every key
 * a script touches is passed in KEYS and shares one hash tag, so the scripts also run on a Redis Cluster shard.
 */

/**
 * Appends one group-commit batch, after checking that it is not stale.
 * KEYS: 1 the change stream, 2 the batch counter, 3 the last-writer hash (conflict key → "<seq> <node>").
 * ARGV: 1 node id, 2 the batch's change records (JSON), 3 the checks: JSON `[[position, [key, …]], …]`, one per
 * append, where `position` is the last batch seq the node had applied when that append was planned.
 * A check fails when another node wrote one of its keys in a batch after `position`: the reply is then
 * `{'conflict', key, lastWriter}` and nothing is written. Otherwise the batch gets the next seq, is added to the
 * stream as `seq`, `node`, `changes`, the keys are marked, and the reply is `{'ok', seq, streamId}`.
 */
export const APPEND_SCRIPT = `
local checks = cjson.decode(ARGV[3])
for _, check in ipairs(checks) do
  local position = tonumber(check[1])
  for _, key in ipairs(check[2]) do
    local last = redis.call('HGET', KEYS[3], key)
    if last then
      local seq, node = string.match(last, '^(%d+) (.*)$')
      if tonumber(seq) > position and node ~= ARGV[1] then
        return {'conflict', key, last}
      end
    end
  end
end
local seq = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[1], '*', 'seq', seq, 'node', ARGV[1], 'changes', ARGV[2])
local mark = seq .. ' ' .. ARGV[1]
for _, check in ipairs(checks) do
  for _, key in ipairs(check[2]) do
    redis.call('HSET', KEYS[3], key, mark)
  end
end
return {'ok', seq, id}
`;

/**
 * Stores a snapshot of the committed state if it is newer than the stored one, and trims the stream up to the
 * previous snapshot (one snapshot interval stays readable for nodes that lag behind).
 * KEYS: 1 the snapshot document, 2 the snapshot meta hash (seq, id), 3 the change stream.
 * ARGV: 1 the snapshot's last batch seq, 2 that batch's stream id, 3 the document (JSON).
 * Reply: 1 stored, 0 an equal or newer snapshot was already there.
 */
export const SNAPSHOT_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if current >= tonumber(ARGV[1]) then return 0 end
local previous = redis.call('HGET', KEYS[2], 'id')
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'id', ARGV[2])
if previous then redis.call('XTRIM', KEYS[3], 'MINID', previous) end
return 1
`;
