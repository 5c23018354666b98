// Reads by name and by query: the List methods (the query engine over the
// catalog's postings, with the trial → product join),
// CreateTrial / GetTrial (trials by any registry ID) and ResolveRegistryId.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/registry_id.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using internal::IndicationsSpec;
using internal::kIndexCf;
using internal::kRegistryKey;
using internal::OrganizationsSpec;
using internal::ProductsSpec;
using internal::SourcesSpec;
using internal::TrialsSpec;
using storage::Key;

}  // namespace

template <typename T>
absl::StatusOr<ListResult<T>> Catalog::List(const ResourceTable<T>& table, const ListSpec& spec,
                                            const ListQuery& q) const {
  IndexReadLock lock(*store_, IndexesFor(spec.collection));
  CatalogPostings postings(this, spec.collection, lock.snapshot());
  return RunList(table, spec, postings, lock, q);
}

absl::StatusOr<ListResult<Source>> Catalog::ListSources(const ListQuery& q) const {
  return List(sources_, SourcesSpec(), q);
}
absl::StatusOr<ListResult<Organization>> Catalog::ListOrganizations(const ListQuery& q) const {
  return List(organizations_, OrganizationsSpec(), q);
}
absl::StatusOr<ListResult<Indication>> Catalog::ListIndications(const ListQuery& q) const {
  return List(indications_, IndicationsSpec(), q);
}
absl::StatusOr<ListResult<Product>> Catalog::ListProducts(const ListQuery& q) const {
  return List(products_, ProductsSpec(), q);
}
absl::StatusOr<ListResult<Trial>> Catalog::ListTrials(const ListQuery& q) const {
  return List(trials_, TrialsSpec(), q);
}

absl::StatusOr<Trial> Catalog::CreateTrial(absl::string_view trial_id, Trial trial,
                                           absl::string_view origin) {
  std::string id(trial_id);
  if (id.empty()) {
    if (trial.primary_id().id().empty()) {
      return absl::InvalidArgumentError("trial_id: required when the trial has no primary_id");
    }
    absl::StatusOr<common::v1::RegistryId> parsed =
        ParseRegistryId(trial.primary_id().id(), "trial.primary_id.id");
    if (!parsed.ok()) return parsed.status();
    id = TrialIdFor(*parsed);
  }
  return trials_.Create(id, std::move(trial), origin);
}

absl::StatusOr<Trial> Catalog::GetTrial(absl::string_view name_or_id) const {
  if (absl::StartsWith(name_or_id, "trials/")) return trials_.Get(name_or_id);
  absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(name_or_id, "name");
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("name: \"", name_or_id,
                                                   "\" is neither trials/{id} nor a registry ID (",
                                                   parsed.status().message(), ")"));
  }
  absl::StatusOr<std::optional<std::string>> owner =
      store_->Get(kIndexCf, Key().String(kRegistryKey).String(parsed->id()).Release());
  if (!owner.ok()) return owner.status();
  if (!owner->has_value()) {
    return absl::NotFoundError(absl::StrCat("no trial has registry ID ", parsed->id()));
  }
  return trials_.Get(trials_.NameOf(**owner));
}

absl::StatusOr<catalog::v1::ResolveRegistryIdResponse> Catalog::ResolveRegistryId(
    absl::string_view text) const {
  absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(text, "registry_id");
  if (!parsed.ok()) return parsed.status();
  catalog::v1::ResolveRegistryIdResponse response;
  *response.mutable_registry_id() = *parsed;
  response.set_registry_name(std::string(RegistryName(parsed->registry())));
  absl::StatusOr<std::optional<std::string>> owner =
      store_->Get(kIndexCf, Key().String(kRegistryKey).String(parsed->id()).Release());
  if (!owner.ok()) return owner.status();
  if (owner->has_value()) response.set_trial(trials_.NameOf(**owner));
  return response;
}

}  // namespace regenatlas::catalog
