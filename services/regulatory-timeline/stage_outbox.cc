// The regulatory stages of the timeline (see Timeline in timeline.h and
// docs/execution.md): which events move a product's stage, the stages
// computed per jurisdiction and sent to the catalog, and the outbox of
// markers committed with event writes and delivered by StageSync.
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_internal.h"
#include "storage/store.h"

namespace regenatlas::timeline {
namespace {

using common::v1::DevelopmentStage;
using internal::kIndexCf;
using internal::kRecordsCf;
using internal::StageOf;

constexpr char kOutboxPrefix[] = "~stage-outbox/";

}  // namespace

namespace internal {

// The stage an event moves its products to, if any.
std::optional<DevelopmentStage> StageOf(const Event& e) {
  switch (e.type()) {
    case timeline::v1::EVENT_TYPE_MARKETING_APPLICATION_SUBMITTED:
    case timeline::v1::EVENT_TYPE_MARKETING_APPLICATION_ACCEPTED:
      return common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION;
    case timeline::v1::EVENT_TYPE_CONDITIONAL_APPROVAL:
      return common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL;
    case timeline::v1::EVENT_TYPE_APPROVAL:
      if (e.pathway() == timeline::v1::PATHWAY_CONDITIONAL_APPROVAL ||
          e.pathway() == timeline::v1::PATHWAY_TIME_LIMITED_CONDITIONAL_APPROVAL) {
        return common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL;
      }
      return common::v1::DEVELOPMENT_STAGE_APPROVED;
    case timeline::v1::EVENT_TYPE_WITHDRAWAL:
      return common::v1::DEVELOPMENT_STAGE_WITHDRAWN;
    default:
      return std::nullopt;
  }
}

}  // namespace internal

// ---- Stages sent to the catalog --------------------------------------------

absl::StatusOr<std::set<std::string>> Timeline::ProductsWithStageEvents() const {
  std::set<std::string> all;
  RETURN_IF_ERROR(events_.ScanAll(nullptr, [&](absl::string_view, absl::string_view bytes) {
    Event e;
    if (e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && StageOf(e).has_value()) {
      all.insert(e.products().begin(), e.products().end());
    }
    return true;
  }));
  return all;
}

absl::Status Timeline::SyncRegulatoryStages(std::vector<std::string> products) {
  if (products.empty()) {
    ASSIGN_OR_RETURN(std::set<std::string> all, ProductsWithStageEvents());
    products.assign(all.begin(), all.end());
  }
  for (const std::string& product : products) {
    ASSIGN_OR_RETURN(std::vector<std::string> ids,
                     PostingIds(*store_, kIndexCf, "events", "product", product, nullptr));
    // Per jurisdiction, the stage of the latest stage-moving event (ties:
    // the more advanced stage). An undated event (unset date) compares
    // before every dated one, so it sets the stage only when it is the
    // jurisdiction's only stage-moving event.
    std::map<std::string, std::pair<common::v1::PartialDate, DevelopmentStage>> latest;
    for (const std::string& id : ids) {
      Event e;
      ASSIGN_OR_RETURN(bool found, events_.FindRaw(id, &e));
      if (!found) continue;
      std::optional<DevelopmentStage> stage = StageOf(e);
      if (!stage.has_value()) continue;
      auto it = latest.find(e.jurisdiction());
      if (it == latest.end()) {
        latest[e.jurisdiction()] = {e.date(), *stage};
        continue;
      }
      int cmp = ComparePartialDates(e.date(), it->second.first);
      bool later = cmp > 0 || (cmp == 0 && *stage > it->second.second &&
                               *stage != common::v1::DEVELOPMENT_STAGE_WITHDRAWN);
      if (later) it->second = {e.date(), *stage};
    }
    std::vector<catalog::v1::CountryStage> stages;
    for (const auto& [jurisdiction, entry] : latest) {
      catalog::v1::CountryStage cs;
      cs.set_country_code(jurisdiction);
      cs.set_stage(entry.second);
      stages.push_back(cs);
    }
    RETURN_IF_ERROR(catalog_->SetRegulatoryStages(product, stages),
                    _ << "regulatory stages of " << product << " not sent to the catalog");
  }
  return absl::OkStatus();
}

// ---- The outbox -------------------------------------------------------------

void Timeline::StageOutbox(storage::WriteBatch& batch, absl::string_view product) {
  // A fresh marker per write: the sync deletes the marker only if no later
  // write replaced it while the catalog call was in flight.
  batch.Put(kRecordsCf, absl::StrCat(kOutboxPrefix, product),
            absl::StrCat(outbox_nonce_.fetch_add(1), "@", absl::ToUnixMicros(absl::Now())));
}

absl::Status Timeline::EnqueueAllStages() {
  ASSIGN_OR_RETURN(std::set<std::string> all, ProductsWithStageEvents());
  storage::WriteBatch batch;
  for (const std::string& product : all) StageOutbox(batch, product);
  if (batch.empty()) return absl::OkStatus();
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<size_t> Timeline::PendingStageSyncs() const {
  size_t n = 0;
  RETURN_IF_ERROR(store_->Scan(kRecordsCf, storage::ScanRange::Prefix(kOutboxPrefix), nullptr,
                               [&](absl::string_view, absl::string_view) {
                                 ++n;
                                 return true;
                               }));
  return n;
}

absl::StatusOr<size_t> Timeline::DeliverStageOutbox() {
  std::vector<std::pair<std::string, std::string>> pending;
  RETURN_IF_ERROR(store_->Scan(
      kRecordsCf, storage::ScanRange::Prefix(kOutboxPrefix), nullptr,
      [&](absl::string_view key, absl::string_view value) {
        pending.emplace_back(std::string(key.substr(strlen(kOutboxPrefix))), std::string(value));
        return pending.size() < 256;
      }));
  size_t delivered = 0;
  for (const auto& [product, marker] : pending) {
    RETURN_IF_ERROR(SyncRegulatoryStages({product}));
    // Delete the marker unless a newer write replaced it meanwhile.
    absl::MutexLock lock(&write_mu_);
    ASSIGN_OR_RETURN(std::optional<std::string> current,
                     store_->Get(kRecordsCf, absl::StrCat(kOutboxPrefix, product)));
    if (current.has_value() && *current == marker) {
      storage::WriteBatch batch;
      batch.Delete(kRecordsCf, absl::StrCat(kOutboxPrefix, product));
      RETURN_IF_ERROR(store_->Write(std::move(batch)).status());
    }
    ++delivered;
  }
  return delivered;
}

}  // namespace regenatlas::timeline
