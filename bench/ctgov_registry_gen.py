#!/usr/bin/env python3
"""Writes a synthetic ClinicalTrials.gov registry for the registry-scale benchmark.

N studies (10K, 100K, 600K ...) as ClinicalTrials.gov API v2 search pages
(`{"studies": [...], "nextPageToken": ...}`, --page_size studies per file)
for `regenatlas import ctgov`, and the same trials as one CSV file for
PostgreSQL's COPY (bench/postgres/schema.sql). Deterministic: one seeded RNG
drawn in study order, so the first K studies of a run of N are the K studies
of a run of K (a 10K registry is a prefix of the 600K one). Streams: memory
stays flat whatever N is.

Distributions (shaped like the registry, not copied from it):
  - study type: 22 % observational (no phases), else interventional with
    phases NA 30, EARLY_PHASE1 1.5, PHASE1 10, PHASE1|PHASE2 3, PHASE2 13.5,
    PHASE2|PHASE3 1.5, PHASE3 9, PHASE4 9.5 (percent of all studies);
  - start dates 2000-01 .. 2026-12, more recent years more frequent, at day
    precision (mostly recent) or month precision, ESTIMATED after "today"
    (2026-03-01, fixed); ~0.5 % without a start date; completion 6-72 months
    later; overall status consistent with the dates;
  - lead sponsors Zipf-like (s = 0.7) over 3,000 names, 25 % with
    collaborators from the same pool;
  - 1-3 countries (75/15/10 %) from 100 registry country names, Zipf-like
    (s = 1.2): United States in ~35 % of studies, Poland (rank 15) in ~1.5 %;
    1-4 sites per country;
  - 1-3 conditions from 120 (Zipf-like), keywords, 1-3 interventions (drug
    codes that match no catalog product, placebo, procedures ...), arms,
    eligibility and a summary of 40-120 words: ~3-4 KB of JSON per study
    (real full records without results are ~10-40 KB: see docs/performance.md).

    python3 bench/ctgov_registry_gen.py --studies 100000 --out_dir /tmp/reg-100k
    # → /tmp/reg-100k/pages/page-000001.json ... , trials.csv, manifest.json

The GetTrial requests of the benchmark (bench/requests/get_trial.jsonl) are
the NCT IDs of every 10th of the first 10,000 studies:
    python3 bench/ctgov_registry_gen.py --write_get_trial_requests bench/requests/get_trial.jsonl
"""

import argparse
import bisect
import csv
import itertools
import json
import os
import random
import sys
import time

GENERATOR_VERSION = 2
TODAY = (2026, 3, 1)

