-- GetTrial by NCT ID: the IDs of bench/requests/get_trial.jsonl (every 10th of
-- the first 10,000 studies; nct_id() of bench/ctgov_registry_gen.py), random.
\set k random(0, 999) * 10
\set n 10000000 + ((:k * 7919 + 12345) % 90000000)
SELECT * FROM trials WHERE nct_id = 'NCT' || :n;
