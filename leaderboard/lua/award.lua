-- Add one solve to every board it touches, atomically.
-- KEYS[1] applied counter, KEYS[2] handles hash, KEYS[3] scopes set, KEYS[4] changed set,
-- KEYS[5..] boards (KEYS[5] is the quest's `all` board).
-- ARGV[1] player id, ARGV[2] handle, ARGV[3] points, ARGV[4] tick, ARGV[5..] scope names
-- of KEYS[5..] in the same order.
-- Returns {points on all, 0-based rank on all, size of all}.
local span = 4294967296
local member = ARGV[1]
local delta = tonumber(ARGV[3])
local low = span - 1 - tonumber(ARGV[4])
redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], member, ARGV[2])
local total = 0
for i = 5, #KEYS do
  local old = redis.call('ZSCORE', KEYS[i], member)
  local pts = 0
  if old then pts = math.floor(tonumber(old) / span) end
  pts = pts + delta
  redis.call('ZADD', KEYS[i], string.format('%.0f', pts * span + low), member)
  redis.call('SADD', KEYS[3], ARGV[i])
  redis.call('SADD', KEYS[4], ARGV[i])
  if i == 5 then total = pts end
end
local rank = redis.call('ZREVRANK', KEYS[5], member)
local size = redis.call('ZCARD', KEYS[5])
return {total, rank, size}