# (ClinicalTrials.gov spelling, ISO code), by rank. Every name is in the
# importer's table (services/catalog/ctgov_countries.cc).
COUNTRIES = [
    ("United States", "US"), ("France", "FR"), ("China", "CN"), ("Canada", "CA"),
    ("Germany", "DE"), ("United Kingdom", "GB"), ("Spain", "ES"), ("Italy", "IT"),
    ("Korea, Republic of", "KR"), ("Netherlands", "NL"), ("Belgium", "BE"), ("Japan", "JP"),
    ("Egypt", "EG"), ("Australia", "AU"), ("Poland", "PL"), ("Denmark", "DK"), ("Sweden", "SE"),
    ("Brazil", "BR"), ("Israel", "IL"), ("Switzerland", "CH"), ("Turkey", "TR"),
    ("Taiwan", "TW"), ("Russian Federation", "RU"), ("Czechia", "CZ"), ("Hungary", "HU"),
    ("Austria", "AT"), ("Mexico", "MX"), ("Argentina", "AR"), ("India", "IN"), ("Norway", "NO"),
    ("Finland", "FI"), ("Greece", "GR"), ("Iran, Islamic Republic of", "IR"),
    ("Pakistan", "PK"), ("Portugal", "PT"), ("Ireland", "IE"), ("Thailand", "TH"),
    ("Romania", "RO"), ("Singapore", "SG"), ("Hong Kong", "HK"), ("South Africa", "ZA"),
    ("Chile", "CL"), ("Colombia", "CO"), ("Bulgaria", "BG"), ("Ukraine", "UA"),
    ("Serbia", "RS"), ("Slovakia", "SK"), ("New Zealand", "NZ"), ("Saudi Arabia", "SA"),
    ("Malaysia", "MY"), ("Vietnam", "VN"), ("Peru", "PE"), ("Philippines", "PH"),
    ("Lithuania", "LT"), ("Estonia", "EE"), ("Latvia", "LV"), ("Croatia", "HR"),
    ("Slovenia", "SI"), ("Indonesia", "ID"), ("Puerto Rico", "PR"), ("Lebanon", "LB"),
    ("Jordan", "JO"), ("Tunisia", "TN"), ("Morocco", "MA"), ("Nigeria", "NG"), ("Kenya", "KE"),
    ("Uganda", "UG"), ("Tanzania", "TZ"), ("Ghana", "GH"), ("Ethiopia", "ET"),
    ("Bangladesh", "BD"), ("Nepal", "NP"), ("Sri Lanka", "LK"), ("Qatar", "QA"),
    ("United Arab Emirates", "AE"), ("Kuwait", "KW"), ("Iraq", "IQ"),
    ("Syrian Arab Republic", "SY"), ("Georgia", "GE"), ("Armenia", "AM"), ("Belarus", "BY"),
    ("Kazakhstan", "KZ"), ("Uzbekistan", "UZ"), ("Moldova, Republic of", "MD"),
    ("Bosnia and Herzegovina", "BA"), ("North Macedonia", "MK"), ("Albania", "AL"),
    ("Iceland", "IS"), ("Luxembourg", "LU"), ("Cyprus", "CY"), ("Malta", "MT"),
    ("Guatemala", "GT"), ("Panama", "PA"), ("Costa Rica", "CR"), ("Dominican Republic", "DO"),
    ("Ecuador", "EC"), ("Uruguay", "UY"), ("Paraguay", "PY"), ("Cuba", "CU"), ("Jamaica", "JM"),
]

# (phases as printed, catalog phase, weight in % of all studies); None =
# observational (no designModule.phases).
PHASES = [
    (None, None, 22.0), (["NA"], None, 30.0), (["EARLY_PHASE1"], "EARLY_PHASE_1", 1.5),
    (["PHASE1"], "PHASE_1", 10.0), (["PHASE1", "PHASE2"], "PHASE_1_2", 3.0),
    (["PHASE2"], "PHASE_2", 13.5), (["PHASE2", "PHASE3"], "PHASE_2_3", 1.5),
    (["PHASE3"], "PHASE_3", 9.0), (["PHASE4"], None, 9.5),
]

STATUS_FUTURE = [("NOT_YET_RECRUITING", 90), ("WITHDRAWN", 10)]
STATUS_ONGOING = [("RECRUITING", 55), ("ACTIVE_NOT_RECRUITING", 20),
                  ("ENROLLING_BY_INVITATION", 7), ("NOT_YET_RECRUITING", 5), ("SUSPENDED", 2),
                  ("TERMINATED", 4), ("WITHDRAWN", 3), ("UNKNOWN", 4)]
STATUS_PAST = [("COMPLETED", 66), ("UNKNOWN", 17), ("TERMINATED", 9), ("WITHDRAWN", 4),
               ("ACTIVE_NOT_RECRUITING", 3), ("SUSPENDED", 1)]

