// The ComputePipelineBreakdown view of Analytics: products or trials
// counted by one or two dimensions, from the catalog's counts (a product
// dimension of trials by one join filter per enum value).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dimensions.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/computations_internal.h"

namespace regenatlas::analytics {
namespace {

namespace v1 = ::regenatlas::analytics::v1;
using internal::kCatalogService;
using internal::Method;
using internal::Record;

}  // namespace

absl::StatusOr<v1::PipelineBreakdown> Analytics::ComputePipelineBreakdown(
    const v1::ComputePipelineBreakdownRequest& request, absl::string_view field) const {
  RETURN_IF_ERROR(ValidateEnum(request.subject(), v1::BreakdownSubject_IsValid, true, "subject"));
  if (request.dimensions().empty() || request.dimensions_size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": one or two dimensions are required"));
  }
  // The dimensions by their lower-case names ("country"), as the catalog's
  // counts and the echoed group_by name them.
  std::vector<std::string> names;
  for (int i = 0; i < request.dimensions_size(); ++i) {
    std::optional<std::string> name =
        DimensionName(v1::BreakdownDimension_descriptor(), request.dimensions(i));
    if (!name.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "]: ",
          request.dimensions(i) == 0 ? "unspecified"
                                     : absl::StrCat("unknown value ", request.dimensions(i))));
    }
    names.push_back(*std::move(name));
  }
  if (names.size() == 2 && names[0] == names[1]) {
    return absl::InvalidArgumentError(absl::StrCat(field, "[1]: the same dimension twice"));
  }
  RETURN_IF_ERROR(RequireCatalog());

  v1::PipelineBreakdown out;
  out.set_subject(request.subject());
  out.set_filter(request.filter());
  out.mutable_group_by()->Assign(names.begin(), names.end());
  *out.mutable_dimensions() = request.dimensions();
  auto add_totals = [&out](const std::string& dimension, const catalog::v1::CountResponse& r) {
    for (const auto& row : r.rows()) {
      v1::DimensionTotal* t = out.add_dimension_totals();
      t->set_dimension(dimension);
      t->set_key(row.keys(0));
      t->set_count(row.count());
    }
  };

  if (request.subject() == v1::BREAKDOWN_SUBJECT_PRODUCTS) {
    std::vector<catalog::v1::ProductDimension> dims;
    for (size_t i = 0; i < names.size(); ++i) {
      std::optional<int> d = DimensionValue(catalog::v1::ProductDimension_descriptor(), names[i]);
      if (!d.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, "[", i, "]: products cannot be grouped by ", names[i],
            "; allowed: ", DimensionNames(catalog::v1::ProductDimension_descriptor())));
      }
      dims.push_back(static_cast<catalog::v1::ProductDimension>(*d));
    }
    auto count = [&](const std::vector<catalog::v1::ProductDimension>& by)
        -> absl::StatusOr<catalog::v1::CountResponse> {
      catalog::v1::CountProductsRequest r;
      r.set_filter(request.filter());
      for (catalog::v1::ProductDimension d : by) r.add_dimensions(d);
      Record(out.mutable_upstream_calls(), Method(kCatalogService, "CountProducts"), r);
      return catalog()->CountProducts(r);
    };
    ASSIGN_OR_RETURN(catalog::v1::CountResponse r, count(dims));
    for (const auto& row : r.rows()) {
      v1::BreakdownRow* o = out.add_rows();
      *o->mutable_keys() = row.keys();
      o->set_count(row.count());
    }
    out.set_total(r.total());
    if (dims.size() == 2) {
      for (size_t i = 0; i < dims.size(); ++i) {
        ASSIGN_OR_RETURN(catalog::v1::CountResponse t, count({dims[i]}));
        add_totals(names[i], t);
      }
    }
    return out;
  }

  // Trials. The catalog groups trials by their own fields; a product field
  // (cell type ...) is counted with one join filter per enum value, still
  // from the catalog's posting lists.
  struct JoinDimension {
    const google::protobuf::EnumDescriptor* descriptor;
    std::string prefix;
  };
  static const auto* joins = new std::map<std::string, JoinDimension>{
      {"cell_source", {catalog::v1::CellSource_descriptor(), "CELL_SOURCE_"}},
      {"cell_category", {catalog::v1::CellCategory_descriptor(), "CELL_CATEGORY_"}},
      {"cell_type", {catalog::v1::CellType_descriptor(), "CELL_TYPE_"}},
      {"therapeutic_area", {catalog::v1::TherapeuticArea_descriptor(), "THERAPEUTIC_AREA_"}},
      {"donor", {common::v1::Donor_descriptor(), "DONOR_"}},
  };
  // Trial dimensions by name ("stage" is an alias of "phase"); join
  // dimensions are counted below.
  std::vector<std::string> dims;
  int join_index = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& d = names[i];
    dims.push_back(d == "stage" ? "phase" : d);
    if (joins->count(d)) {
      if (join_index >= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i,
                         "]: trials can be grouped by at most one product dimension "
                         "(cell_source, cell_category, cell_type, therapeutic_area, donor)"));
      }
      join_index = static_cast<int>(i);
    } else if (!DimensionValue(catalog::v1::TrialDimension_descriptor(), dims.back())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "]: trials cannot be grouped by ", d, "; allowed: stage, ",
          DimensionNames(catalog::v1::TrialDimension_descriptor()),
          " and one of cell_source, cell_category, cell_type, therapeutic_area, donor"));
    }
  }
  auto count =
      [&](const std::string& filter,
          const std::vector<std::string>& by) -> absl::StatusOr<catalog::v1::CountResponse> {
    catalog::v1::CountTrialsRequest r;
    r.set_filter(filter);
    for (const std::string& d : by) {
      r.add_dimensions(static_cast<catalog::v1::TrialDimension>(
          *DimensionValue(catalog::v1::TrialDimension_descriptor(), d)));
    }
    Record(out.mutable_upstream_calls(), Method(kCatalogService, "CountTrials"), r);
    return catalog()->CountTrials(r);
  };
  if (join_index < 0) {
    ASSIGN_OR_RETURN(catalog::v1::CountResponse r, count(request.filter(), dims));
    for (const auto& row : r.rows()) {
      v1::BreakdownRow* o = out.add_rows();
      *o->mutable_keys() = row.keys();
      o->set_count(row.count());
    }
    out.set_total(r.total());
    if (dims.size() == 2) {
      for (size_t i = 0; i < dims.size(); ++i) {
        ASSIGN_OR_RETURN(catalog::v1::CountResponse t, count(request.filter(), {dims[i]}));
        add_totals(names[i], t);
      }
    }
    return out;
  }

  const std::string& join_name = names[join_index];
  const JoinDimension& join = joins->at(join_name);
  const int other_index = dims.size() == 2 ? 1 - join_index : -1;
  // CountTrials needs a dimension; with none requested, phase stands in and
  // only the total is used.
  const std::vector<std::string> inner = {other_index >= 0 ? dims[other_index] : "phase"};
  ASSIGN_OR_RETURN(catalog::v1::CountResponse all, count(request.filter(), inner));
  out.set_total(all.total());
  std::map<std::vector<std::string>, int> rows;
  std::vector<std::pair<std::string, int>> join_totals;
  for (int v = 0; v < join.descriptor->value_count(); ++v) {
    const google::protobuf::EnumValueDescriptor* value = join.descriptor->value(v);
    if (value->number() == 0) continue;
    std::string condition = absl::StrCat("product.", join_name, " = ", value->name());
    std::string filter = absl::StripAsciiWhitespace(request.filter()).empty()
                             ? condition
                             : absl::StrCat("(", request.filter(), ") AND ", condition);
    ASSIGN_OR_RETURN(catalog::v1::CountResponse r, count(filter, inner));
    if (r.total() == 0) continue;
    const std::string key = value->name().substr(join.prefix.size());
    join_totals.emplace_back(key, r.total());
    if (other_index < 0) {
      rows[{key}] = r.total();
      continue;
    }
    for (const auto& row : r.rows()) {
      std::vector<std::string> keys = {key, row.keys(0)};
      if (join_index == 1) std::swap(keys[0], keys[1]);
      rows[keys] += row.count();
    }
  }
  for (const auto& [keys, n] : rows) {
    v1::BreakdownRow* o = out.add_rows();
    for (const std::string& k : keys) o->add_keys(k);
    o->set_count(n);
  }
  if (other_index >= 0) {
    for (int i = 0; i < 2; ++i) {
      if (i == join_index) {
        for (const auto& [key, n] : join_totals) {
          v1::DimensionTotal* t = out.add_dimension_totals();
          t->set_dimension(join_name);
          t->set_key(key);
          t->set_count(n);
        }
      } else {
        add_totals(names[i], all);
      }
    }
  }
  return out;
}

}  // namespace regenatlas::analytics
