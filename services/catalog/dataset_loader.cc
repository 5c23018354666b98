#include "services/catalog/dataset_loader.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace regenatlas::catalog {
namespace {

template <typename T>
void Upsert(ResourceTable<T>& table, const T& record, const DatasetReport& report,
            absl::string_view origin, LoadSummary& summary) {
  T copy = record;
  T existing;
  absl::StatusOr<std::string> id = table.IdOf(copy.name(), "name");
  bool existed = false;
  if (id.ok()) {
    absl::StatusOr<bool> found = table.FindRaw(*id, &existing);
    existed = found.ok() && *found;
  }
  // Bulk load: unsynced; the digest marker written last is synced.
  absl::StatusOr<bool> changed = table.UpsertRaw(&copy, origin, /*sync=*/false);
  if (!changed.ok()) {
    auto files = report.files_of.find(record.name());
    summary.rejected.push_back(absl::StrCat(
        record.name(), " (",
        files == report.files_of.end() ? "" : absl::StrJoin(files->second, ", "),
        "): ", changed.status().message()));
    return;
  }
  if (!*changed) {
    ++summary.unchanged;
  } else if (existed) {
    ++summary.updated;
  } else {
    ++summary.created;
  }
}

// Writes records whose `parent` is already present first, so that parent
// references validate; what never resolves is written last to be rejected
// with a clear message.
template <typename T>
void UpsertByParent(ResourceTable<T>& table, const google::protobuf::RepeatedPtrField<T>& records,
                    const DatasetReport& report, absl::string_view origin, LoadSummary& summary) {
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
      Upsert(table, *r, report, origin, summary);
      done.insert(r->name());
      progress = true;
    }
    remaining = std::move(next);
  }
  for (const T* r : remaining) Upsert(table, *r, report, origin, summary);
}

}  // namespace

absl::StatusOr<LoadSummary> LoadCatalogDataset(Catalog& catalog, const v1::CatalogDataset& dataset,
                                               const DatasetReport& report,
                                               absl::string_view origin) {
  LoadSummary summary;
  for (const Source& s : dataset.sources()) Upsert(catalog.sources(), s, report, origin, summary);
  UpsertByParent(catalog.organizations(), dataset.organizations(), report, origin, summary);
  UpsertByParent(catalog.indications(), dataset.indications(), report, origin, summary);
  for (const Product& p : dataset.products()) Upsert(catalog.products(), p, report, origin, summary);
  for (const Trial& t : dataset.trials()) Upsert(catalog.trials(), t, report, origin, summary);
  return summary;
}

absl::StatusOr<LoadSummary> EnsureCatalogDataset(Catalog& catalog, const std::string& dir) {
  v1::CatalogDataset dataset;
  DatasetReport report;
  absl::Status s = LoadDatasetDir(dir, &dataset, &report);
  if (!s.ok()) return s;
  if (!report.errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
  }
  absl::StatusOr<std::string> loaded = catalog.DatasetDigest();
  if (!loaded.ok()) return loaded.status();
  if (*loaded == report.digest) return LoadSummary{};
  absl::StatusOr<LoadSummary> summary = LoadCatalogDataset(catalog, dataset, report);
  if (!summary.ok()) return summary;
  s = catalog.SetDatasetDigest(report.digest);
  if (!s.ok()) return s;
  return summary;
}

}  // namespace regenatlas::catalog