CONDITIONS = [
    "Breast Cancer", "Healthy", "Obesity", "Prostate Cancer", "Hypertension", "Stroke",
    "Depression", "Type 2 Diabetes", "Asthma", "HIV Infections", "Coronary Artery Disease",
    "Heart Failure", "Schizophrenia", "Alzheimer Disease", "Lung Cancer",
    "Non-small Cell Lung Cancer", "Colorectal Cancer", "Pain", "COVID-19", "Rheumatoid Arthritis",
    "Chronic Obstructive Pulmonary Disease", "Multiple Sclerosis", "Parkinson Disease",
    "Atrial Fibrillation", "Anxiety", "Osteoarthritis, Knee", "Type 1 Diabetes", "Insomnia",
    "Lymphoma", "Multiple Myeloma", "Acute Myeloid Leukemia", "Pancreatic Cancer",
    "Hepatocellular Carcinoma", "Ovarian Cancer", "Melanoma", "Gastric Cancer", "Psoriasis",
    "Crohn Disease", "Ulcerative Colitis", "Chronic Kidney Disease", "Hepatitis C",
    "Hepatitis B", "Tuberculosis", "Malaria", "Sepsis", "Pneumonia", "Influenza",
    "Smoking Cessation", "Alcohol Use Disorder", "Opioid Use Disorder", "Autism Spectrum Disorder",
    "ADHD", "Bipolar Disorder", "Epilepsy", "Migraine", "Low Back Pain", "Fibromyalgia",
    "Osteoporosis", "Knee Osteoarthritis", "Spinal Cord Injuries", "Traumatic Brain Injury",
    "Glioblastoma", "Head and Neck Cancer", "Cervical Cancer", "Endometrial Cancer",
    "Bladder Cancer", "Renal Cell Carcinoma", "Thyroid Cancer", "Sickle Cell Disease",
    "Hemophilia A", "Cystic Fibrosis", "Duchenne Muscular Dystrophy",
    "Amyotrophic Lateral Sclerosis", "Age-Related Macular Degeneration", "Glaucoma",
    "Diabetic Retinopathy", "Dry Eye", "Atopic Dermatitis", "Acne Vulgaris", "Periodontitis",
    "Dental Caries", "Pregnancy", "Preterm Birth", "Preeclampsia", "Infertility",
    "Polycystic Ovary Syndrome", "Endometriosis", "Menopause", "Erectile Dysfunction",
    "Benign Prostatic Hyperplasia", "Urinary Incontinence", "Kidney Transplantation",
    "Liver Transplantation", "Graft-versus-host Disease", "Aplastic Anemia", "Iron Deficiency Anemia",
    "Myocardial Infarction", "Peripheral Arterial Disease", "Venous Thromboembolism",
    "Pulmonary Arterial Hypertension", "Idiopathic Pulmonary Fibrosis", "Sleep Apnea",
    "Chronic Pain", "Postoperative Pain", "Anesthesia", "Critical Illness", "Cardiac Surgery",
    "Hip Fractures", "Frailty", "Sarcopenia", "Dementia", "Cognitive Impairment",
    "Post-traumatic Stress Disorder", "Eating Disorders", "Nonalcoholic Steatohepatitis",
    "Metabolic Syndrome", "Dyslipidemias", "Gout", "Lupus Erythematosus, Systemic",
    "Ankylosing Spondylitis",
]

WORDS = (
    "patients study treatment safety efficacy dose randomized placebo controlled trial "
    "participants clinical outcome primary secondary endpoint weeks months baseline change "
    "response rate survival progression free overall quality life assessment evaluate compare "
    "investigate determine effect therapy standard care group arm cohort open label double blind "
    "multicenter phase adults children adolescents healthy volunteers chronic acute severe "
    "moderate mild disease condition symptoms score scale measured blood plasma serum levels "
    "biomarker pharmacokinetics tolerability adverse events incidence reduction improvement "
    "intervention procedure surgery device program training education exercise diet "
    "supplement vitamin injection infusion oral tablet daily weekly cycle administered "
    "combination monotherapy versus followed period visit screening enrollment eligible "
    "informed consent criteria exclusion inclusion history diagnosis confirmed age years"
).split()

CITIES = ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Salem", "Franklin",
          "Clinton", "Greenville", "Bristol", "Kingston", "Ashland", "Milton", "Newport",
          "Oxford", "Arlington", "Burlington", "Manchester", "Lexington", "Winchester"]

