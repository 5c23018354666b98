-- The PostgreSQL 15 side of the registry-scale benchmark (docs/performance.md):
-- the trials of bench/ctgov_registry_gen.py as the catalog stores them (phase
-- normalised to the catalog's stage names, countries as ISO codes), loaded
-- with COPY from its trials.csv; indexes.sql runs after the load.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DROP TABLE IF EXISTS trials;
CREATE TABLE trials (
  nct_id text PRIMARY KEY,
  title text NOT NULL,
  phase text,                   -- EARLY_PHASE_1, PHASE_1, PHASE_1_2, PHASE_2, PHASE_2_3, PHASE_3; NULL: none
  phase_text text,              -- as printed: PHASE1/PHASE2, NA, PHASE4 ...
  status text NOT NULL,
  start_date date,              -- first day of the month at month precision
  start_date_precision text,    -- day | month
  start_date_estimated boolean,
  completion_date date,
  enrollment integer,
  sponsor text NOT NULL,
  collaborators text[] NOT NULL,
  countries text[] NOT NULL,    -- ISO 3166-1 alpha-2, sorted, unique
  conditions text[] NOT NULL,
  interventions text[] NOT NULL,
  version_date date
);
