#include "common/table_index.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "common/table_index_codec.h"
#include "storage/collection.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

using google::protobuf::Message;
using storage::Key;
using table_index_codec::GetString;
using table_index_codec::GetVarint;
using table_index_codec::PutString;
using table_index_codec::PutVarint;

// Bump when the row or meta encoding changes.
constexpr int kFormatVersion = 1;
// Rows written per batch while rebuilding.
constexpr size_t kRebuildBatch = 4096;

bool GetString(absl::string_view& in, std::string* s) {
  absl::string_view view;
  if (!GetString(in, &view)) return false;
  s->assign(view.data(), view.size());
  return true;
}

int IndexIn(const std::vector<std::string>& list, absl::string_view name) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

// A record's change, applied to the in-memory index when its batch commits.
struct TableIndex::Change {
  uint32_t dense = 0;
  std::string id;
  bool existed = false;  // the record is in the committed index
  std::optional<Terms> old_terms;
  std::optional<Terms> new_terms;
};

// The in-memory half of a batch: holds the index's exclusive lock across
// the RocksDB write, so that no reader sees the store and the index apart.
class TableIndex::Commit : public storage::CommitHook {
 public:
  explicit Commit(TableIndex* index) : index_(index) {}
  uintptr_t order() const override { return reinterpret_cast<uintptr_t>(index_); }
  void BeforeCommit() override ABSL_NO_THREAD_SAFETY_ANALYSIS { index_->mu_.Lock(); }
  void AfterCommit(bool committed) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (committed) {
      for (const Change& c : changes_) {
        if (c.old_terms.has_value()) index_->Remove(c.dense, *c.old_terms);
        if (c.new_terms.has_value()) {
          index_->Add(c.dense, c.id, *c.new_terms);
        } else if (c.existed) {
          index_->by_name_.erase(c.dense);
          index_->dense_.erase(c.dense);
          index_->all_.remove(c.dense);
          index_->keys_[c.dense].clear();
        }
      }
    }
    index_->mu_.Unlock();
  }
  Change* Find(absl::string_view id) {
    for (Change& c : changes_) {
      if (c.id == id) return &c;
    }
    return nullptr;
  }
  std::vector<Change>& changes() { return changes_; }

 private:
  TableIndex* index_;
  std::vector<Change> changes_;
};

size_t TableIndex::IdHash::operator()(uint32_t d) const {
  return absl::Hash<absl::string_view>()((*keys)[d]);
}
size_t TableIndex::IdHash::operator()(absl::string_view id) const {
  return absl::Hash<absl::string_view>()(id);
}

TableIndex::TableIndex(storage::Store* store, TableIndexOptions options, const Message* prototype)
    : store_(store),
      options_(std::move(options)),
      prototype_(prototype),
      prefix_(Key().String("~engine").String(options_.collection).Release()),
      dense_(0, IdHash{&keys_}, IdEq{&keys_}),
      by_name_(NameLess{&keys_}) {
  fingerprint_ = StableHash64(absl::StrCat(kFormatVersion, "|", options_.version, "|",
                                           absl::StrJoin(options_.memory_fields, ","), "|",
                                           absl::StrJoin(options_.order_fields, ",")));
  fields_.resize(options_.memory_fields.size());
  orders_.resize(options_.order_fields.size());
}

TableIndex::~TableIndex() = default;

bool TableIndex::IsMemoryField(absl::string_view field) const {
  return IndexIn(options_.memory_fields, field) >= 0;
}

bool TableIndex::IsOrderField(absl::string_view field) const {
  return IndexIn(options_.order_fields, field) >= 0;
}

std::optional<uint32_t> TableIndex::DenseOf(absl::string_view id) const {
  auto it = dense_.find(id);
  if (it == dense_.end()) return std::nullopt;
  return *it;
}

TableIndex::Terms TableIndex::TermsOf(const Message& record) const {
  Terms terms;
  if (options_.postings) {
    for (Posting& p : options_.postings(record)) {
      const int f = IndexIn(options_.memory_fields, p.field);
      if (f >= 0) terms.postings.emplace_back(f, std::move(p));
    }
  }
  for (const std::string& field : options_.order_fields) {
    terms.sort_keys.push_back(options_.sort_key ? options_.sort_key(record, field) : "");
  }
  return terms;
}

std::string TableIndex::RowKey(uint32_t dense) const {
  return prefix_ + Key().String("row").Uint64(dense).Release();
}

