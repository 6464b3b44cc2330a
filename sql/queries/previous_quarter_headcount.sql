-- The trust's latest loaded quarter before this one, and its total headcount (its current version's
-- rows, as int_current_return_rows holds them; read from the tables, as this runs inside every load).
SELECT rv.period_end, sum(rr.headcount)::INTEGER AS headcount
FROM return_version AS rv
JOIN return_row AS rr USING (submission_id)
WHERE rv.is_current AND rv.trust_code = $trust_code AND rv.period_end < $period_end
GROUP BY rv.period_end
ORDER BY rv.period_end DESC
LIMIT 1
