// The catalog's write hooks, run by each ResourceTable inside the write's
// batch: refusing to delete referenced records, keeping the registry-ID
// lookup and the stored data-quality findings current, and restaging the
// products (derived fields, search text) a write affects.
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dataset.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_findings.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/registry_id.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using internal::AllIds;
using internal::kIndexCf;
using internal::kIssueKey;
using internal::kRegistryKey;
using storage::Key;
using storage::ScanRange;

}  // namespace

absl::Status Catalog::RefuseIfReferenced(
    absl::string_view name, const std::vector<std::pair<std::string, std::string>>& uses) const {
  for (const auto& [collection, field] : uses) {
    ASSIGN_OR_RETURN(std::vector<std::string> ids, PostingIds(collection, field, name));
    if (!ids.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " is still referenced by ", collection, "/", ids.front(), " (", field,
                       ids.size() > 1 ? absl::StrCat(", and ", ids.size() - 1, " more") : "", ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::StageIssues(absl::string_view record, const std::vector<DataIssue>& issues,
                                  storage::WriteBatch& batch) const {
  std::string prefix = Key().String(kIssueKey).String(record).Release();
  RETURN_IF_ERROR(store_->Scan(kIndexCf, ScanRange::Prefix(prefix), nullptr,
                               [&](absl::string_view key, absl::string_view) {
                                 batch.Delete(kIndexCf, std::string(key));
                                 return true;
                               }));
  for (size_t i = 0; i < issues.size(); ++i) {
    batch.Put(kIndexCf, Key().String(kIssueKey).String(record).Uint64(i).Release(),
              issues[i].SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status Catalog::SourceHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = sources_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    return RefuseIfReferenced(name, {{"products", "source"},
                                     {"trials", "source"},
                                     {"organizations", "source"},
                                     {"indications", "source"}});
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Source&>(*ctx.new_record), issues);
  return StageIssues(name, issues, *ctx.batch);
}

absl::Status Catalog::OrganizationHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = organizations_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    RETURN_IF_ERROR(RefuseIfReferenced(name, {{"products", "sponsor"},
                                              {"trials", "sponsor"},
                                              {"trials", "collaborator"},
                                              {"organizations", "parent"}}));
    return StageIssues(name, {}, *ctx.batch);
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Organization&>(*ctx.new_record), issues);
  RETURN_IF_ERROR(StageIssues(name, issues, *ctx.batch));
  // Sponsors' names are searchable text of their products.
  ASSIGN_OR_RETURN(std::vector<std::string> sponsored, PostingIds("products", "sponsor", name));
  Pending pending = {{name, ctx.new_record}};
  for (const std::string& pid : sponsored) {
    Product p;
    ASSIGN_OR_RETURN(bool found, products_.FindRaw(pid, &p));
    if (!found) continue;
    RETURN_IF_ERROR(StageSearch(pid, &p, pending, *ctx.batch));
  }
  return absl::OkStatus();
}

absl::Status Catalog::IndicationHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = indications_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    RETURN_IF_ERROR(RefuseIfReferenced(
        name, {{"products", "indication"}, {"trials", "indication"}, {"indications", "parent"}}));
    return StageIssues(name, {}, *ctx.batch);
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Indication&>(*ctx.new_record), issues);
  RETURN_IF_ERROR(StageIssues(name, issues, *ctx.batch));
  // Therapeutic areas and indication names are derived into products.
  ASSIGN_OR_RETURN(std::vector<std::string> users, PostingIds("products", "indication", name));
  return RestageProducts(users, {{name, ctx.new_record}}, *ctx.batch);
}

absl::Status Catalog::ProductHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = products_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    RETURN_IF_ERROR(RefuseIfReferenced(name, {{"trials", "product"}}));
    RETURN_IF_ERROR(StageSearch(ctx.id, nullptr, {}, *ctx.batch));
    return StageIssues(name, {}, *ctx.batch);
  }
  auto* product = static_cast<Product*>(ctx.new_record);
  // regulatory_stages are maintained by the regulatory timeline, not by
  // catalog writers: keep what is stored.
  product->clear_regulatory_stages();
  if (ctx.old_record != nullptr) {
    *product->mutable_regulatory_stages() =
        static_cast<const Product*>(ctx.old_record)->regulatory_stages();
  }
  std::vector<DataIssue> issues;
  RETURN_IF_ERROR(DeriveProduct(ctx.id, product, {{name, product}}, &issues));
  RETURN_IF_ERROR(StageSearch(ctx.id, product, {{name, product}}, *ctx.batch));
  return StageIssues(name, issues, *ctx.batch);
}

