-- GetPipelineBreakdown subject TRIALS, group_by [phase, country]: the rows,
-- the exact per-dimension totals (a trial counts once per country) and the
-- total — what analytics gets from its three CountTrials calls.
SELECT coalesce(t.phase, 'UNSPECIFIED') AS phase, coalesce(c.country, '(none)') AS country, count(*)
  FROM trials t LEFT JOIN LATERAL unnest(t.countries) AS c(country) ON true
  GROUP BY GROUPING SETS ((1, 2), (2));
SELECT coalesce(phase, 'UNSPECIFIED') AS phase, count(*) FROM trials GROUP BY ROLLUP (1);
