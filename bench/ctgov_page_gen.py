#!/usr/bin/env python3
"""Writes a large ClinicalTrials.gov API v2 search page for the import benchmark.

The page holds N full studies derived from the real fixtures in
tests/fixtures/ctgov (NCT02552212, NCT02210780): each copy gets its own
NCT ID, sponsor, version date and phase, and a share of them keep their
resultsSection, so that the page is the size of a real `pageSize=1000` page of
full studies (20-70 MB). Not a unit test: see docs/import.md for how it is used.

    python3 bench/ctgov_page_gen.py --studies 1000 --out /tmp/page-1000.json
    /usr/bin/time -v build/cmd/regenatlas/regenatlas import ctgov /tmp/page-1000.json \
        --data_dir=/tmp/bench-db --dataset=none
"""

import argparse
import copy
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "ctgov")
BASES = ["aact__json_v2_NCT02552212.json", "aact__json_v2_NCT02210780.json"]
PHASES = [["PHASE1"], ["PHASE1", "PHASE2"], ["PHASE2"], ["PHASE2", "PHASE3"], ["PHASE3"], ["NA"]]
# Country names as ClinicalTrials.gov prints them, most frequent first.
COUNTRIES = ["United States", "China", "France", "Germany", "United Kingdom", "Spain", "Italy",
             "Canada", "Poland", "Japan", "Korea, Republic of", "Australia", "Netherlands",
             "Belgium", "Brazil", "India", "Israel", "Sweden", "Denmark", "Switzerland"]
STATUSES = ["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", "TERMINATED", "NOT_YET_RECRUITING"]


def vary(rng, ps):
    """Countries and start date for query benchmarks (deterministic in rng)."""
    for module in ("outcomesModule", "eligibilityModule", "referencesModule"):
        ps.pop(module, None)
    # Skewed towards the first countries, as real registries are.
    countries = {COUNTRIES[min(int(rng.expovariate(0.25)), len(COUNTRIES) - 1)]
                 for _ in range(rng.randint(1, 3))}
    locations = ps["contactsLocationsModule"]["locations"]
    ps["contactsLocationsModule"]["locations"] = [
        dict(locations[k % len(locations)], country=c)
        for k, c in enumerate(sorted(countries))]
    ps["statusModule"]["startDateStruct"] = {
        "date": "%d-%02d-%02d" % (rng.randint(1995, 2025), rng.randint(1, 12), rng.randint(1, 28)),
        "type": "ACTUAL"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--results_share", type=float, default=0.3,
                        help="share of studies that keep their resultsSection")
    parser.add_argument("--sponsors", type=int, default=200, help="distinct sponsor names")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vary", action="store_true",
                        help="query-benchmark shape: 1-3 countries of COUNTRIES per study (a "
                             "handful of sites each), start dates spread over 1995-2025, bulky "
                             "text modules (outcomes, eligibility, references) dropped; off keeps "
                             "the fixtures' locations, dates and text (import benchmark)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    bases = []
    for name in BASES:
        with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
            bases.append(json.load(f))

    with open(args.out, "w", encoding="utf-8") as out:
        out.write('{"studies": [')
        for i in range(args.studies):
            study = copy.deepcopy(bases[i % len(bases)])
            if rng.random() >= args.results_share:
                study.pop("resultsSection", None)
            ps = study["protocolSection"]
            ps["identificationModule"]["nctId"] = "NCT9%07d" % i
            ps["identificationModule"].pop("secondaryIdInfos", None)
            ps["designModule"]["phases"] = rng.choice(PHASES)
            ps["statusModule"]["overallStatus"] = rng.choice(STATUSES)
            ps["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = (
                "Bench Sponsor %03d" % rng.randrange(args.sponsors))
            study["derivedSection"]["miscInfoModule"]["versionHolder"] = "2024-%02d-%02d" % (
                rng.randint(1, 12), rng.randint(1, 28))
            if args.vary:
                vary(rng, ps)
            if i:
                out.write(",")
            json.dump(study, out, ensure_ascii=False)
        out.write('], "totalCount": %d, "nextPageToken": "bench"}' % (args.studies * 3))
    print("%s: %d studies, %.1f MB" % (args.out, args.studies, os.path.getsize(args.out) / 1e6))


if __name__ == "__main__":
    main()
