// TableIndex::Load's bulk construction of the in-memory index from the
// persisted rows (table_index.h). Adding rows one at a time (Add, as commits
// do) cost ~5 µs per row at 600K trials, mostly string compares in the
// ordered maps and the name btree and one bitmap insert per posting; at start
// the rows are collected first and each structure is built once.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/table_index.h"
#include "common/table_index_codec.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

using table_index_codec::GetString;
using table_index_codec::GetVarint;

// Dense ids by value, in the order they were read.
template <typename K>
using IdLists = absl::flat_hash_map<K, std::vector<uint32_t>>;

// The id list of `value`, added empty when new (no key copy when found).
std::vector<uint32_t>& ListOf(IdLists<std::string>& lists, absl::string_view value) {
  auto it = lists.find(value);
  if (it == lists.end()) it = lists.try_emplace(std::string(value)).first;
  return it->second;
}

void AddAll(Bitmap& bitmap, const std::vector<uint32_t>& ids) {
  bitmap.addMany(ids.size(), ids.data());
}

// The eight bytes of `k` at `at`, big-endian and zero-padded: integer order
// is byte order up to trailing NUL bytes.
uint64_t Window(const std::string& k, size_t at) {
  uint64_t w = 0;
  for (size_t i = 0; i < 8; ++i) {
    w = (w << 8) | (at + i < k.size() ? static_cast<unsigned char>(k[at + i]) : 0u);
  }
  return w;
}

struct NameItem {
  uint64_t window;
  uint32_t dense;
};

// Sorts items[begin, end), whose names are equal before `at`, by name: by
// the eight-byte window at `at`, then each run of equal windows by the
// next one.
void SortNames(std::vector<NameItem>& items, size_t begin, size_t end, size_t at,
               const std::vector<std::string>& keys) {
  bool longer = false;
  for (size_t i = begin; i < end; ++i) {
    const std::string& k = keys[items[i].dense];
    items[i].window = Window(k, at);
    longer |= k.size() > at + 8;
  }
  if (!longer) {
    // Every name ends inside the window: equal windows differ only by
    // trailing NUL bytes, so the shorter name is first.
    std::sort(items.begin() + begin, items.begin() + end,
              [&keys](const NameItem& a, const NameItem& b) {
                if (a.window != b.window) return a.window < b.window;
                return keys[a.dense].size() < keys[b.dense].size();
              });
    return;
  }
  std::sort(items.begin() + begin, items.begin() + end,
            [](const NameItem& a, const NameItem& b) { return a.window < b.window; });
  for (size_t run = begin; run < end;) {
    size_t next = run + 1;
    while (next < end && items[next].window == items[run].window) ++next;
    if (next - run > 1) SortNames(items, run, next, at + 8, keys);
    run = next;
  }
}

// Sorts `ids` by their names in `keys`. Names of one table share long
// prefixes ("NCT0…", "ctgov-…"): comparing the strings through pointers
// is a cache miss plus a memcmp over the shared part per comparison; an
// MSD sort on eight-byte windows reads each name once per level.
void SortByName(std::vector<uint32_t>& ids, const std::vector<std::string>& keys) {
  std::vector<NameItem> items;
  items.reserve(ids.size());
  for (uint32_t d : ids) items.push_back({0, d});
  SortNames(items, 0, items.size(), 0, keys);
  for (size_t i = 0; i < items.size(); ++i) ids[i] = items[i].dense;
}

}  // namespace

// The rows of one Load, by (field, value), sort key and dense id.
struct TableIndex::BulkLoad {
  explicit BulkLoad(const TableIndex& index)
      : strings(index.options_.memory_fields.size()),
        ints(index.options_.memory_fields.size()),
        orders(index.options_.order_fields.size()) {}
  std::vector<IdLists<std::string>> strings;  // by memory field
  std::vector<IdLists<int64_t>> ints;         // by memory field
  std::vector<IdLists<std::string>> orders;   // by order field
  std::vector<uint32_t> ids;                  // every row's dense id
};

