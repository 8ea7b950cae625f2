-- KEYS: 1 lease, 2 forming, 3 cursor, 4 seq, 5 state, 6.. one candle list per closed candle,
--       then one history stream per publication
-- ARGV: token, cursor ('' = keep), candle cap, history cap, history ms, now ms,
--       publish ('1': PUBLISH here; '0': the caller SPUBLISHes after, on a cluster),
--       n_forming, (tf, bytes|'')*, n_closed, (bytes)*, n_pub, (channel, tf, seq, payload)*,
--       n_state, (field, bytes)*
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
local cap = tonumber(ARGV[3])
local hcap = ARGV[4]
local hms = tonumber(ARGV[5])
local cutoff = tonumber(ARGV[6]) - hms
local publish = ARGV[7] == '1'
local i = 8
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[2], ARGV[i])
  else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
local closed = tonumber(ARGV[i]); i = i + 1
for k = 1, closed do
  redis.call('RPUSH', KEYS[5 + k], ARGV[i])
  redis.call('LTRIM', KEYS[5 + k], -cap, -1)
  i = i + 1
end
n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do
  local h = KEYS[5 + closed + k]
  -- The entry id is the seq: a gateway reads "everything after seq N" with one XRANGE.
  redis.pcall('XADD', h, 'MAXLEN', hcap, ARGV[i + 2] .. '-0', 'd', ARGV[i + 3], 't', ARGV[6])
  for _ = 1, 8 do
    local first = redis.call('XRANGE', h, '-', '+', 'COUNT', 1)[1]
    if first == nil or tonumber(first[2][4]) >= cutoff then break end
    redis.call('XDEL', h, first[1])
  end
  redis.call('PEXPIRE', h, hms)
  if publish then redis.call('PUBLISH', ARGV[i], ARGV[i + 3]) end
  redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i + 2])
  i = i + 4
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
return 1
