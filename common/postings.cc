#include "common/postings.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "storage/key.h"

namespace regenatlas {

using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

std::string PostingKey(absl::string_view collection, const Posting& p, absl::string_view id) {
  Key key;
  key.String(collection).String(p.field);
  if (p.number.has_value()) {
    key.Int64(*p.number);
  } else {
    key.String(p.value);
  }
  return key.String(id).Release();
}

std::string PostingPrefix(absl::string_view collection, absl::string_view field) {
  return Key().String(collection).String(field).Release();
}

std::vector<std::string> PostingKeys(absl::string_view collection,
                                     const std::vector<Posting>& postings, absl::string_view id) {
  std::set<std::string> keys;
  for (const Posting& p : postings) keys.insert(PostingKey(collection, p, id));
  return {keys.begin(), keys.end()};
}

std::vector<std::string> SortedUnique(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::StatusOr<std::vector<std::string>> PostingIds(
    const storage::Store& store, storage::ColumnFamily index_cf, absl::string_view collection,
    absl::string_view field, absl::string_view value, const storage::Snapshot* snapshot) {
  std::vector<std::string> ids;
  const std::string prefix = Key().String(collection).String(field).String(value).Release();
  absl::Status s = store.Scan(index_cf, ScanRange::Prefix(prefix), snapshot,
                              [&](absl::string_view key, absl::string_view) {
                                KeyReader r(key.substr(prefix.size()));
                                absl::StatusOr<std::string> id = r.String();
                                if (id.ok()) ids.push_back(*std::move(id));
                                return true;
                              });
  if (!s.ok()) return s;
  return ids;
}

IndexPostings::IndexPostings(const storage::Store* store, storage::ColumnFamily index_cf,
                             std::string collection, const storage::Snapshot* snapshot,
                             const ResourceTableBase* table, IntEncoder int_encoder)
    : store_(store),
      index_cf_(index_cf),
      collection_(std::move(collection)),
      snapshot_(snapshot),
      table_(table),
      int_encoder_(std::move(int_encoder)) {}

absl::StatusOr<std::vector<std::string>> IndexPostings::ScanIds(const ScanRange& range,
                                                                bool is_int) {
  std::vector<std::string> ids;
  absl::Status bad;
  absl::Status s =
      store_->Scan(index_cf_, range, snapshot_, [&](absl::string_view key, absl::string_view) {
        KeyReader r(key);
        r.String().IgnoreError();  // collection
        r.String().IgnoreError();  // field
        absl::Status value_status = is_int ? r.Int64().status() : r.String().status();
        absl::StatusOr<std::string> id = r.String();
        if (!value_status.ok() || !id.ok()) {
          bad = absl::DataLossError(absl::StrCat("index: corrupt posting in ", collection_));
          return false;
        }
        ids.push_back(*std::move(id));
        return true;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return SortedUnique(std::move(ids));
}

absl::StatusOr<std::vector<std::string>> IndexPostings::IntRange(const std::string& field,
                                                                 std::optional<int64_t> low,
                                                                 std::optional<int64_t> high) {
  ScanRange range = ScanRange::Prefix(PostingPrefix(collection_, field));
  if (low.has_value()) range.start = Key().String(collection_).String(field).Int64(*low).Release();
  if (high.has_value()) {
    range.end = Key::PrefixEnd(Key().String(collection_).String(field).Int64(*high).Release());
  }
  return ScanIds(range, true);
}

absl::StatusOr<std::vector<std::string>> IndexPostings::Match(const std::string& field,
                                                              const filter::FieldSpec& spec,
                                                              filter::Op op,
                                                              const std::string& value) {
  std::optional<absl::StatusOr<int64_t>> number =
      int_encoder_ ? int_encoder_(field, value) : std::nullopt;
  const bool is_int = number.has_value();
  if (op == filter::Op::kHas && value == "*") {
    return ScanIds(ScanRange::Prefix(PostingPrefix(collection_, field)), is_int);
  }
  std::string encoded;
  if (is_int) {
    if (!number->ok()) return number->status();
    encoded = Key().String(collection_).String(field).Int64(**number).Release();
  } else {
    encoded = Key().String(collection_).String(field).String(value).Release();
  }
  ScanRange range = ScanRange::Prefix(PostingPrefix(collection_, field));
  switch (op) {
    case filter::Op::kEq:
    case filter::Op::kHas:
      range = ScanRange::Prefix(encoded);
      break;
    case filter::Op::kGe:
      range.start = encoded;
      break;
    case filter::Op::kGt:
      range.start = Key::PrefixEnd(encoded);
      break;
    case filter::Op::kLt:
      range.end = encoded;
      break;
    case filter::Op::kLe:
      range.end = Key::PrefixEnd(encoded);
      break;
    case filter::Op::kNe:
      return absl::InternalError("filter: != is derived by the evaluator");
  }
  return ScanIds(range, is_int);
}

absl::StatusOr<std::vector<std::string>> IndexPostings::All() {
  std::vector<std::string> ids;
  absl::Status s = table_->ScanAll(snapshot_, [&](absl::string_view id, absl::string_view) {
    ids.emplace_back(id);
    return true;
  });
  if (!s.ok()) return s;
  return ids;
}

RecordPostings::RecordPostings(std::vector<Posting> postings, IndexPostings::IntEncoder int_encoder)
    : postings_(std::move(postings)), int_encoder_(std::move(int_encoder)) {}

std::vector<std::string> RecordPostings::IntRange(const std::string& field,
                                                  std::optional<int64_t> low,
                                                  std::optional<int64_t> high) const {
  for (const Posting& p : postings_) {
    if (p.field != field || !p.number.has_value()) continue;
    if (low.has_value() && *p.number < *low) continue;
    if (high.has_value() && *p.number > *high) continue;
    return {"*"};
  }
  return {};
}

absl::StatusOr<std::vector<std::string>> RecordPostings::Match(const std::string& field,
                                                               const filter::FieldSpec&,
                                                               filter::Op op,
                                                               const std::string& value) {
  const bool any = op == filter::Op::kHas && value == "*";
  std::optional<absl::StatusOr<int64_t>> number =
      int_encoder_ && !any ? int_encoder_(field, value) : std::nullopt;
  if (number.has_value() && !number->ok()) return number->status();
  for (const Posting& p : postings_) {
    if (p.field != field) continue;
    if (any) return std::vector<std::string>{"*"};
    bool match = false;
    if (number.has_value() && p.number.has_value()) {
      const int64_t a = *p.number, b = **number;
      switch (op) {
        case filter::Op::kEq:
        case filter::Op::kHas:
          match = a == b;
          break;
        case filter::Op::kLt:
          match = a < b;
          break;
        case filter::Op::kLe:
          match = a <= b;
          break;
        case filter::Op::kGt:
          match = a > b;
          break;
        case filter::Op::kGe:
          match = a >= b;
          break;
        case filter::Op::kNe:
          break;
      }
    } else {
      switch (op) {
        case filter::Op::kEq:
        case filter::Op::kHas:
          match = p.value == value;
          break;
        case filter::Op::kLt:
          match = p.value < value;
          break;
        case filter::Op::kLe:
          match = p.value <= value;
          break;
        case filter::Op::kGt:
          match = p.value > value;
          break;
        case filter::Op::kGe:
          match = p.value >= value;
          break;
        case filter::Op::kNe:
          break;
      }
    }
    if (match) return std::vector<std::string>{"*"};
  }
  return std::vector<std::string>{};
}

absl::StatusOr<std::vector<std::string>> RecordPostings::All() {
  return std::vector<std::string>{"*"};
}

absl::Status RunListRaw(const ResourceTableBase& table, const ListSpec& spec,
                        filter::Postings& postings, const storage::Snapshot* snapshot,
                        const ListQuery& q, const google::protobuf::Message& prototype,
                        const std::function<void(const google::protobuf::Message&)>& emit,
                        std::string* next_page_token, int* total_size) {
  absl::StatusOr<int> limit = NormalizePageSize(q.page_size);
  if (!limit.ok()) return limit.status();
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(q.filter);
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), *spec.schema);
  if (!s.ok()) return s;
  std::vector<std::string> allowed = spec.order_fields;
  if (std::find(allowed.begin(), allowed.end(), "name") == allowed.end()) allowed.push_back("name");
  absl::StatusOr<std::vector<filter::OrderTerm>> order = filter::ParseOrderBy(q.order_by, allowed);
  if (!order.ok()) return order.status();
  if (order->empty()) *order = spec.default_order;
  std::string order_text;
  for (const auto& t : *order) absl::StrAppend(&order_text, t.field, t.descending ? " desc," : ",");
  const std::string query =
      absl::StrCat(spec.collection, "|", filter::Canonical(node->get()), "|", order_text);
  std::string after;
  if (!q.page_token.empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(q.page_token, query);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  absl::StatusOr<std::vector<std::string>> ids =
      filter::Evaluate(node->get(), *spec.schema, postings);
  if (!ids.ok()) return ids.status();
  *total_size = static_cast<int>(ids->size());

  struct Entry {
    std::string position;
    std::string id;
    std::unique_ptr<google::protobuf::Message> record;
  };
  std::vector<Entry> entries;
  const bool by_name = order->empty() || (order->size() == 1 && (*order)[0].field == "name");
  const bool descending = by_name && !order->empty() && (*order)[0].descending;
  if (by_name) {
    // Name order needs no record: positions are the ids themselves.
    for (const std::string& id : *ids) entries.push_back({id, id, nullptr});
    if (descending) std::reverse(entries.begin(), entries.end());
  } else {
    for (const std::string& id : *ids) {
      std::unique_ptr<google::protobuf::Message> record(prototype.New());
      absl::StatusOr<bool> found = table.FindRaw(id, record.get(), snapshot);
      if (!found.ok()) return found.status();
      if (!*found) continue;
      Key key;
      for (const auto& term : *order) {
        std::string k = term.field == "name" ? id : spec.sort_key(*record, term.field);
        if (term.descending) {
          // Inverted bytes sort in the opposite order; the terminator keeps
          // a prefix after its extensions.
          for (char& c : k) c = static_cast<char>(~static_cast<unsigned char>(c));
          k.push_back('\xff');
        }
        key.String(k);
      }
      entries.push_back({key.String(id).Release(), id, std::move(record)});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.position < b.position; });
  }
  size_t i = 0;
  if (!after.empty()) {
    while (i < entries.size() &&
           (descending ? !(entries[i].position < after) : !(entries[i].position > after))) {
      ++i;
    }
  }
  int count = 0;
  for (; i < entries.size() && count < *limit; ++i) {
    Entry& e = entries[i];
    if (e.record == nullptr) {
      e.record.reset(prototype.New());
      absl::StatusOr<bool> found = table.FindRaw(e.id, e.record.get(), snapshot);
      if (!found.ok()) return found.status();
      if (!*found) continue;
    }
    emit(*e.record);
    ++count;
    if (i + 1 < entries.size() && count == *limit) {
      *next_page_token = EncodePageToken(query, e.position);
    }
  }
  return absl::OkStatus();
}

}  // namespace regenatlas
