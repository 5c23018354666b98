-- Indexes a competent engineer adds for the benchmark's queries (after the
-- bulk load), then statistics and the visibility map (index-only scans).
CREATE INDEX trials_phase ON trials (phase);
CREATE INDEX trials_start_date ON trials (start_date);
CREATE INDEX trials_status ON trials (status);
CREATE INDEX trials_sponsor ON trials (sponsor);
CREATE INDEX trials_countries ON trials USING gin (countries);
CREATE INDEX trials_title_trgm ON trials USING gin (title gin_trgm_ops);
-- ListTrials phase = … AND country = … (default order: by id) and the same
-- ordered by start_date desc: walk one phase in the requested order, check
-- the countries, stop after the page.
CREATE INDEX trials_phase_id ON trials (phase, nct_id);
CREATE INDEX trials_phase_start ON trials (phase, start_date DESC, nct_id);
VACUUM ANALYZE trials;
