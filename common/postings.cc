#include "common/postings.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/filter_eval.h"
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

IndexPostings::IndexPostings(const TableIndex* index, const storage::Store* store,
                             storage::ColumnFamily index_cf, const storage::Snapshot* snapshot,
                             IntEncoder int_encoder)
    : index_(index),
      store_(store),
      index_cf_(index_cf),
      snapshot_(snapshot),
      int_encoder_(std::move(int_encoder)) {}

absl::StatusOr<Bitmap> IndexPostings::ScanIds(const ScanRange& range, bool is_int) {
  Bitmap ids;
  absl::Status bad;
  absl::Status s =
      store_->Scan(index_cf_, range, snapshot_, [&](absl::string_view key, absl::string_view) {
        KeyReader r(key);
        r.String().IgnoreError();  // collection
        r.String().IgnoreError();  // field
        absl::Status value_status = is_int ? r.Int64().status() : r.String().status();
        absl::StatusOr<std::string> id = r.String();
        if (!value_status.ok() || !id.ok()) {
          bad = absl::DataLossError(
              absl::StrCat("index: corrupt posting in ", index_->options().collection));
          return false;
        }
        // The snapshot was taken under the index lock: every id is indexed.
        std::optional<uint32_t> dense = index_->DenseOf(*id);
        if (dense.has_value()) ids.add(*dense);
        return true;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return ids;
}

absl::StatusOr<Bitmap> IndexPostings::IntRange(const std::string& field, std::optional<int64_t> low,
                                               std::optional<int64_t> high) {
  if (index_->IsMemoryField(field)) return index_->IntRange(field, low, high);
  const std::string& collection = index_->options().collection;
  ScanRange range = ScanRange::Prefix(PostingPrefix(collection, field));
  if (low.has_value()) range.start = Key().String(collection).String(field).Int64(*low).Release();
  if (high.has_value()) {
    range.end = Key::PrefixEnd(Key().String(collection).String(field).Int64(*high).Release());
  }
  return ScanIds(range, true);
}

absl::StatusOr<Bitmap> IndexPostings::Match(const std::string& field, const filter::FieldSpec& spec,
                                            filter::Op op, const std::string& value) {
  std::optional<absl::StatusOr<int64_t>> number =
      int_encoder_ ? int_encoder_(field, value) : std::nullopt;
  const bool is_int = number.has_value();
  const bool any = op == filter::Op::kHas && value == "*";
  if (!any && is_int && !number->ok()) return number->status();
  if (index_->IsMemoryField(field)) {
    if (any) return index_->AnyValue(field);
    if (is_int) {
      const int64_t n = **number;
      switch (op) {
        case filter::Op::kEq:
        case filter::Op::kHas:
          return index_->IntRange(field, n, n);
        case filter::Op::kGe:
          return index_->IntRange(field, n, std::nullopt);
        case filter::Op::kGt:
          if (n == INT64_MAX) return Bitmap();
          return index_->IntRange(field, n + 1, std::nullopt);
        case filter::Op::kLt:
          if (n == INT64_MIN) return Bitmap();
          return index_->IntRange(field, std::nullopt, n - 1);
        case filter::Op::kLe:
          return index_->IntRange(field, std::nullopt, n);
        case filter::Op::kNe:
          break;
      }
      return absl::InternalError("filter: != is derived by the evaluator");
    }
    switch (op) {
      case filter::Op::kEq:
      case filter::Op::kHas:
        return index_->Equal(field, value);
      case filter::Op::kGe:
        return index_->StringRange(field, value, false, std::nullopt, false);
      case filter::Op::kGt:
        return index_->StringRange(field, value, true, std::nullopt, false);
      case filter::Op::kLt:
        return index_->StringRange(field, std::nullopt, false, value, true);
      case filter::Op::kLe:
        return index_->StringRange(field, std::nullopt, false, value, false);
      case filter::Op::kNe:
        break;
    }
    return absl::InternalError("filter: != is derived by the evaluator");
  }
  const std::string& collection = index_->options().collection;
  if (any) return ScanIds(ScanRange::Prefix(PostingPrefix(collection, field)), is_int);
  std::string encoded;
  if (is_int) {
    encoded = Key().String(collection).String(field).Int64(**number).Release();
  } else {
    encoded = Key().String(collection).String(field).String(value).Release();
  }
  ScanRange range = ScanRange::Prefix(PostingPrefix(collection, field));
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

absl::StatusOr<Bitmap> IndexPostings::All() { return index_->all(); }

absl::StatusOr<Bitmap> EvaluateFilter(const filter::Node* node, const filter::Schema& schema,
                                      IndexPostings& postings) {
  return filter::EvaluateWith<Bitmap>(node, schema, postings);
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

}  // namespace regenatlas