// Runs before the index is shared (from the table's constructor), so it
// takes no lock: holding mu_ across the rebuild's store writes would order
// mu_ before the store's write lock, the opposite of every commit.
absl::Status TableIndex::Load() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::optional<std::string>> meta = store_->Get(options_.index_cf, MetaKey());
  if (!meta.ok()) return status_ = meta.status();
  std::optional<uint64_t> stored;
  uint64_t next = 0;
  if (meta->has_value()) {
    storage::KeyReader r(**meta);
    absl::StatusOr<uint64_t> f = r.Uint64();
    absl::StatusOr<uint64_t> n = r.Uint64();
    if (f.ok() && n.ok()) {
      stored = *f;
      next = *n;
    }
  }
  if (!stored.has_value()) return status_ = Rebuild("no index");
  if (*stored != fingerprint_) return status_ = Rebuild("index of another version");
  Clear();
  next_dense_ = static_cast<uint32_t>(next);
  // A dense id is below the stored next one (corrupt otherwise).
  if (next > (uint64_t{1} << 32)) return status_ = Rebuild("corrupt index meta");
  keys_.resize(next);
  const std::string rows = prefix_ + storage::Key().String("row").Release();
  bool corrupt = false;
  BulkLoad load(*this);
  storage::ScanRange range = storage::ScanRange::Prefix(rows);
  range.bulk = true;
  absl::Status s = store_->Scan(
      options_.index_cf, range, nullptr, [&](absl::string_view key, absl::string_view value) {
        storage::KeyReader r(key.substr(rows.size()));
        absl::StatusOr<uint64_t> dense = r.Uint64();
        if (!dense.ok() || *dense >= next || !LoadRow(load, static_cast<uint32_t>(*dense), value)) {
          corrupt = true;
          return false;
        }
        return true;
      });
  if (!s.ok()) return status_ = s;
  if (corrupt) return status_ = Rebuild("corrupt index row");
  FinishLoad(load);
  Log(LogLevel::kDebug, "index loaded",
      {{"collection", options_.collection},
       {"records", absl::StrCat(all_.cardinality())},
       {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
  return status_ = absl::OkStatus();
}

// The row encoding is EncodeRow's (table_index.cc); DecodeRow is its
// one-row counterpart.
bool TableIndex::LoadRow(BulkLoad& load, uint32_t dense, absl::string_view in) {
  absl::string_view id;
  uint64_t n;
  if (dense >= keys_.size() || !keys_[dense].empty()) return false;
  if (!GetString(in, &id) || id.empty() || !GetVarint(in, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t f;
    if (!GetVarint(in, &f) || f >= fields_.size() || in.empty()) return false;
    const char kind = in.front();
    in.remove_prefix(1);
    if (kind == 1) {
      uint64_t z;
      if (!GetVarint(in, &z)) return false;
      const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
      load.ints[f][v].push_back(dense);
    } else {
      absl::string_view value;
      if (!GetString(in, &value)) return false;
      ListOf(load.strings[f], value).push_back(dense);
    }
  }
  for (size_t i = 0; i < orders_.size(); ++i) {
    absl::string_view key;
    if (!GetString(in, &key)) return false;
    ListOf(load.orders[i], key).push_back(dense);
  }
  if (!in.empty()) return false;
  keys_[dense].assign(id.data(), id.size());
  load.ids.push_back(dense);
  return true;
}

void TableIndex::FinishLoad(BulkLoad& load) {
  ++generation_;
  // Rows are read in dense order (big-endian keys), so every list is
  // sorted and addMany appends whole containers.
  AddAll(all_, load.ids);
  dense_.reserve(load.ids.size());
  for (uint32_t d : load.ids) dense_.insert(d);
  // The name order: one sort (none when dense order is already name
  // order, as after a rebuild), then appends at the end of the btree.
  NameLess less{&keys_};
  if (!std::is_sorted(load.ids.begin(), load.ids.end(), less)) SortByName(load.ids, keys_);
  for (uint32_t d : load.ids) by_name_.insert(by_name_.end(), d);
  for (size_t f = 0; f < fields_.size(); ++f) {
    for (const auto& [value, ids] : load.strings[f]) AddAll(fields_[f].strings[value], ids);
    for (const auto& [value, ids] : load.ints[f]) AddAll(fields_[f].ints[value], ids);
  }
  for (size_t i = 0; i < orders_.size(); ++i) {
    Order& o = orders_[i];
    o.column.assign(keys_.size(), nullptr);
    for (const auto& [key, ids] : load.orders[i]) {
      auto it = o.buckets.try_emplace(key).first;
      AddAll(it->second, ids);
      for (uint32_t d : ids) o.column[d] = &it->first;
    }
  }
}

}  // namespace regenatlas