INTERVENTION_TYPES = [("DRUG", 45), ("BIOLOGICAL", 12), ("DEVICE", 12), ("PROCEDURE", 10),
                      ("BEHAVIORAL", 10), ("OTHER", 8), ("DIETARY_SUPPLEMENT", 3)]
GENERIC_INTERVENTIONS = {
    "DEVICE": ["Wearable sensor", "Continuous glucose monitor", "Catheter ablation system"],
    "PROCEDURE": ["Laparoscopic surgery", "Nerve block", "Radiotherapy", "Physical therapy"],
    "BEHAVIORAL": ["Cognitive behavioral therapy", "Mindfulness training", "Exercise program",
                   "Motivational interviewing"],
    "OTHER": ["Standard of care", "Questionnaire", "Blood sampling", "Usual care"],
    "DIETARY_SUPPLEMENT": ["Vitamin D3", "Omega-3 fatty acids", "Probiotic"],
}
CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"


def cumulative(weights):
    return list(itertools.accumulate(weights))


def zipf_weights(n, s):
    return [1.0 / (r ** s) for r in range(1, n + 1)]


def nct_id(i):
    """The NCT ID of study i: a bijection of [0, 9e7) onto NCT10000000..NCT99999999.
    Real IDs (and the reference dataset's trials) start with NCT0: none is
    reused, so every study creates its own trial."""
    return "NCT%08d" % (10000000 + (i * 7919 + 12345) % 90000000)


def sponsor_names(seed):
    """3,000 distinct names: academic (class OTHER), industry, a few NIH."""
    rng = random.Random(seed * 7 + 1)
    places = ["Northfield", "Lakeside", "Westbrook", "Eastgate", "Silverton", "Oakridge",
              "Maplewood", "Brookhaven", "Cedarville", "Stonebridge", "Harborview", "Pinecrest",
              "Redcliff", "Bayview", "Summit", "Meridian", "Crescent", "Highland", "Valley",
              "Coastal", "Central", "Metropolitan", "Royal", "Saint Anne", "Saint Luke",
              "Saint Mary", "Mercy", "Trinity", "Unity", "Liberty", "Heritage", "Pioneer",
              "Frontier", "Evergreen", "Golden Gate", "Blue Ridge", "Great Plains", "Alpine",
              "Atlantic", "Pacific", "Nordic", "Baltic", "Adriatic", "Iberian", "Danube",
              "Rhine", "Vistula", "Yangtze", "Ganges", "Nile", "Amazon", "Andes", "Sahara",
              "Kanto", "Kansai", "Bavaria", "Lombardy", "Catalonia", "Flanders", "Silesia"]
    cores = ["", "General", "Children's", "Women's", "Veterans", "Memorial", "Regional",
             "Community", "Teaching", "Heart", "Cancer", "Eye", "Neuroscience", "Genomics",
             "Immunology", "Cell", "Gene", "Molecular", "Bio", "Life", "Health", "Clinical",
             "Precision", "Translational", "Vaccine", "Medical", "Research", "Science",
             "Rehabilitation", "Orthopedic"]
    academic = ["University Hospital", "University", "Medical Center", "Research Institute",
                "Hospital", "Clinic", "Cancer Center", "Health System"]
    industry = ["Pharmaceuticals", "Therapeutics", "Biosciences", "Biotech", "Pharma",
                "Medical Devices"]
    combos = []
    for p in places:
        for c in cores:
            for s in academic:
                combos.append(((" ".join(x for x in (p, c, s) if x)), "OTHER"))
            for s in industry:
                combos.append(((" ".join(x for x in (p, c, s) if x)), "INDUSTRY"))
    rng.shuffle(combos)
    seen = set()
    names = [("National Cancer Institute (NCI)", "NIH"),
             ("National Institute of Allergy and Infectious Diseases (NIAID)", "NIH"),
             ("National Heart, Lung, and Blood Institute (NHLBI)", "NIH")]
    for n in names:
        seen.add(n[0].lower().replace(" ", ""))
    for name, cls in combos:
        key = "".join(ch for ch in name.lower() if ch.isalnum())
        if key in seen:
            continue
        seen.add(key)
        names.append((name, cls))
        if len(names) == 3000:
            break
    return names


