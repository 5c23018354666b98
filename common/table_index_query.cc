// Reads of the query engine's in-memory index: posting bitmaps, ordered
// pages and grouped counts. Every function here runs under the index's
// shared lock and reads no record.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/table_index.h"

namespace regenatlas {
namespace {

// Two-field counts over at least 1/kColumnShare of the table use a value
// column (CountByColumn).
constexpr uint64_t kColumnShare = 16;

const std::string& Empty() {
  static const auto* empty = new std::string();
  return *empty;
}

}  // namespace

const TableIndex::Field* TableIndex::FieldOf(absl::string_view field) const {
  for (size_t i = 0; i < options_.memory_fields.size(); ++i) {
    if (options_.memory_fields[i] == field) return &fields_[i];
  }
  return nullptr;
}

Bitmap TableIndex::Equal(absl::string_view field, absl::string_view value) const {
  const Field* f = FieldOf(field);
  if (f == nullptr) return Bitmap();
  auto it = f->strings.find(value);
  return it == f->strings.end() ? Bitmap() : it->second;
}

Bitmap TableIndex::StringRange(absl::string_view field, std::optional<std::string> low,
                               bool low_open, std::optional<std::string> high,
                               bool high_open) const {
  Bitmap out;
  const Field* f = FieldOf(field);
  if (f == nullptr) return out;
  auto it = !low.has_value() ? f->strings.begin()
            : low_open       ? f->strings.upper_bound(*low)
                             : f->strings.lower_bound(*low);
  for (; it != f->strings.end(); ++it) {
    if (high.has_value() && (high_open ? it->first >= *high : it->first > *high)) break;
    out |= it->second;
  }
  return out;
}

Bitmap TableIndex::IntRange(absl::string_view field, std::optional<int64_t> low,
                            std::optional<int64_t> high) const {
  const Field* f = FieldOf(field);
  if (f == nullptr) return Bitmap();
  std::vector<const Bitmap*> parts;
  auto it = low.has_value() ? f->ints.lower_bound(*low) : f->ints.begin();
  for (; it != f->ints.end() && (!high.has_value() || it->first <= *high); ++it) {
    parts.push_back(&it->second);
  }
  if (parts.empty()) return Bitmap();
  return Bitmap::fastunion(parts.size(), parts.data());
}

Bitmap TableIndex::AnyValue(absl::string_view field) const {
  std::vector<const Bitmap*> parts;
  for (const auto& [value, ids] : Values(field)) parts.push_back(ids);
  if (parts.empty()) return Bitmap();
  return Bitmap::fastunion(parts.size(), parts.data());
}

std::vector<std::pair<std::string, const Bitmap*>> TableIndex::Values(
    absl::string_view field) const {
  std::vector<std::pair<std::string, const Bitmap*>> out;
  const Field* f = FieldOf(field);
  if (f == nullptr) return out;
  for (const auto& [value, ids] : f->strings) out.emplace_back(value, &ids);
  for (const auto& [n, ids] : f->ints) out.emplace_back(absl::StrCat(n), &ids);
  return out;
}

std::vector<TableIndex::Entry> TableIndex::SelectPage(
    const Bitmap& matches, const std::vector<OrderTerm>& order,
    const std::optional<std::pair<std::vector<std::string>, std::string>>& after,
    size_t limit) const {
  // -1: the record id ("name"); else the order column.
  std::vector<int> columns;
  for (const OrderTerm& t : order) {
    columns.push_back(t.field == "name" ? -1
                                        : static_cast<int>(std::distance(
                                              options_.order_fields.begin(),
                                              std::find(options_.order_fields.begin(),
                                                        options_.order_fields.end(), t.field))));
  }
  auto key = [&](uint32_t d, size_t t) -> const std::string& {
    if (columns[t] < 0) return keys_[d];
    const auto& column = orders_[columns[t]].column;
    return d < column.size() && column[d] != nullptr ? *column[d] : Empty();
  };
  // Order terms first, ties by record id ascending (as positions encode).
  auto less = [&](uint32_t a, uint32_t b) {
    for (size_t t = 0; t < order.size(); ++t) {
      const int c = key(a, t).compare(key(b, t));
      if (c != 0) return order[t].descending ? c > 0 : c < 0;
    }
    return keys_[a] < keys_[b];
  };
  auto is_after = [&](uint32_t d) {
    if (!after.has_value()) return true;
    for (size_t t = 0; t < order.size() && t < after->first.size(); ++t) {
      const int c = key(d, t).compare(after->first[t]);
      if (c != 0) return order[t].descending ? c < 0 : c > 0;
    }
    return keys_[d] > after->second;
  };

  std::vector<uint32_t> picked;
  const uint64_t m = matches.cardinality();
  // Few matches: sorting them is cheaper than walking past non-matches.
  if (order.empty() || m <= options_.sort_below || m * options_.sort_share <= all_.cardinality()) {
    for (uint32_t d : matches) {
      if (is_after(d)) picked.push_back(d);
    }
    if (picked.size() > limit) {
      std::partial_sort(picked.begin(), picked.begin() + limit, picked.end(), less);
      picked.resize(limit);
    } else {
      std::sort(picked.begin(), picked.end(), less);
    }
  } else if (columns[0] < 0) {
    // Name first: walk the name order; later terms cannot break ties.
    const bool desc = order[0].descending;
    if (!desc) {
      auto it = after.has_value() ? by_name_.upper_bound(absl::string_view(after->second))
                                  : by_name_.begin();
      for (; it != by_name_.end() && picked.size() < limit; ++it) {
        if (matches.contains(*it)) picked.push_back(*it);
      }
    } else {
      auto it = after.has_value() ? by_name_.lower_bound(absl::string_view(after->second))
                                  : by_name_.end();
      while (it != by_name_.begin() && picked.size() < limit) {
        --it;
        if (matches.contains(*it)) picked.push_back(*it);
      }
    }
  } else {
    // Walk the first term's buckets in order; sort each bucket's matches by
    // the remaining terms. Buckets after the one that fills the page sort
    // after every record already picked.
    const Order& o = orders_[columns[0]];
    const bool desc = order[0].descending;
    auto take = [&](const Bitmap& bucket) {
      Bitmap both = bucket & matches;
      if (both.isEmpty()) return;
      const size_t first = picked.size();
      for (uint32_t d : both) {
        if (is_after(d)) picked.push_back(d);
      }
      std::sort(picked.begin() + first, picked.end(), less);
    };
    if (!desc) {
      auto it = after.has_value() ? o.buckets.lower_bound(after->first[0]) : o.buckets.begin();
      for (; it != o.buckets.end() && picked.size() < limit; ++it) take(it->second);
    } else {
      auto it = after.has_value() ? o.buckets.upper_bound(after->first[0]) : o.buckets.end();
      while (it != o.buckets.begin() && picked.size() < limit) take((--it)->second);
    }
    if (picked.size() > limit) picked.resize(limit);
  }
  std::vector<Entry> out;
  out.reserve(picked.size());
  for (uint32_t d : picked) {
    Entry e;
    e.dense = d;
    for (size_t t = 0; t < order.size(); ++t) e.keys.push_back(&key(d, t));
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

// Calls f(id) for every id of `bitmap`, in increasing order, reading the ids
// in blocks (no per-id call into the library).
template <typename F>
void ForEachId(const Bitmap& bitmap, F&& f) {
  roaring_uint32_iterator_t it;
  roaring_init_iterator(&bitmap.roaring, &it);
  uint32_t block[256];
  for (;;) {
    const uint32_t n = roaring_read_uint32_iterator(&it, block, 256);
    if (n == 0) break;
    for (uint32_t i = 0; i < n; ++i) f(block[i]);
  }
}

using Groups = std::map<std::vector<std::string>, int>;

// Two-field counts by the value column of one field (`column`,
// TableIndex::ValueColumn) and one pass over the postings of the other
// (`other`): linear in the other field's postings among the matches, where
// AND-ing every pair of value bitmaps costs (values × values × containers).
// Only when every record has at most one value of `column` (nullopt
// otherwise: the caller AND-s pairs).
std::optional<Groups> CountByColumn(const TableIndex& index, const Bitmap& matches,
                                    const std::string& column, const std::string& other,
                                    bool column_first) {
  const std::shared_ptr<const std::vector<uint16_t>> value_column = index.ValueColumn(column);
  if (value_column == nullptr) return std::nullopt;
  const std::vector<uint16_t>& value_of = *value_column;
  const auto column_values = index.Values(column);
  const auto other_values = index.Values(other);
  // counts[c * (others + 1) + o]; row/column `size()` is "(none)".
  const size_t others = other_values.size() + 1;
  std::vector<int> counts((column_values.size() + 1) * others, 0);
  auto count = [&](uint32_t id, size_t o) {
    if (id >= value_of.size()) return;
    const uint16_t c = value_of[id];
    ++counts[(c == TableIndex::kNoColumnValue ? column_values.size() : c) * others + o];
  };
  // Every record of the table matches (no filter): the postings as they are.
  const bool everything = matches.cardinality() == index.size();
  std::vector<const Bitmap*> with_other;
  for (size_t o = 0; o < other_values.size(); ++o) {
    const Bitmap& ids = *other_values[o].second;
    with_other.push_back(&ids);
    if (everything) {
      ForEachId(ids, [&](uint32_t id) { count(id, o); });
    } else {
      ForEachId(ids & matches, [&](uint32_t id) { count(id, o); });
    }
  }
  // The matches without any value of `other`: usually few, so one
  // difference instead of a mark per record.
  const Bitmap none = with_other.empty()
                          ? matches
                          : matches - Bitmap::fastunion(with_other.size(), with_other.data());
  ForEachId(none, [&](uint32_t id) { count(id, other_values.size()); });
  Groups out;
  for (size_t c = 0; c <= column_values.size(); ++c) {
    const std::string a = c < column_values.size() ? column_values[c].first : kNoGroupValue;
    for (size_t o = 0; o < others; ++o) {
      const int n = counts[c * others + o];
      if (n == 0) continue;
      const std::string b = o < other_values.size() ? other_values[o].first : kNoGroupValue;
      out[column_first ? std::vector<std::string>{a, b} : std::vector<std::string>{b, a}] = n;
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const std::vector<uint16_t>> TableIndex::ValueColumn(
    absl::string_view field) const {
  const Field* f = FieldOf(field);
  if (f == nullptr) return nullptr;
  const size_t slot = static_cast<size_t>(f - fields_.data());
  absl::MutexLock lock(&columns_mu_);
  if (columns_.size() < fields_.size()) columns_.resize(fields_.size());
  ValueColumnCache& cache = columns_[slot];
  if (cache.built && cache.generation == generation_) return cache.column;
  cache.built = true;
  cache.generation = generation_;
  cache.column = nullptr;
  const auto values = Values(field);
  if (values.size() >= kNoColumnValue) return nullptr;
  auto column = std::make_shared<std::vector<uint16_t>>(all_.isEmpty() ? 0 : all_.maximum() + 1,
                                                        kNoColumnValue);
  for (size_t v = 0; v < values.size(); ++v) {
    bool single = true;
    ForEachId(*values[v].second, [&](uint32_t id) {
      uint16_t& slot_value = (*column)[id];
      if (slot_value != kNoColumnValue) single = false;
      slot_value = static_cast<uint16_t>(v);
    });
    // Remembered as null until the next change: a multi-valued field.
    if (!single) return nullptr;
  }
  cache.column = std::move(column);
  return cache.column;
}

GroupCounts CountGroupsFromBitmaps(const TableIndex& index, const Bitmap& matches,
                                   const std::vector<std::string>& fields) {
  // Most of the table: a value column of a single-valued field (usually
  // the first one tried) beats AND-ing every pair of value bitmaps.
  if (fields.size() == 2 && matches.cardinality() * kColumnShare >= index.size()) {
    for (bool first : {true, false}) {
      std::optional<Groups> by_column =
          CountByColumn(index, matches, fields[first ? 0 : 1], fields[first ? 1 : 0], first);
      if (by_column.has_value()) return *std::move(by_column);
    }
  }
  // The values of a field restricted to the matches, plus "(none)": the
  // matches without any value.
  auto restrict = [&](const std::string& field) {
    std::vector<std::pair<std::string, Bitmap>> out;
    Bitmap any;
    for (const auto& [value, ids] : index.Values(field)) {
      Bitmap both = *ids & matches;
      if (both.isEmpty()) continue;
      any |= both;
      out.emplace_back(value, std::move(both));
    }
    Bitmap none = matches - any;
    if (!none.isEmpty()) out.emplace_back(kNoGroupValue, std::move(none));
    return out;
  };
  std::map<std::vector<std::string>, int> counts;
  std::vector<std::pair<std::string, Bitmap>> first = restrict(fields[0]);
  if (fields.size() == 1) {
    for (const auto& [value, ids] : first) counts[{value}] = static_cast<int>(ids.cardinality());
    return counts;
  }
  std::vector<std::pair<std::string, Bitmap>> second = restrict(fields[1]);
  for (const auto& [a, ids_a] : first) {
    for (const auto& [b, ids_b] : second) {
      const uint64_t n = ids_a.and_cardinality(ids_b);
      if (n != 0) counts[{a, b}] = static_cast<int>(n);
    }
  }
  return counts;
}

}  // namespace regenatlas
