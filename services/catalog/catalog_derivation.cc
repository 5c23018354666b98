// Products' derived (output-only) fields: computing them from the product's
// indications, trials and regulatory stages as of a write's pending records
// (DeriveProduct), restaging the products a write affects (RestageProducts),
// and SetRegulatoryStages, the regulatory timeline's way in.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/records.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_findings.h"
#include "services/catalog/text.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DevelopmentStage;

}  // namespace

absl::Status Catalog::DeriveProduct(absl::string_view id, Product* product, const Pending& pending,
                                    std::vector<DataIssue>* issues) const {
  const std::string name = products_.NameOf(id);
  product->set_cell_category(CategoryOf(product->cell_source()));

  std::set<int> areas;
  for (const std::string& ind : product->indications()) {
    Indication indication;
    ASSIGN_OR_RETURN(bool found, Load(indications_, ind, pending, &indication));
    if (found) areas.insert(indication.therapeutic_area());
  }
  product->clear_therapeutic_areas();
  for (int a : areas) product->add_therapeutic_areas(static_cast<catalog::v1::TherapeuticArea>(a));

  // Trials as of the pending writes: committed postings plus pending changes.
  ASSIGN_OR_RETURN(std::vector<std::string> committed, PostingIds("trials", "product", name));
  std::set<std::string> trial_names;
  for (const std::string& t : committed) trial_names.insert(trials_.NameOf(t));
  for (const auto& [pending_name, record] : pending) {
    if (!absl::StartsWith(pending_name, "trials/")) continue;
    trial_names.erase(pending_name);
    if (record == nullptr) continue;
    const auto& trial = static_cast<const Trial&>(*record);
    if (std::find(trial.products().begin(), trial.products().end(), name) !=
        trial.products().end()) {
      trial_names.insert(pending_name);
    }
  }

  std::map<std::string, int> by_country;  // country → best rank
  int best = 0;
  DevelopmentStage best_stage = common::v1::DEVELOPMENT_STAGE_UNSPECIFIED;
  auto consider = [&](DevelopmentStage stage, const std::string& country) {
    const int rank = StageRank(stage);
    if (best_stage == common::v1::DEVELOPMENT_STAGE_UNSPECIFIED || rank > best) {
      best = rank;
      best_stage = stage;
    }
    if (!country.empty()) {
      auto it = by_country.find(country);
      if (it == by_country.end() || rank > StageRank(static_cast<DevelopmentStage>(it->second))) {
        by_country[country] = stage;
      }
    }
  };
  product->clear_trials();
  product->clear_first_trial_start();
  std::set<std::string> countries;
  std::vector<Trial> trials;
  trials.reserve(trial_names.size());
  std::vector<TrialUse> uses;
  for (const std::string& tn : trial_names) {
    Trial& trial = trials.emplace_back();
    ASSIGN_OR_RETURN(bool found, Load(trials_, tn, pending, &trial));
    if (!found) {
      trials.pop_back();
      continue;
    }
    product->add_trials(tn);
    // A trial several documents give to different products: this product's
    // own statement, not the merged record, says its phase and countries.
    const catalog::v1::TrialProductStatement* own = nullptr;
    for (const auto& st : trial.product_statements()) {
      if (st.product() == name) own = &st;
    }
    uses.push_back({&trial, own});
    const DevelopmentStage phase =
        own != nullptr && own->phase() != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED ? own->phase()
                                                                                    : trial.phase();
    const auto& trial_countries =
        own != nullptr && !own->countries().empty() ? own->countries() : trial.countries();
    if (trial_countries.empty()) consider(phase, "");
    for (const std::string& c : trial_countries) {
      consider(phase, c);
      countries.insert(c);
    }
    if (IsSet(trial.start_date()) &&
        (!IsSet(product->first_trial_start()) ||
         ComparePartialDates(trial.start_date(), product->first_trial_start()) < 0)) {
      *product->mutable_first_trial_start() = trial.start_date();
    }
  }
  for (const auto& rs : product->regulatory_stages()) {
    const std::string country = rs.country_code().size() == 2 ? rs.country_code() : "";
    consider(rs.stage(), country);
    if (!country.empty()) countries.insert(country);
  }
  product->set_highest_stage(best_stage);
  product->clear_stage_by_country();
  for (const auto& [country, stage] : by_country) {
    auto* cs = product->add_stage_by_country();
    cs->set_country_code(country);
    cs->set_stage(static_cast<DevelopmentStage>(stage));
  }
  product->clear_countries();
  for (const std::string& c : countries) product->add_countries(c);
  if (issues != nullptr) {
    ClaimIssues(*product, *issues);
    for (DataIssue& d : NameMergeIssues(*product)) issues->push_back(std::move(d));
    for (DataIssue& d : ProductTrialIssues(*product, uses)) issues->push_back(std::move(d));
  }
  return absl::OkStatus();
}

