// Grouped counts (CountProducts, CountTrials): a filter's matching records
// counted by one or two dimensions, from the in-memory bitmaps of the
// query engine, with the per-country stages of products for
// country × stage.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/excerpt.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_internal.h"

namespace regenatlas::catalog {

absl::StatusOr<catalog::v1::CountResponse> Catalog::Count(
    const ListSpec& collection, absl::string_view filter_text,
    const google::protobuf::RepeatedPtrField<std::string>& group_by,
    const std::map<std::string, std::string>& dimensions, absl::string_view field) const {
  if (group_by.empty() || group_by.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": one or two dimensions are required"));
  }
  for (int i = 0; i < group_by.size(); ++i) {
    if (!dimensions.count(group_by[i])) {
      std::vector<std::string> names;
      for (const auto& [name, posting] : dimensions) names.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: unknown dimension \"",
                                                     Excerpt(group_by[i]),
                                                     "\"; allowed: ", absl::StrJoin(names, ", ")));
    }
  }
  if (group_by.size() == 2 && group_by[0] == group_by[1]) {
    return absl::InvalidArgumentError(absl::StrCat(field, "[1]: the same dimension twice"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(filter_text));
  RETURN_IF_ERROR(filter::Resolve(node.get(), *collection.schema));
  // Counts come from bitmap cardinalities under the index lock, or from
  // the counters commits keep when the whole table matches: no record and
  // no posting key is read.
  IndexReadLock lock(*store_, IndexesFor(collection.collection));
  CatalogPostings postings(this, collection.collection, lock.snapshot());
  RETURN_IF_ERROR(postings.index().status());
  ASSIGN_OR_RETURN(Bitmap matching, EvaluateFilter(node.get(), *collection.schema, postings));
  auto shorten = [](absl::string_view v) {
    for (const char* prefix : {"DEVELOPMENT_STAGE_", "CELL_SOURCE_", "CELL_CATEGORY_", "CELL_TYPE_",
                               "THERAPEUTIC_AREA_", "TRIAL_STATUS_", "DONOR_", "REGISTRY_"}) {
      if (absl::ConsumePrefix(&v, prefix)) return v;
    }
    return v;
  };
  // One row per group, keyed by views into `groups` or `stages` (kept
  // alive below): no key is copied until the response.
  struct Row {
    absl::string_view keys[2];
    int size = 0;
    int count = 0;
  };
  std::vector<Row> rows;
  GroupCounts stages;
  std::shared_ptr<const GroupCounts> counted;
  const GroupCounts* groups = &stages;
  const bool country_stage = group_by.size() == 2 &&
                             std::set<std::string>{group_by[0], group_by[1]} ==
                                 std::set<std::string>{"country", "stage"} &&
                             collection.collection == "products";
  if (country_stage) {
    // Each product's stage in each country, not its overall stage.
    const bool country_first = group_by[0] == "country";
    const std::shared_ptr<const GroupCounts> by_country =
        CountGroups(postings.index(), matching, {"country_stage"});
    for (const auto& [keys, n] : *by_country) {
      std::vector<std::string> parts = absl::StrSplit(keys[0], absl::MaxSplits('|', 1));
      if (parts.size() != 2) continue;
      if (!country_first) std::swap(parts[0], parts[1]);
      stages[parts] += n;
    }
  } else {
    std::vector<std::string> fields;
    for (const std::string& dim : group_by) fields.push_back(dimensions.at(dim));
    counted = CountGroups(postings.index(), matching, fields);
    groups = counted.get();
  }
  const uint64_t total = matching.cardinality();
  lock.Release();
  rows.reserve(groups->size());
  for (const auto& [keys, n] : *groups) {
    Row row;
    row.size = static_cast<int>(std::min<size_t>(keys.size(), 2));
    for (int i = 0; i < row.size; ++i) row.keys[i] = shorten(keys[i]);
    row.count = n;
    rows.push_back(row);
  }
  // Shortening can reorder keys of different prefixes and join two keys.
  auto less = [](const Row& a, const Row& b) {
    for (int i = 0; i < std::min(a.size, b.size); ++i) {
      if (a.keys[i] != b.keys[i]) return a.keys[i] < b.keys[i];
    }
    return a.size < b.size;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), less)) {
    std::stable_sort(rows.begin(), rows.end(), less);
  }
  catalog::v1::CountResponse response;
  response.set_total(static_cast<int>(total));
  response.mutable_rows()->Reserve(static_cast<int>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    int n = rows[i].count;
    while (i + 1 < rows.size() && !less(rows[i], rows[i + 1])) n += rows[++i].count;
    catalog::v1::CountRow* row = response.add_rows();
    for (int k = 0; k < rows[i].size; ++k) row->add_keys(std::string(rows[i].keys[k]));
    row->set_count(n);
  }
  return response;
}

absl::StatusOr<catalog::v1::CountResponse> Catalog::CountProducts(
    absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view field) const {
  static const auto* dims = new std::map<std::string, std::string>{
      {"stage", "stage_name"},        {"country", "country"},
      {"cell_source", "cell_source"}, {"cell_category", "cell_category"},
      {"cell_type", "cell_type"},     {"therapeutic_area", "therapeutic_area"},
      {"indication", "indication"},   {"sponsor", "sponsor"},
      {"start_year", "start_year"},   {"donor", "donor"}};
  return Count(internal::ProductsSpec(), filter, group_by, *dims, field);
}

absl::StatusOr<catalog::v1::CountResponse> Catalog::CountTrials(
    absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view field) const {
  static const auto* dims = new std::map<std::string, std::string>{{"phase", "phase_name"},
                                                                   {"country", "country"},
                                                                   {"status", "status"},
                                                                   {"sponsor", "sponsor"},
                                                                   {"indication", "indication"},
                                                                   {"product", "product"},
                                                                   {"start_year", "start_year"},
                                                                   {"registry", "registry"},
                                                                   {"cell_therapy", "cell_therapy"},
                                                                   {"cell_type", "cell_type"},
                                                                   {"cell_source", "cell_source"},
                                                                   {"donor", "donor"}};
  return Count(internal::TrialsSpec(), filter, group_by, *dims, field);
}

}  // namespace regenatlas::catalog
