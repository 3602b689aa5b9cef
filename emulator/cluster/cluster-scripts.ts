/** Lua steps of the cluster directory (atomic in Redis; every key shares the hub's hash tag). */

/**
 * An identity connected to this node: the next claim number, the owner hash entry (`<gen> <node> <at ms>`), and the
 * broadcast, in one step (so the claim numbers in the hash and on the channel agree). KEYS: 1 claim counter, 2 owner
 * hash. ARGV: 1 identity key, 2 node id, 3 broadcast channel, 4 when it connected (ms since the epoch, the node's
 * clock). Reply: the claim number.
 */
export const CLAIM_SCRIPT = `
local gen = redis.call('INCR', KEYS[1])
local at = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], gen .. ' ' .. ARGV[2] .. ' ' .. ARGV[4])
redis.call('PUBLISH', ARGV[3], cjson.encode({t = 'claim', key = ARGV[1], node = ARGV[2], gen = gen, at = at}))
return gen
`;

/**
 * This node's connection of an identity ended: drop the owner entry only if it is still this claim (a newer claim
 * elsewhere stays), and tell the others. KEYS: 1 owner hash. ARGV: 1 identity key, 2 node id, 3 claim number,
 * 4 broadcast channel, 5 when it ended (ms since the epoch). Reply: 1 dropped, 0 a newer claim owns it.
 */
export const GONE_SCRIPT = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
local gen, node = string.match(entry, '^(%d+) (%S+)')
if gen ~= ARGV[3] or node ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[4], cjson.encode({t = 'gone', key = ARGV[1], node = ARGV[2], gen = tonumber(ARGV[3]), at = tonumber(ARGV[5])}))
return 1
`;

/**
 * The leader lease (who runs jobs and configurations): taken when free, renewed by its holder.
 * KEYS: 1 lease key. ARGV: 1 node id, 2 lease ms. Reply: 1 this node leads, 0 another does.
 */
export const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;