class Generator:
    """Draws studies in order from one seeded RNG."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.sponsors = sponsor_names(seed)
        self.sponsor_cum = cumulative(zipf_weights(len(self.sponsors), 0.7))
        self.country_cum = cumulative(zipf_weights(len(COUNTRIES), 1.2))
        self.condition_cum = cumulative(zipf_weights(len(CONDITIONS), 0.9))
        self.phase_cum = cumulative([w for _, _, w in PHASES])
        self.year_cum = cumulative([1.0 + 0.12 * (y - 2000) for y in range(2000, 2027)])
        self.itype_cum = cumulative([w for _, w in INTERVENTION_TYPES])
        self.status_cum = {id(t): cumulative([w for _, w in t])
                           for t in (STATUS_FUTURE, STATUS_ONGOING, STATUS_PAST)}
        self.code_cum = cumulative(zipf_weights(40000, 0.6))

    def pick(self, cum):
        return bisect.bisect_right(cum, self.rng.random() * cum[-1])

    def distinct(self, cum, k):
        out = []
        for _ in range(8 * k):  # bounded: duplicates are rare beyond the head
            v = self.pick(cum)
            if v not in out:
                out.append(v)
                if len(out) == k:
                    break
        return out

    def words(self, lo, hi):
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(lo, hi)))

    def drug_code(self):
        n = self.pick(self.code_cum)
        letters = (CONSONANTS[n % 20] + CONSONANTS[(n // 20) % 20] + CONSONANTS[(n // 400) % 20])
        return "%s-%04d" % (letters, 1000 + (n * 37) % 9000)

    def status(self, table):
        return table[self.pick(self.status_cum[id(table)])][0]

    def study(self, i):
        """Returns (study JSON object, CSV row) of study i."""
        rng = self.rng
        nct = nct_id(i)
        phases, phase, _ = PHASES[self.pick(self.phase_cum)]
        observational = phases is None

        # Dates.
        start = None
        if rng.random() >= 0.005:
            year = 2000 + self.pick(self.year_cum)
            month = rng.randint(1, 12)
            precision_day = rng.random() < (0.35 if year < 2008 else 0.7 if year < 2017 else 0.95)
            day = rng.randint(1, 28)
            start = (year, month, day if precision_day else None)
        if start is None:
            status = self.status(STATUS_PAST)
            completion = None
        else:
            months = rng.randint(6, 72)
            cy, cm = start[0] + (start[1] - 1 + months) // 12, (start[1] - 1 + months) % 12 + 1
            completion = (cy, cm)
            if (start[0], start[1], start[2] or 1) > TODAY:
                status = self.status(STATUS_FUTURE)
            elif (cy, cm, 1) > TODAY:
                status = self.status(STATUS_ONGOING)
            else:
                status = self.status(STATUS_PAST)

        sponsor, sponsor_class = self.sponsors[self.pick(self.sponsor_cum)]
        collaborators = []
        r = rng.random()
        if r < 0.25:
            for k in self.distinct(self.sponsor_cum, 1 if r < 0.2 else 2):
                if self.sponsors[k][0] != sponsor:
                    collaborators.append(self.sponsors[k])

        r = rng.random()
        n_countries = 1 if r < 0.75 else 2 if r < 0.9 else 3
        countries = [COUNTRIES[k] for k in self.distinct(self.country_cum, n_countries)]
        conditions = [CONDITIONS[k] for k in self.distinct(self.condition_cum, rng.randint(1, 3))]
        keywords = self.rng.sample(WORDS, rng.randint(0, 4))

        interventions = []
        if not observational or rng.random() < 0.5:
            for _ in range(rng.randint(1, 3) if not observational else 1):
                itype = INTERVENTION_TYPES[self.pick(self.itype_cum)][0]
                if itype in ("DRUG", "BIOLOGICAL"):
                    name = "Placebo" if interventions and rng.random() < 0.4 else self.drug_code()
                else:
                    name = rng.choice(GENERIC_INTERVENTIONS[itype])
                if all(name != x["name"] for x in interventions):
                    interventions.append({"type": itype, "name": name,
                                          "description": self.words(8, 25)})
        condition = conditions[0]
        main = interventions[0]["name"] if interventions else "Observation"
        if observational:
            title = "%s in Patients With %s: a %s Cohort Study" % (
                main if interventions else "Outcomes", condition,
                rng.choice(["Prospective", "Retrospective", "Registry"]))
        else:
            title = "A Study of %s in %s %s" % (
                main, rng.choice(["Adults With", "Children With", "Patients With",
                                  "Participants With"]), condition)

        enrollment = max(1, int(rng.lognormvariate(4.3, 1.2)))
        version = "2026-%02d-%02d" % (rng.randint(1, 2), rng.randint(1, 28))

        # The study, shaped like GET /api/v2/studies.
        ident = {"nctId": nct,
                 "orgStudyIdInfo": {"id": "%s-%d" % (sponsor.split()[0].upper()[:6], i)},
                 "organization": {"fullName": sponsor, "class": sponsor_class},
                 "briefTitle": title,
                 "officialTitle": "%s (%s)" % (title, self.words(6, 14))}
        status_module = {"statusVerifiedDate": version[:7], "overallStatus": status}
        if start is not None:
            date = ("%04d-%02d-%02d" % start) if start[2] else ("%04d-%02d" % start[:2])
            estimated = (start[0], start[1], start[2] or 1) > TODAY
            status_module["startDateStruct"] = {"date": date,
                                                "type": "ESTIMATED" if estimated else "ACTUAL"}
            c_est = (completion[0], completion[1], 1) > TODAY
            status_module["completionDateStruct"] = {
                "date": "%04d-%02d" % completion, "type": "ESTIMATED" if c_est else "ACTUAL"}
        sponsors = {"responsibleParty": {"type": "SPONSOR"},
                    "leadSponsor": {"name": sponsor, "class": sponsor_class}}
        if collaborators:
            sponsors["collaborators"] = [{"name": n, "class": c} for n, c in collaborators]
        design = {"studyType": "OBSERVATIONAL" if observational else "INTERVENTIONAL",
                  "enrollmentInfo": {"count": enrollment,
                                     "type": "ACTUAL" if status == "COMPLETED" else "ESTIMATED"}}
        if observational:
            design["designInfo"] = {"observationalModel": "COHORT",
                                    "timePerspective": "PROSPECTIVE"}
        else:
            design["phases"] = phases
            design["designInfo"] = {
                "allocation": "RANDOMIZED" if len(interventions) > 1 else "NA",
                "interventionModel": "PARALLEL" if len(interventions) > 1 else "SINGLE_GROUP",
                "primaryPurpose": "TREATMENT",
                "maskingInfo": {"masking": "NONE" if len(interventions) < 2 else "DOUBLE"}}
        arms = []
        for k, iv in enumerate(interventions):
            label = "%s arm %d" % (iv["name"], k + 1)
            iv["armGroupLabels"] = [label]
            arms.append({"label": label,
                         "type": "PLACEBO_COMPARATOR" if iv["name"] == "Placebo"
                         else "EXPERIMENTAL",
                         "description": self.words(10, 30), "interventionNames": [
                             "%s: %s" % (iv["type"].title().replace("_", " "), iv["name"])]})
        locations = []
        for name, _ in countries:
            for _ in range(rng.randint(1, 4)):
                city = rng.choice(CITIES)
                locations.append({"facility": "%s %s Site %03d" % (city, name.split(",")[0],
                                                                   rng.randint(1, 999)),
                                  "city": city, "country": name})
        protocol = {
            "identificationModule": ident,
            "statusModule": status_module,
            "sponsorCollaboratorsModule": sponsors,
            "descriptionModule": {"briefSummary": self.words(40, 120)},
            "conditionsModule": {"conditions": conditions, "keywords": keywords},
            "designModule": design,
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n\n* %s\n* %s\n\nExclusion Criteria:"
                                       "\n\n* %s\n* %s" % tuple(self.words(6, 16) for _ in range(4)),
                "healthyVolunteers": "Healthy" in conditions,
                "sex": rng.choice(["ALL", "ALL", "ALL", "FEMALE", "MALE"]),
                "minimumAge": "18 Years", "stdAges": ["ADULT", "OLDER_ADULT"]},
            "contactsLocationsModule": {"locations": locations},
        }
        if interventions:
            protocol["armsInterventionsModule"] = {"armGroups": arms,
                                                   "interventions": interventions}
        study = {"protocolSection": protocol,
                 "derivedSection": {"miscInfoModule": {"versionHolder": version}},
                 "hasResults": False}

        # The same trial for PostgreSQL, as the catalog stores it.
        row = [nct, title, phase or "", "/".join(phases) if phases else "", status,
               "", "", "", "", enrollment, sponsor, pg_array(n for n, _ in collaborators),
               pg_array(sorted({c for _, c in countries})), pg_array(conditions),
               pg_array(iv["name"] for iv in interventions), version]
        if start is not None:
            row[5] = "%04d-%02d-%02d" % (start[0], start[1], start[2] or 1)
            row[6] = "day" if start[2] else "month"
            row[7] = "true" if estimated else "false"
            row[8] = "%04d-%02d-01" % completion
        return study, row


def pg_array(items):
    """A PostgreSQL text[] literal."""
    return "{" + ",".join(
        '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items) + "}"


def generate(args):
    os.makedirs(os.path.join(args.out_dir, "pages"), exist_ok=True)
    gen = Generator(args.seed)
    started = time.monotonic()
    pages = (args.studies + args.page_size - 1) // args.page_size
    total_bytes = 0
    with open(os.path.join(args.out_dir, "trials.csv"), "w", encoding="utf-8",
              newline="") as csv_file:
        writer = csv.writer(csv_file, lineterminator="\n")
        i = 0
        for page in range(1, pages + 1):
            path = os.path.join(args.out_dir, "pages", "page-%06d.json" % page)
            with open(path, "w", encoding="utf-8") as out:
                out.write('{"studies":[')
                end = min(args.studies, i + args.page_size)
                first = True
                while i < end:
                    study, row = gen.study(i)
                    if not first:
                        out.write(",")
                    first = False
                    out.write(json.dumps(study, ensure_ascii=False, separators=(",", ":")))
                    writer.writerow(row)
                    i += 1
                out.write("]")
                if page == 1:
                    out.write(',"totalCount":%d' % args.studies)
                if page < pages:
                    out.write(',"nextPageToken":"bench-page-%d"' % (page + 1))
                out.write("}")
            total_bytes += os.path.getsize(path)
            if args.progress and page % 50 == 0:
                print("%d/%d studies" % (i, args.studies), file=sys.stderr)
    manifest = {"generator_version": GENERATOR_VERSION, "studies": args.studies,
                "page_size": args.page_size, "seed": args.seed, "pages": pages,
                "json_bytes": total_bytes, "seconds": round(time.monotonic() - started, 1)}
    with open(os.path.join(args.out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=10000)
    parser.add_argument("--page_size", type=int, default=1000, help="studies per file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out_dir", help="writes pages/, trials.csv and manifest.json here")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--write_get_trial_requests", metavar="FILE",
                        help="writes the GetTrial requests (JSON Lines) and exits")
    args = parser.parse_args()
    if args.write_get_trial_requests:
        with open(args.write_get_trial_requests, "w", encoding="utf-8") as f:
            f.write("# GetTrial of every 10th of the first 10,000 studies of "
                    "bench/ctgov_registry_gen.py (present at every size)\n")
            for i in range(0, 10000, 10):
                f.write('{"name":"%s"}\n' % nct_id(i))
        return
    if not args.out_dir or args.studies < 1 or args.page_size < 1:
        parser.error("--out_dir and positive --studies/--page_size are required")
    generate(args)


if __name__ == "__main__":
    main()
