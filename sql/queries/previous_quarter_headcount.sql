-- The trust's latest loaded quarter before this one, and its total headcount.
SELECT period_end, sum(headcount)::INTEGER AS headcount
FROM int_current_return_rows
WHERE trust_code = $trust_code AND period_end < $period_end
GROUP BY period_end
ORDER BY period_end DESC
LIMIT 1
