-- CountTrials group_by [phase, country], no filter: one row per (phase,
-- country), a missing phase as UNSPECIFIED and a missing country as "(none)"
-- as the catalog reports them, and the total.
SELECT coalesce(t.phase, 'UNSPECIFIED') AS phase, coalesce(c.country, '(none)') AS country, count(*)
  FROM trials t LEFT JOIN LATERAL unnest(t.countries) AS c(country) ON true
  GROUP BY 1, 2;
SELECT count(*) FROM trials;
