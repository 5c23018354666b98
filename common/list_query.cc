// RunListRaw: the List methods of every ResourceTable, on the query engine.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/postings.h"
#include "common/status_macros.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

using storage::Key;
using storage::KeyReader;

// Inverted bytes sort in the opposite order; the terminator keeps a prefix
// after its extensions.
std::string Invert(std::string k) {
  for (char& c : k) c = static_cast<char>(~static_cast<unsigned char>(c));
  k.push_back('\xff');
  return k;
}

// The position of a result in `order`: the record id alone for the name
// order, else the sort keys (inverted when descending) then the id. Tokens
// issued before the query engine carry the same positions.
std::string Position(const std::vector<filter::OrderTerm>& order,
                     const std::vector<std::string>& keys, const std::string& id) {
  if (order.size() == 1 && order[0].field == "name") return id;
  Key key;
  for (size_t t = 0; t < order.size(); ++t) {
    key.String(order[t].descending ? Invert(keys[t]) : keys[t]);
  }
  return key.String(id).Release();
}

// Position → (sort keys, id); nullopt when it does not decode.
std::optional<std::pair<std::vector<std::string>, std::string>> DecodePosition(
    const std::vector<filter::OrderTerm>& order, const std::string& position) {
  if (order.size() == 1 && order[0].field == "name") {
    return std::make_pair(std::vector<std::string>{position}, position);
  }
  KeyReader r(position);
  std::vector<std::string> keys;
  for (const filter::OrderTerm& t : order) {
    absl::StatusOr<std::string> k = r.String();
    if (!k.ok()) return std::nullopt;
    if (t.descending) {
      if (k->empty()) return std::nullopt;
      k->pop_back();
      for (char& c : *k) c = static_cast<char>(~static_cast<unsigned char>(c));
    }
    keys.push_back(*std::move(k));
  }
  absl::StatusOr<std::string> id = r.String();
  if (!id.ok() || !r.done()) return std::nullopt;
  return std::make_pair(std::move(keys), *std::move(id));
}

// Orders the index does not hold: read the matching records to sort them.
absl::Status ListByRecords(const ResourceTableBase& table, const ListSpec& spec,
                           const std::vector<std::string>& ids, const storage::Snapshot* snapshot,
                           const std::vector<filter::OrderTerm>& order, const std::string& after,
                           int limit, const std::string& query,
                           const google::protobuf::Message& prototype,
                           const std::function<void(const google::protobuf::Message&)>& emit,
                           std::string* next_page_token) {
  struct Entry {
    std::string position;
    std::unique_ptr<google::protobuf::Message> record;
  };
  std::vector<Entry> entries;
  for (const std::string& id : ids) {
    std::unique_ptr<google::protobuf::Message> record(prototype.New());
    absl::StatusOr<bool> found = table.FindRaw(id, record.get(), snapshot);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    std::vector<std::string> keys;
    for (const auto& term : order) {
      keys.push_back(term.field == "name" ? id : spec.sort_key(*record, term.field));
    }
    std::string position = Position(order, keys, id);
    if (!after.empty() && !(position > after)) continue;
    entries.push_back({std::move(position), std::move(record)});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.position < b.position; });
  for (size_t i = 0; i < entries.size() && static_cast<int>(i) < limit; ++i) {
    emit(*entries[i].record);
    if (i + 1 < entries.size() && static_cast<int>(i) + 1 == limit) {
      *next_page_token = EncodePageToken(query, entries[i].position);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunListRaw(const ResourceTableBase& table, const ListSpec& spec,
                        IndexPostings& postings, IndexReadLock& lock, const ListQuery& q,
                        const google::protobuf::Message& prototype,
                        const std::function<void(const google::protobuf::Message&)>& emit,
                        std::string* next_page_token, int* total_size) {
  absl::StatusOr<int> limit = NormalizePageSize(q.page_size);
  if (!limit.ok()) return limit.status();
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(q.filter);
  if (!node.ok()) return node.status();
  RETURN_IF_ERROR(filter::Resolve(node->get(), *spec.schema));
  std::vector<std::string> allowed = spec.order_fields;
  if (std::find(allowed.begin(), allowed.end(), "name") == allowed.end()) allowed.push_back("name");
  absl::StatusOr<std::vector<filter::OrderTerm>> order = filter::ParseOrderBy(q.order_by, allowed);
  if (!order.ok()) return order.status();
  if (order->empty()) *order = spec.default_order;
  std::string order_text;
  for (const auto& t : *order) absl::StrAppend(&order_text, t.field, t.descending ? " desc," : ",");
  const std::string query =
      absl::StrCat(spec.collection, "|", filter::Canonical(node->get()), "|", order_text);
  if (order->empty()) order->push_back({"name", false});
  std::string after;
  if (!q.page_token.empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(q.page_token, query);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  const TableIndex& index = postings.index();
  RETURN_IF_ERROR(index.status());
  absl::StatusOr<Bitmap> matches = EvaluateFilter(node->get(), *spec.schema, postings);
  if (!matches.ok()) return matches.status();
  *total_size = static_cast<int>(matches->cardinality());
  next_page_token->clear();

  bool in_memory = true;
  for (const auto& t : *order) in_memory &= t.field == "name" || index.IsOrderField(t.field);
  if (!in_memory) {
    std::vector<std::string> ids;
    for (uint32_t d : *matches) ids.push_back(index.IdOf(d));
    lock.Release();
    return ListByRecords(table, spec, ids, lock.snapshot(), *order, after, *limit, query, prototype,
                         emit, next_page_token);
  }
  std::optional<std::pair<std::vector<std::string>, std::string>> from;
  if (!after.empty()) {
    from = DecodePosition(*order, after);
    if (!from.has_value()) {
      return absl::InvalidArgumentError(
          "page_token: malformed or modified; use a next_page_token returned by this method");
    }
  }
  std::vector<TableIndex::OrderTerm> terms;
  for (const auto& t : *order) terms.push_back({t.field, t.descending});
  // One more than the page tells whether another page follows.
  std::vector<TableIndex::Entry> entries =
      index.SelectPage(*matches, terms, from, static_cast<size_t>(*limit) + 1);
  std::vector<std::pair<std::string, std::string>> page;  // id, position
  for (const TableIndex::Entry& e : entries) {
    std::vector<std::string> keys;
    for (const std::string* k : e.keys) keys.push_back(*k);
    const std::string& id = index.IdOf(e.dense);
    page.emplace_back(id, Position(*order, keys, id));
  }
  lock.Release();
  int count = 0;
  for (size_t i = 0; i < page.size() && count < *limit; ++i) {
    std::unique_ptr<google::protobuf::Message> record(prototype.New());
    absl::StatusOr<bool> found = table.FindRaw(page[i].first, record.get(), lock.snapshot());
    if (!found.ok()) return found.status();
    if (!*found) continue;
    emit(*record);
    ++count;
    if (i + 1 < page.size() && count == *limit) {
      *next_page_token = EncodePageToken(query, page[i].second);
    }
  }
  return absl::OkStatus();
}

}  // namespace regenatlas
