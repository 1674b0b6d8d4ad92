-- Add one solve to every board it touches, atomically.
-- KEYS[1] applied counter, KEYS[2] handles hash, KEYS[3] scopes set, KEYS[4] changed set,
-- KEYS[5] encoding marker, KEYS[6..] boards (KEYS[6] is the quest's `all` board).
-- ARGV[1] player id, ARGV[2] handle, ARGV[3] points, ARGV[4] tick, ARGV[5] encoding marker
-- ("<layout>:<epoch ms>"), ARGV[6] tick span (2^TICK_BITS), ARGV[7] largest points,
-- ARGV[8..] scope names of KEYS[6..] in the same order.
-- Returns {points on all, 0-based rank on all, size of all}; an error (nothing written)
-- when the boards were written with another encoding or epoch: the reconciler rebuilds them.
-- Every value stays an integer below 2^53, so Lua's doubles hold it exactly; the arithmetic
-- is the one leaderboard/board.py `composite` does for a rebuild.
local mark = redis.call('GET', KEYS[5])
if mark ~= ARGV[5] then
  if mark or redis.call('EXISTS', KEYS[1], KEYS[6]) > 0 then
    return redis.error_reply('STALEBOARDS boards of another score encoding; rebuild from SQL')
  end
  redis.call('SET', KEYS[5], ARGV[5])
end
local member = ARGV[1]
local delta = tonumber(ARGV[3])
local ticks = tonumber(ARGV[4])
local span = tonumber(ARGV[6])
local most = tonumber(ARGV[7])
redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], member, ARGV[2])
local total = 0
for i = 6, #KEYS do
  local old = redis.call('ZSCORE', KEYS[i], member)
  local pts = 0
  local t = ticks
  if old then
    old = tonumber(old)
    pts = math.floor(old / span)
    -- "reached" is the latest solve on this board, whatever order the awards arrive in
    local old_ticks = span - 1 - (old - pts * span)
    if old_ticks > t then t = old_ticks end
  end
  pts = math.min(pts + delta, most)
  redis.call('ZADD', KEYS[i], string.format('%.0f', pts * span + (span - 1 - t)), member)
  redis.call('SADD', KEYS[3], ARGV[i + 2])
  redis.call('SADD', KEYS[4], ARGV[i + 2])
  if i == 6 then total = pts end
end
local rank = redis.call('ZREVRANK', KEYS[6], member)
local size = redis.call('ZCARD', KEYS[6])
return {total, rank, size}
