-- ListTrials filter "phase = PHASE_2 AND country = PL", order_by
-- "start_date desc", page_size 20, show_total_size. Like the API, trials
-- without a start date come first (PostgreSQL's default for DESC), then by ID.
SELECT * FROM trials WHERE phase = 'PHASE_2' AND countries @> ARRAY['PL']
  ORDER BY start_date DESC, nct_id LIMIT 20;
SELECT count(*) FROM trials WHERE phase = 'PHASE_2' AND countries @> ARRAY['PL'];
