"""End-to-end: the catalog over the bundled reference dataset, served by
`regenatlas serve` and driven by `buf curl` (reflection, no proto files)."""

import base64
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from regenatlas_e2e import (ADMIN_KEY, BufError, Server, buf_curl,  # noqa: E402
                            write_role_keys)

DATASET = os.environ.get(
    "REGENATLAS_DATASET",
    os.path.join(os.path.dirname(__file__), "..", "..", "data"))
CATALOG = "regenatlas.catalog.v1.CatalogService/"


class CatalogE2ETest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-catalog-")
        cls.server = Server(os.path.join(cls.tmp, "db"), ["--dataset=" + DATASET]).start()
        cls.addr = cls.server.address

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def call(self, method, data):
        return buf_curl(self.addr, CATALOG + method, data)

    def test_dataset_loaded_once(self):
        log = self.server.read_log()
        m = re.search(r'"msg":"catalog dataset".*"created":"(\d+)"', log)
        self.assertIsNotNone(m, log)
        self.assertGreater(int(m.group(1)), 300)

    def test_search_chinese_english_and_codes_find_the_same_family(self):
        for query in ["多巴胺", "dopaminergic", "BRT-DA01"]:
            found = self.call("SearchProducts", {"query": query, "page_size": 100})
            names = [r["product"]["name"] for r in found["results"]]
            self.assertIn("products/brt-da01", names, query)
            for r in found["results"]:
                self.assertEqual(r["product"]["cellType"], "CELL_TYPE_DOPAMINERGIC_PROGENITOR",
                                 (query, r["product"]["name"], r["matched"]))
        first = self.call("SearchProducts", {"query": "BRT-DA01"})["results"][0]
        self.assertEqual(first["product"]["name"], "products/brt-da01")
        first = self.call("SearchProducts", {"query": "hicm188"})["results"][0]
        self.assertEqual(first["product"]["name"], "products/hicm-188")
        facets = {f["field"]: f for f in
                  self.call("SearchProducts", {"query": "多巴胺", "page_size": 1})["facets"]}
        total = sum(v["count"] for v in facets["cell_type"]["values"])
        self.assertGreater(total, 1)  # over the whole set, not the one-result page

    def test_trial_lookup_by_any_registry_id(self):
        trial = self.call("GetTrial", {"name": "nct04982081"})
        self.assertEqual(trial["name"], "trials/nct04982081")
        resolved = self.call("ResolveRegistryId", {"registry_id": " NCT04982081 "})
        self.assertEqual(resolved["trial"], "trials/nct04982081")
        with self.assertRaises(BufError) as err:
            self.call("ResolveRegistryId", {"registry_id": "jRCT209022038"})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertIn("has 9", err.exception.message)

    def test_filters_and_data_issues(self):
        hf = self.call("ListProducts", {
            "filter": "cell_source = HIPSC AND indication = heart-failure",
            "show_total_size": True})
        names = [p["name"] for p in hf["products"]]
        self.assertIn("products/hicm-188", names)
        self.assertEqual(hf["totalSize"], len(names))
        issues = self.call("ListDataIssues", {"filter": "kind = MALFORMED_REGISTRY_ID"})
        self.assertIn("trials/jrct2090220384", [i["record"] for i in issues["issues"]])
        shared = self.call("ListDataIssues", {"filter": "kind = TRIAL_ID_SHARED_BY_PRODUCTS"})
        self.assertIn("trials/nct04982081", [i["record"] for i in shared["issues"]])
        with self.assertRaises(BufError) as err:
            self.call("ListProducts", {"filter": "cell_source = PLASMA"})
        self.assertEqual(err.exception.code, "invalid_argument")
        page = self.call("ListTrials", {"filter": "country = CN", "page_size": 2})
        with self.assertRaises(BufError) as err:
            self.call("ListTrials", {"filter": "country = US", "page_size": 2,
                                     "page_token": page["nextPageToken"]})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertIn("page_token", err.exception.message)


    def test_count_dimensions_and_deprecated_group_by_agree(self):
        # The README's request (strings in the deprecated group_by) and the
        # enum form give the same counts.
        legacy = self.call("CountProducts", {"filter": "cell_category = PSC",
                                             "group_by": ["country", "stage"]})
        typed = self.call("CountProducts", {
            "filter": "cell_category = PSC",
            "dimensions": ["PRODUCT_DIMENSION_COUNTRY", "PRODUCT_DIMENSION_STAGE"]})
        self.assertEqual(legacy, typed)
        self.assertGreater(typed["total"], 0)
        self.assertIn({"keys": ["CN", "PHASE_1"], "count": 18}, typed["rows"])
        trials = self.call("CountTrials", {"dimensions": ["TRIAL_DIMENSION_PHASE"]})
        self.assertEqual(trials, self.call("CountTrials", {"group_by": ["phase"]}))
        with self.assertRaises(BufError) as err:
            self.call("CountProducts", {"group_by": ["stage"],
                                        "dimensions": ["PRODUCT_DIMENSION_STAGE"]})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertTrue(err.exception.message.startswith("dimensions:"), err.exception.message)
        with self.assertRaises(BufError) as err:
            self.call("CountProducts", {"group_by": ["colour"]})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertTrue(err.exception.message.startswith("group_by[0]:"), err.exception.message)


