-- Marks a detached session whose window closed as expiring. KEYS: ws_conn:<id>. ARGV: now.
-- Returns {'expire', subscriptions}, {'gone'} (no such session), {'wait', deadline} (detached,
-- window still open) or {'attached'} (resumed, or written back by its gateway).
local h = redis.call('HMGET', KEYS[1], 'state', 'resume_deadline', 'subscriptions')
if not h[1] then return {'gone'} end
if h[1] == 'expiring' or (h[1] == 'detached' and tonumber(h[2]) <= tonumber(ARGV[1])) then
  redis.call('HSET', KEYS[1], 'state', 'expiring')
  return {'expire', h[3] or '{}'}
end
if h[1] == 'detached' then return {'wait', h[2]} end
return {'attached'}
