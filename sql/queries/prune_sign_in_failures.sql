-- The records that can no longer count or lock anything at $at: the run of failures has gone quiet
-- ($window, an INTERVAL, after the last one) and any lock has run out.
DELETE FROM sign_in_throttle
WHERE greatest(last_failed_at + $window, coalesce(locked_until, last_failed_at)) <= $at