absl::Status Catalog::RestageProducts(const std::vector<std::string>& product_ids,
                                      const Pending& pending, storage::WriteBatch& batch) const {
  for (const std::string& pid : product_ids) {
    Product current;
    ASSIGN_OR_RETURN(bool found, products_.FindRaw(pid, &current));
    if (!found) continue;
    Product updated = current;
    std::vector<DataIssue> issues;
    RETURN_IF_ERROR(DeriveProduct(pid, &updated, pending, &issues));
    RETURN_IF_ERROR(StageIssues(products_.NameOf(pid), issues, batch));
    RETURN_IF_ERROR(StageSearch(pid, &updated, pending, batch));
    updated.clear_etag();
    Product compare = current;
    compare.clear_etag();
    if (google::protobuf::util::MessageDifferencer::Equals(updated, compare)) continue;
    *updated.mutable_update_time() = ToProtoTime(products_.options().clock());
    StampEtag(&updated);
    std::vector<std::string> changed;
    for (const char* f : {"therapeutic_areas", "trials", "highest_stage", "stage_by_country",
                          "countries", "first_trial_start"}) {
      changed.push_back(f);
    }
    products_.StageWrite(batch, pid, &current, &updated, common::v1::CHANGE_KIND_UPDATED, "derived",
                         changed);
  }
  return absl::OkStatus();
}

absl::StatusOr<Product> Catalog::SetRegulatoryStages(
    absl::string_view product,
    const google::protobuf::RepeatedPtrField<catalog::v1::CountryStage>& stages,
    absl::string_view origin) {
  ASSIGN_OR_RETURN(std::string id, products_.IdOf(product, "product"));
  for (int i = 0; i < stages.size(); ++i) {
    const std::string f = absl::StrCat("stages[", i, "]");
    RETURN_IF_ERROR(ValidateJurisdiction(stages[i].country_code(), f + ".country_code"));
    const DevelopmentStage st = stages[i].stage();
    if (st != common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION &&
        st != common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL &&
        st != common::v1::DEVELOPMENT_STAGE_APPROVED &&
        st != common::v1::DEVELOPMENT_STAGE_WITHDRAWN) {
      return absl::InvalidArgumentError(absl::StrCat(
          f, ".stage: must be MARKETING_APPLICATION, CONDITIONAL_APPROVAL, APPROVED or WITHDRAWN"));
    }
  }
  absl::MutexLock lock(&write_mu_);
  Product current;
  ASSIGN_OR_RETURN(bool found, products_.FindRaw(id, &current));
  if (!found) return absl::NotFoundError(absl::StrCat(product, " not found"));
  Product updated = current;
  *updated.mutable_regulatory_stages() = stages;
  RETURN_IF_ERROR(DeriveProduct(id, &updated, {}));
  updated.clear_etag();
  Product compare = current;
  compare.clear_etag();
  if (google::protobuf::util::MessageDifferencer::Equals(updated, compare)) return current;
  *updated.mutable_update_time() = ToProtoTime(products_.options().clock());
  StampEtag(&updated);
  storage::WriteBatch batch;
  products_.StageWrite(batch, id, &current, &updated, common::v1::CHANGE_KIND_UPDATED, origin,
                       {"regulatory_stages", "highest_stage", "stage_by_country", "countries"});
  RETURN_IF_ERROR(store_->Write(std::move(batch)).status());
  return updated;
}

}  // namespace regenatlas::catalog
