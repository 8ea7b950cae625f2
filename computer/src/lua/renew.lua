-- KEYS: lease; ARGV: token, ttl ms. Extends the lease while the token holds it: 1, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
