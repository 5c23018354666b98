"""End-to-end: the catalog over the bundled reference dataset, served by
`regenatlas serve` and driven by `buf curl` (reflection, no proto files)."""

import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from regenatlas_e2e import BufError, Server, buf_curl  # noqa: E402

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
