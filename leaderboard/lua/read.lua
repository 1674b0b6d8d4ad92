-- Read a board page in one round trip: its top (`top`) or the rows around a player (`me`).
-- KEYS[1] the board (sorted set), KEYS[2] the quest's handles hash.
-- ARGV[1] 'top' or 'me'; top: ARGV[2] offset, ARGV[3] limit; me: ARGV[2] player id,
-- ARGV[3] rows either side; ARGV[4] tick span (2^TICK_BITS).
-- Returns {total, first row's 0-based rank, player's 0-based rank (-1: top, or not on the
-- board), {member, score, ...}, {handle, ...}, {rows with more points than row i, ...}};
-- for `me` of a player not on the board: {total, 0, -1, {}, {}, {}}.
-- Scores leave as Redis prints them (exact integers below 2^53); points are score / span
-- rounded down, exact in Lua's doubles for the same reason.
local span = tonumber(ARGV[4])
local total = redis.call('ZCARD', KEYS[1])
local start, stop, rank = 0, -1, -1
if ARGV[1] == 'top' then
  start = tonumber(ARGV[2])
  stop = start + tonumber(ARGV[3]) - 1
else
  local r = redis.call('ZREVRANK', KEYS[1], ARGV[2])
  if not r then return {total, 0, -1, {}, {}, {}} end
  rank = r
  start = math.max(0, r - tonumber(ARGV[3]))
  stop = r + tonumber(ARGV[3])
end
local rows = redis.call('ZREVRANGE', KEYS[1], start, stop, 'WITHSCORES')
if #rows == 0 then return {total, start, rank, {}, {}, {}} end
local members = {}
for i = 1, #rows, 2 do members[#members + 1] = rows[i] end
local handles = redis.call('HMGET', KEYS[2], unpack(members))
for i = 1, #handles do
  if not handles[i] then handles[i] = '' end
end
local higher, seen = {}, {}
for i = 2, #rows, 2 do
  local points = math.floor(tonumber(rows[i]) / span)
  local n = seen[points]
  if not n then
    n = redis.call('ZCOUNT', KEYS[1], string.format('%.0f', (points + 1) * span), '+inf')
    seen[points] = n
  end
  higher[#higher + 1] = n
end
return {total, start, rank, rows, handles, higher}