std::string TableIndex::MetaKey() const { return prefix_ + Key().String("meta").Release(); }

std::string TableIndex::EncodeMeta() const {
  return Key().Uint64(fingerprint_).Uint64(next_dense_).Release();
}

// Row: id, then (field index, 0 + string | 1 + zigzag int64) per memory
// posting, then one sort key per order field.
std::string TableIndex::EncodeRow(absl::string_view id, const Terms& terms) const {
  std::string out;
  PutString(out, id);
  PutVarint(out, terms.postings.size());
  for (const auto& [f, p] : terms.postings) {
    PutVarint(out, static_cast<uint64_t>(f));
    if (p.number.has_value()) {
      out.push_back(1);
      const int64_t n = *p.number;
      PutVarint(out, (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63));
    } else {
      out.push_back(0);
      PutString(out, p.value);
    }
  }
  for (const std::string& k : terms.sort_keys) PutString(out, k);
  return out;
}

bool TableIndex::DecodeRow(absl::string_view in, std::string* id, Terms* terms) const {
  uint64_t n;
  if (!GetString(in, id) || !GetVarint(in, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t f;
    if (!GetVarint(in, &f) || f >= fields_.size() || in.empty()) return false;
    const char kind = in.front();
    in.remove_prefix(1);
    const std::string& field = options_.memory_fields[f];
    if (kind == 1) {
      uint64_t z;
      if (!GetVarint(in, &z)) return false;
      const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      terms->postings.emplace_back(static_cast<int>(f), Posting(field, "", v));
    } else {
      std::string value;
      if (!GetString(in, &value)) return false;
      terms->postings.emplace_back(static_cast<int>(f), Posting(field, std::move(value)));
    }
  }
  for (size_t i = 0; i < orders_.size(); ++i) {
    std::string k;
    if (!GetString(in, &k)) return false;
    terms->sort_keys.push_back(std::move(k));
  }
  return in.empty();
}

void TableIndex::Add(uint32_t dense, const std::string& id, const Terms& terms) {
  ++generation_;
  if (keys_.size() <= dense) keys_.resize(dense + 1);
  if (keys_[dense].empty()) {
    keys_[dense] = id;
    dense_.insert(dense);
    by_name_.insert(dense);
    all_.add(dense);
  }
  for (const auto& [f, p] : terms.postings) {
    if (p.number.has_value()) {
      fields_[f].ints[*p.number].add(dense);
    } else {
      fields_[f].strings[p.value].add(dense);
    }
  }
  for (size_t i = 0; i < orders_.size(); ++i) {
    Order& o = orders_[i];
    auto it = o.buckets.try_emplace(terms.sort_keys[i]).first;
    it->second.add(dense);
    if (o.column.size() <= dense) o.column.resize(keys_.size(), nullptr);
    o.column[dense] = &it->first;
  }
  UpdateCounters(terms, +1);
}

void TableIndex::Remove(uint32_t dense, const Terms& terms) {
  ++generation_;
  // Empty values are dropped so that maps hold only values in use.
  for (const auto& [f, p] : terms.postings) {
    Field& field = fields_[f];
    if (p.number.has_value()) {
      auto it = field.ints.find(*p.number);
      if (it == field.ints.end()) continue;
      it->second.remove(dense);
      if (it->second.isEmpty()) field.ints.erase(it);
    } else {
      auto it = field.strings.find(p.value);
      if (it == field.strings.end()) continue;
      it->second.remove(dense);
      if (it->second.isEmpty()) field.strings.erase(it);
    }
  }
  for (size_t i = 0; i < orders_.size(); ++i) {
    Order& o = orders_[i];
    auto it = o.buckets.find(terms.sort_keys[i]);
    if (it == o.buckets.end()) continue;
    it->second.remove(dense);
    if (dense < o.column.size()) o.column[dense] = nullptr;
    if (it->second.isEmpty()) o.buckets.erase(it);
  }
  UpdateCounters(terms, -1);
}

void TableIndex::Stage(storage::WriteBatch& batch, absl::string_view id, const Message* old_record,
                       const Message* record) {
  auto* commit = static_cast<Commit*>(batch.FindHook(this));
  if (commit == nullptr) {
    auto hook = std::make_unique<Commit>(this);
    commit = hook.get();
    batch.AddHook(this, std::move(hook));
  }
  // Staging reads the committed index without mu_: commits, its only
  // writers, are serialised with Stage by the owning service's write mutex.
  Change* change = commit->Find(id);
  if (change == nullptr) {
    Change c;
    c.id = std::string(id);
    std::optional<uint32_t> dense = DenseOf(id);
    c.existed = dense.has_value();
    if (c.existed) {
      c.dense = *dense;
      if (old_record != nullptr) c.old_terms = TermsOf(*old_record);
    } else {
      if (record == nullptr) return;  // nothing indexed, nothing to remove
      // Never reused: the next id is persisted in the same batch.
      c.dense = next_dense_++;
      batch.Put(options_.index_cf, MetaKey(), EncodeMeta());
    }
    commit->changes().push_back(std::move(c));
    change = &commit->changes().back();
  }
  // A record staged twice in one batch keeps its first old terms.
  change->new_terms.reset();
  if (record != nullptr) {
    change->new_terms = TermsOf(*record);
    batch.Put(options_.index_cf, RowKey(change->dense), EncodeRow(id, *change->new_terms));
  } else {
    batch.Delete(options_.index_cf, RowKey(change->dense));
  }
}

void TableIndex::Clear() {
  ++generation_;
  by_name_.clear();
  dense_.clear();
  keys_.clear();
  all_ = Bitmap();
  fields_.assign(options_.memory_fields.size(), Field());
  orders_.assign(options_.order_fields.size(), Order());
  next_dense_ = 0;
}

// Rebuilds rows and meta from the records, in record-id order (so dense
// order starts out as name order). The meta key is written last: a rebuild
// cut short is done again at the next start.
absl::Status TableIndex::Rebuild(absl::string_view why) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const absl::Time start = absl::Now();
  Clear();
  storage::WriteBatch batch;
  auto flush = [&](bool sync) -> absl::Status {
    batch.set_sync(sync);
    absl::Status s = store_->Write(std::move(batch)).status();
    batch = storage::WriteBatch();
    return s;
  };
  absl::Status write_status;
  absl::Status s = store_->Scan(options_.index_cf, storage::ScanRange::Prefix(prefix_), nullptr,
                                [&](absl::string_view key, absl::string_view) {
                                  batch.Delete(options_.index_cf, std::string(key));
                                  return true;
                                });
  if (!s.ok()) return s;
  RETURN_IF_ERROR(flush(false));
  storage::Collection records(options_.records_cf, options_.collection);
  std::unique_ptr<Message> record(prototype_->New());
  size_t pending = 0;
  s = records.Scan(*store_, "", nullptr, [&](absl::string_view id, absl::string_view bytes) {
    if (!record->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      write_status = absl::DataLossError(
          absl::StrCat("index: ", options_.collection, "/", id, " does not parse"));
      return false;
    }
    const uint32_t dense = next_dense_++;
    Terms terms = TermsOf(*record);
    batch.Put(options_.index_cf, RowKey(dense), EncodeRow(id, terms));
    Add(dense, std::string(id), terms);
    if (++pending == kRebuildBatch) {
      pending = 0;
      write_status = flush(false);
      if (!write_status.ok()) return false;
    }
    return true;
  });
  if (!s.ok()) return s;
  if (!write_status.ok()) return write_status;
  batch.Put(options_.index_cf, MetaKey(), EncodeMeta());
  RETURN_IF_ERROR(flush(true));
  Log(LogLevel::kInfo, "index rebuilt from the records",
      {{"collection", options_.collection},
       {"reason", std::string(why)},
       {"records", absl::StrCat(all_.cardinality())},
       {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
  return absl::OkStatus();
}

IndexReadLock::IndexReadLock(const storage::Store& store, std::vector<const TableIndex*> indexes)
    : indexes_(std::move(indexes)) {
  std::sort(indexes_.begin(), indexes_.end());
  indexes_.erase(std::unique(indexes_.begin(), indexes_.end()), indexes_.end());
  for (const TableIndex* i : indexes_) i->mu().ReaderLock();
  held_ = true;
  snapshot_ = store.NewSnapshot();
}

IndexReadLock::~IndexReadLock() { Release(); }

void IndexReadLock::Release() {
  if (!held_) return;
  held_ = false;
  for (auto it = indexes_.rbegin(); it != indexes_.rend(); ++it) (*it)->mu().ReaderUnlock();
}

}  // namespace regenatlas