absl::Status Catalog::TrialHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = trials_.NameOf(ctx.id);
  const auto* old_trial = static_cast<const Trial*>(ctx.old_record);
  auto* trial = static_cast<Trial*>(ctx.new_record);
  std::set<std::string> old_ids, new_ids;
  if (old_trial != nullptr) {
    for (const auto& id : AllIds(*old_trial)) old_ids.insert(id.id());
  }
  if (trial != nullptr) {
    // Store canonical spellings only, so that lookups by any spelling work.
    auto canonicalize = [](common::v1::RegistryId* id) {
      absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(id->id());
      if (parsed.ok()) *id = *parsed;
    };
    if (!trial->primary_id().id().empty()) canonicalize(trial->mutable_primary_id());
    for (auto& id : *trial->mutable_secondary_ids()) canonicalize(&id);
    std::set<std::string> seen;
    for (const auto& id : AllIds(*trial)) {
      if (!seen.insert(id.id()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("trial.secondary_ids: ", id.id(), " is listed twice"));
      }
      new_ids.insert(id.id());
      ASSIGN_OR_RETURN(std::optional<std::string> owner,
                       store_->Get(kIndexCf, Key().String(kRegistryKey).String(id.id()).Release()));
      if (owner.has_value() && *owner != ctx.id) {
        return absl::AlreadyExistsError(
            absl::StrCat("trial: registry ID ", id.id(), " already belongs to trials/", *owner));
      }
    }
  } else {
    // Nothing references trials from inside the catalog except products'
    // derived fields, which are restaged below.
  }
  for (const std::string& id : old_ids) {
    if (!new_ids.count(id))
      ctx.batch->Delete(kIndexCf, Key().String(kRegistryKey).String(id).Release());
  }
  for (const std::string& id : new_ids) {
    ctx.batch->Put(kIndexCf, Key().String(kRegistryKey).String(id).Release(), std::string(ctx.id));
  }

  std::vector<DataIssue> issues;
  if (trial != nullptr) {
    for (const std::string& text : trial->malformed_ids()) {
      DataIssue issue;
      issue.set_kind(common::v1::DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID);
      issue.set_record(name);
      issue.set_field("malformed_ids");
      absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(text);
      issue.set_description(parsed.ok() ? absl::StrCat("\"", text, "\" was printed for this trial")
                                        : std::string(parsed.status().message()));
      issue.add_values(text);
      for (const auto& c : trial->sources()) *issue.add_citations() = c;
      issues.push_back(std::move(issue));
    }
    if (trial->products_size() > 1) {
      DataIssue issue;
      issue.set_kind(common::v1::DATA_ISSUE_KIND_TRIAL_ID_SHARED_BY_PRODUCTS);
      issue.set_record(name);
      issue.set_field("products");
      std::string id = trial->primary_id().id().empty() ? name : trial->primary_id().id();
      issue.set_description(
          absl::StrCat(id, " is attached to ", trial->products_size(),
                       " different products: ", absl::StrJoin(trial->products(), ", ")));
      for (const auto& p : trial->products()) {
        issue.add_values(p);
        issue.add_related_records(p);
      }
      for (const auto& c : trial->claims()) {
        if (c.field() == "products") *issue.add_citations() = c.citation();
      }
      if (issue.citations().empty()) {
        for (const auto& c : trial->sources()) *issue.add_citations() = c;
      }
      issues.push_back(std::move(issue));
    }
    ClaimIssues(*trial, issues);
    for (DataIssue& issue : TrialQuoteIssues(*trial)) issues.push_back(std::move(issue));
    for (DataIssue& issue : RegistryIdDateIssues(*trial)) issues.push_back(std::move(issue));
  }
  RETURN_IF_ERROR(StageIssues(name, issues, *ctx.batch));

  std::set<std::string> affected;
  if (old_trial != nullptr) {
    for (const auto& p : old_trial->products()) affected.insert(p);
  }
  if (trial != nullptr) {
    for (const auto& p : trial->products()) affected.insert(p);
  }
  std::vector<std::string> product_ids;
  for (const std::string& p : affected) product_ids.push_back(p.substr(strlen("products/")));
  return RestageProducts(product_ids, {{name, trial}}, *ctx.batch);
}

}  // namespace regenatlas::catalog
