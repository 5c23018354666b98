// Loading the bundled reference dataset into the catalog: dependency-ordered
// upserts, the hand-recorded findings (checked against the records' quotes)
// and the digest check that makes a reload of the same data a no-op.
#include "services/catalog/dataset_loader.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "services/catalog/curated_findings.h"

namespace regenatlas::catalog {
namespace {

// Writes records whose `parent` is already present first, so that parent
// references validate; what never resolves is written last to be rejected
// with a clear message.
template <typename T>
absl::Status UpsertByParent(ResourceTable<T>& table,
                            const google::protobuf::RepeatedPtrField<T>& records,
                            const DatasetReport& report, absl::string_view origin,
                            LoadSummary& summary) {
  std::set<std::string> done;
  std::vector<const T*> remaining;
  for (const T& r : records) remaining.push_back(&r);
  bool progress = true;
  while (!remaining.empty() && progress) {
    progress = false;
    std::vector<const T*> next;
    for (const T* r : remaining) {
      bool parent_ready = r->parent().empty() || done.count(r->parent());
      if (!parent_ready) {
        T unused;
        absl::StatusOr<std::string> pid = table.IdOf(r->parent(), "parent");
        parent_ready = pid.ok() && table.FindRaw(*pid, &unused).value_or(false);
      }
      if (!parent_ready) {
        next.push_back(r);
        continue;
      }
      RETURN_IF_ERROR(UpsertDatasetRecord(table, *r, report, origin, summary));
      done.insert(r->name());
      progress = true;
    }
    remaining = std::move(next);
  }
  for (const T* r : remaining) {
    RETURN_IF_ERROR(UpsertDatasetRecord(table, *r, report, origin, summary));
  }
  return absl::OkStatus();
}

// Stores the dataset's valid hand-recorded findings in place of the previous
// ones and rejects the others, like records that fail validation.
absl::Status LoadCuratedFindings(Catalog& catalog, const v1::CatalogDataset& dataset,
                                 const DatasetReport& report, LoadSummary& summary) {
  // Only the records' quotes: a finding's own quotes must not vouch for it.
  CitedQuotes quotes;
  std::vector<std::string> sources;
  for (const auto& r : dataset.sources()) {
    quotes.Add(r);
    sources.push_back(r.name());
  }
  for (const auto& r : dataset.organizations()) quotes.Add(r);
  for (const auto& r : dataset.indications()) quotes.Add(r);
  for (const auto& r : dataset.products()) quotes.Add(r);
  for (const auto& r : dataset.trials()) quotes.Add(r);
  std::vector<DataIssue> issues;
  for (const v1::CuratedFinding& f : dataset.findings()) {
    std::vector<std::string> errors = CuratedFindingErrors(f, sources, quotes);
    if (errors.empty()) {
      issues.push_back(CuratedFindingIssue(f));
      continue;
    }
    auto files = report.files_of.find(f.name());
    summary.rejected.push_back(absl::StrCat(
        f.name(), " (", files == report.files_of.end() ? "" : absl::StrJoin(files->second, ", "),
        "): ", absl::StrJoin(errors, "; ")));
  }
  return catalog.ReplaceCuratedFindings(issues);
}

}  // namespace

absl::StatusOr<LoadSummary> LoadCatalogDataset(Catalog& catalog, const v1::CatalogDataset& dataset,
                                               const DatasetReport& report,
                                               absl::string_view origin) {
  LoadSummary summary;
  RETURN_IF_ERROR(
      UpsertDatasetRecords(catalog.sources(), dataset.sources(), report, origin, summary));
  RETURN_IF_ERROR(
      UpsertByParent(catalog.organizations(), dataset.organizations(), report, origin, summary));
  RETURN_IF_ERROR(
      UpsertByParent(catalog.indications(), dataset.indications(), report, origin, summary));
  RETURN_IF_ERROR(
      UpsertDatasetRecords(catalog.products(), dataset.products(), report, origin, summary));
  RETURN_IF_ERROR(
      UpsertDatasetRecords(catalog.trials(), dataset.trials(), report, origin, summary));
  RETURN_IF_ERROR(LoadCuratedFindings(catalog, dataset, report, summary));
  return summary;
}

absl::StatusOr<LoadSummary> EnsureCatalogDataset(Catalog& catalog, const std::string& dir) {
  return EnsureDataset<v1::CatalogDataset>(
      *catalog.sources().store(), storage::ColumnFamily::kCatalog, dir,
      [&](const v1::CatalogDataset& dataset, const DatasetReport& report) {
        return LoadCatalogDataset(catalog, dataset, report);
      });
}

}  // namespace regenatlas::catalog
