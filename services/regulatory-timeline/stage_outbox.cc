// The regulatory-stage outbox of the timeline (see Timeline in
// timeline.h and docs/execution.md): markers committed with event writes,
// delivered to the catalog by StageSync.
#include <set>

#include "absl/strings/str_cat.h"
#include "services/regulatory-timeline/timeline.h"
#include "storage/store.h"

namespace regenatlas::timeline {
namespace {

constexpr storage::ColumnFamily kRecordsCf = storage::ColumnFamily::kTimeline;

}  // namespace

namespace {

constexpr char kOutboxPrefix[] = "~stage-outbox/";
}  // namespace

void Timeline::StageOutbox(storage::WriteBatch& batch, absl::string_view product) {
  // A fresh marker per write: the sync deletes the marker only if no later
  // write replaced it while the catalog call was in flight.
  batch.Put(kRecordsCf, absl::StrCat(kOutboxPrefix, product),
            absl::StrCat(outbox_nonce_.fetch_add(1), "@", absl::ToUnixMicros(absl::Now())));
}

absl::Status Timeline::EnqueueAllStages() {
  absl::StatusOr<std::set<std::string>> all = ProductsWithStageEvents();
  if (!all.ok()) return all.status();
  storage::WriteBatch batch;
  for (const std::string& product : *all) StageOutbox(batch, product);
  if (batch.empty()) return absl::OkStatus();
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<size_t> Timeline::PendingStageSyncs() const {
  size_t n = 0;
  absl::Status s = store_->Scan(kRecordsCf, storage::ScanRange::Prefix(kOutboxPrefix), nullptr,
                                [&](absl::string_view, absl::string_view) {
                                  ++n;
                                  return true;
                                });
  if (!s.ok()) return s;
  return n;
}

absl::StatusOr<size_t> Timeline::DeliverStageOutbox() {
  std::vector<std::pair<std::string, std::string>> pending;
  absl::Status s = store_->Scan(
      kRecordsCf, storage::ScanRange::Prefix(kOutboxPrefix), nullptr,
      [&](absl::string_view key, absl::string_view value) {
        pending.emplace_back(std::string(key.substr(strlen(kOutboxPrefix))), std::string(value));
        return pending.size() < 256;
      });
  if (!s.ok()) return s;
  size_t delivered = 0;
  for (const auto& [product, marker] : pending) {
    s = SyncRegulatoryStages({product});
    if (!s.ok()) return s;
    // Delete the marker unless a newer write replaced it meanwhile.
    absl::MutexLock lock(&write_mu_);
    absl::StatusOr<std::optional<std::string>> current =
        store_->Get(kRecordsCf, absl::StrCat(kOutboxPrefix, product));
    if (!current.ok()) return current.status();
    if (current->has_value() && **current == marker) {
      storage::WriteBatch batch;
      batch.Delete(kRecordsCf, absl::StrCat(kOutboxPrefix, product));
      s = store_->Write(std::move(batch)).status();
      if (!s.ok()) return s;
    }
    ++delivered;
  }
  return delivered;
}

}  // namespace regenatlas::timeline