def without_latencies(dossier):
    """A dossier without its per-section latencies, which differ per call."""
    for section in dossier.get("sections", []):
        section.pop("latencyMicros", None)
    return dossier


class TimelineE2ETest(unittest.TestCase):
    """The timeline over the bundled dataset, reaching the catalog over the
    all-in-one in-process channel."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-timeline-")
        cls.server = Server(os.path.join(cls.tmp, "db"), ["--dataset=" + DATASET]).start()
        cls.addr = cls.server.address

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_timeline_policies_and_stages(self):
        timeline = "regenatlas.timeline.v1.RegulatoryTimelineService/"
        self.assertEqual(
            buf_curl(self.addr, "grpc.health.v1.Health/Check",
                     {"service": "regenatlas.timeline.v1.RegulatoryTimelineService"}),
            {"status": "SERVING"})
        items = buf_curl(self.addr, timeline + "GetProductTimeline",
                         {"product": "products/amimestrocel"})["items"]
        kinds = [i["type"] for i in items]
        self.assertLess(kinds.index("EVENT_TYPE_CONDITIONAL_APPROVAL"),
                        kinds.index("EVENT_TYPE_FIRST_PRESCRIPTION"))
        self.assertEqual(items[1]["date"], {"year": 2025, "month": 1, "day": 2})
        policies = buf_curl(self.addr, timeline + "ListPolicies", {
            "filter": "(issuer: NMPA OR issuer: CDE) AND date >= 2015 AND date <= 2025",
            "page_size": 100, "show_total_size": True})
        self.assertEqual(policies["totalSize"], 10)
        with self.assertRaises(BufError) as err:
            buf_curl(self.addr, timeline + "ListEvents", {"filter": "date >= 2025 AND date <= 2015"})
        self.assertEqual(err.exception.code, "invalid_argument")
        # The timeline's events moved the catalog's stages.
        product = buf_curl(self.addr, CATALOG + "GetProduct", {"name": "products/heartsheet"})
        self.assertEqual(product["highestStage"], "DEVELOPMENT_STAGE_MARKETING_APPLICATION")


    def test_compute_methods_answer_like_their_deprecated_get_aliases(self):
        timeline = "regenatlas.timeline.v1.RegulatoryTimelineService/"
        analytics = "regenatlas.analytics.v1.MarketAnalyticsService/"
        gateway = "regenatlas.gateway.v1.GatewayService/"
        product = {"product": "products/amimestrocel"}
        self.assertEqual(buf_curl(self.addr, timeline + "GetProductTimeline", product),
                         buf_curl(self.addr, timeline + "ComputeProductTimeline", product))
        self.assertEqual(
            buf_curl(self.addr, analytics + "GetPipelineBreakdown", {
                "subject": "BREAKDOWN_SUBJECT_TRIALS", "filter": "country = CN",
                "group_by": ["cell_category", "stage"]}),
            buf_curl(self.addr, analytics + "ComputePipelineBreakdown", {
                "subject": "BREAKDOWN_SUBJECT_TRIALS", "filter": "country = CN",
                "dimensions": ["BREAKDOWN_DIMENSION_CELL_CATEGORY", "BREAKDOWN_DIMENSION_STAGE"]}))
        landscape = {"indication": "indications/parkinsons-disease", "page_size": 3}
        old = buf_curl(self.addr, analytics + "GetIndicationLandscape", landscape)
        new = buf_curl(self.addr, analytics + "ComputeIndicationLandscape", landscape)
        self.assertEqual(old, new)
        landscape["page_token"] = old["nextPageToken"]  # tokens work with either name
        self.assertEqual(buf_curl(self.addr, analytics + "GetIndicationLandscape", landscape),
                         buf_curl(self.addr, analytics + "ComputeIndicationLandscape", landscape))
        approvals = {"filter": "jurisdiction = US", "cell_categories": ["CELL_CATEGORY_IMMUNE"]}
        self.assertEqual(buf_curl(self.addr, analytics + "GetApprovalStatistics", approvals),
                         buf_curl(self.addr, analytics + "ComputeApprovalStatistics", approvals))
        self.assertEqual(
            without_latencies(buf_curl(self.addr, gateway + "GetProductDossier", product)),
            without_latencies(buf_curl(self.addr, gateway + "ComputeProductDossier", product)))

    def test_list_firsts_and_backends_are_paged(self):
        timeline = "regenatlas.timeline.v1.RegulatoryTimelineService/"
        request = {"type": "EVENT_TYPE_APPROVAL", "also_types": ["EVENT_TYPE_CONDITIONAL_APPROVAL"],
                   "dimension": "FIRST_DIMENSION_CELL_CATEGORY"}
        everything = buf_curl(self.addr, timeline + "ListFirsts", request)
        self.assertNotIn("nextPageToken", everything)
        self.assertGreater(len(everything["firsts"]), 2)
        legacy = dict(request, group_by="cell_category")
        del legacy["dimension"]
        self.assertEqual(buf_curl(self.addr, timeline + "ListFirsts", legacy), everything)
        paged, token = [], None
        while True:
            page = buf_curl(self.addr, timeline + "ListFirsts",
                            dict(request, page_size=1, **({"page_token": token} if token else {})))
            paged += page["firsts"]
            token = page.get("nextPageToken")
            if not token:
                break
        self.assertEqual(paged, everything["firsts"])
        with self.assertRaises(BufError) as err:
            buf_curl(self.addr, timeline + "ListFirsts", dict(request, group_by="cell_type"))
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertTrue(err.exception.message.startswith("dimension:"), err.exception.message)

        backends = "regenatlas.gateway.v1.GatewayService/ListBackends"
        first = buf_curl(self.addr, backends, {"page_size": 2})
        self.assertEqual(len(first["backends"]), 2)
        rest = buf_curl(self.addr, backends, {"page_size": 2, "page_token": first["nextPageToken"]})
        self.assertNotIn("nextPageToken", rest)
        self.assertEqual([b["service"] for b in first["backends"] + rest["backends"]],
                         [b["service"] for b in buf_curl(self.addr, backends, {})["backends"]])
        with self.assertRaises(BufError) as err:
            buf_curl(self.addr, backends, {"page_size": -1})
        self.assertEqual(err.exception.code, "invalid_argument")
        self.assertTrue(err.exception.message.startswith("page_size"), err.exception.message)


class DatasetFlagTest(unittest.TestCase):
    def test_restart_does_not_reload_and_none_skips(self):
        tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-dataset-")
        try:
            data_dir = os.path.join(tmp, "db")
            first = Server(data_dir, ["--dataset=" + DATASET]).start()
            self.assertEqual(first.terminate(), 0)
            second = Server(data_dir, ["--dataset=" + DATASET]).start()
            log = second.read_log()
            self.assertRegex(log, r'"msg":"catalog dataset".*"created":"0","updated":"0"')
            self.assertEqual(second.terminate(), 0)
            empty = Server(os.path.join(tmp, "empty"), ["--dataset=none"]).start()
            listed = buf_curl(empty.address, CATALOG + "ListProducts", {})
            self.assertEqual(listed.get("products", []), [])
            self.assertEqual(empty.terminate(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class ImportE2ETest(unittest.TestCase):
    """ImportClinicalTrials over gRPC with an explicit format, into a server
    without the dataset, classifying with the bundled rules."""

    FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
    RULES = os.path.join(DATASET, "classification", "rules.json")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="regenatlas-e2e-import-")
        keys = write_role_keys(cls.tmp)
        cls.server = Server(os.path.join(cls.tmp, "db"),
                            ["--dataset=none", "--classification_rules=" + cls.RULES,
                             "--auth_keys=" + keys]).start()
        cls.addr = cls.server.address

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_quietly()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def call(self, method, data):
        return buf_curl(self.addr, CATALOG + method, data, key=ADMIN_KEY)

    def test_csv_import_by_rpc_is_classified_and_counted(self):
        with open(os.path.join(self.FIXTURES, "ctgov-csv", "ctg-studies_sample40.csv"), "rb") as f:
            content = base64.b64encode(f.read()).decode()
        # The wrong format rejects the content and writes nothing.
        wrong = self.call("ImportClinicalTrials", {
            "file_name": "studies", "json": content, "format": "IMPORT_FORMAT_ICTRP_XML"})
        self.assertGreaterEqual(wrong.get("rejected", 0), 1, wrong)
        self.assertEqual(wrong.get("created", 0), 0, wrong)
        done = self.call("ImportClinicalTrials", {
            "file_name": "studies", "json": content, "format": "IMPORT_FORMAT_CTGOV_CSV"})
        self.assertEqual(done["created"], 40, done)
        self.assertEqual(done["cellTherapy"], 4, done)
        trial = self.call("GetTrial", {"name": "nct02087397"})
        self.assertEqual(trial["classification"]["origin"], "ORIGIN_DERIVED")
        self.assertEqual(trial["classification"]["cellSources"], ["CELL_SOURCE_MSC_ADIPOSE"])
        counts = self.call("CountTrials", {
            "filter": "cell_source = MSC_ADIPOSE AND country = US",
            "dimensions": ["TRIAL_DIMENSION_START_YEAR"]})
        self.assertEqual(counts["rows"], [{"keys": ["2014"], "count": 1}])
        with self.assertRaises(BufError) as err:
            self.call("CountTrials", {"filter": "cell_source = LIVER",
                                      "dimensions": ["TRIAL_DIMENSION_CELL_TYPE"]})
        self.assertEqual(err.exception.code, "invalid_argument")


if __name__ == "__main__":
    unittest.main(verbosity=2)
