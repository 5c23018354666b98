-- ListTrials filter "phase = PHASE_2 AND country = PL", page_size 20,
-- show_total_size: the first page in the default order (by id) and the total.
SELECT * FROM trials WHERE phase = 'PHASE_2' AND countries @> ARRAY['PL']
  ORDER BY nct_id LIMIT 20;
SELECT count(*) FROM trials WHERE phase = 'PHASE_2' AND countries @> ARRAY['PL'];
