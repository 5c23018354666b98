// The timeline's tables and filters: the filter vocabulary (field specs),
// the event and policy schemas, the postings of every record (issuer
// tokens, date periods), the date-period semantics of `date` and `period`
// in the index and for one record (WatchEvents), the list specs and sort
// keys, ListEvents / ListPolicies, and the constructor that builds the
// tables.

#include <algorithm>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "common/filter_fields.h"
#include "common/status_macros.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_internal.h"

namespace regenatlas::timeline {
namespace {

using filter::AddSources;
using filter::BoolField;
using filter::CodeField;
using filter::EnumField;
using filter::EnumName;
using filter::ResourceField;
using internal::kIndexCf;
using storage::ColumnFamily;

constexpr int64_t kDayOffset = 1000000;  // keeps pre-1970 days positive in sort keys

ResourceTableOptions TableOptions(const TimelineOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = ColumnFamily::kTimeline;
  t.index_cf = kIndexCf;
  t.change_stream = std::string(Timeline::kChangeStream);
  t.clock = options.clock;
  // 2: the date_unknown posting; older indexes are rebuilt on open.
  t.index_version = 2;
  return t;
}

filter::FieldSpec DateField(bool ordered) {
  filter::FieldSpec f;
  f.ordered = ordered;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    absl::StatusOr<common::v1::PartialDate> d = ParsePartialDate(v, "date");
    if (!d.ok()) return std::nullopt;
    return FormatPartialDate(*d);
  };
  return f;
}

void AddDate(std::vector<Posting>& out, const common::v1::PartialDate& date) {
  if (!IsSet(date)) return;
  out.emplace_back("date_first", "", FirstDay(date));
  out.emplace_back("date_last", "", LastDay(date));
}

// Agencies under their current names: CFDA (2013-2018) and SFDA became
// NMPA; NHFPC became NHC. A filter on "NMPA" finds what its predecessors
// issued.
std::vector<std::string> WithSuccessor(const std::string& agency) {
  static const auto* kSuccessor =
      new std::map<std::string, std::string>{{"CFDA", "NMPA"}, {"SFDA", "NMPA"}, {"NHFPC", "NHC"}};
  auto it = kSuccessor->find(agency);
  if (it == kSuccessor->end()) return {agency};
  return {agency, it->second};
}

// Issuer names split into words, so that "issuer: CDE" finds "NMPA/CDE" and
// "CDE (国家药监局药审中心)". Splits on ASCII separators and on the
// full-width ones as whole characters.
std::vector<std::string> IssuerTokens(absl::string_view issuer) {
  std::string ascii(issuer);
  for (const char* wide : {"、", "（", "）", "，", "；"}) {
    ascii = absl::StrReplaceAll(ascii, {{wide, " "}});
  }
  std::vector<std::string> out;
  for (absl::string_view part :
       absl::StrSplit(ascii, absl::ByAnyChar(" /,;&()"), absl::SkipWhitespace())) {
    std::string upper = absl::AsciiStrToUpper(part);
    if (upper == "AND" || upper == "OF" || upper == "THE") continue;
    for (std::string& t : WithSuccessor(upper)) out.push_back(std::move(t));
  }
  out.push_back(absl::AsciiStrToUpper(issuer));
  return out;
}

}  // namespace

namespace internal {

std::vector<Posting> PostingsOf(const Event& e) {
  std::vector<Posting> out;
  out.emplace_back("type", EnumName(timeline::v1::EventType_descriptor(), e.type()));
  out.emplace_back("jurisdiction", e.jurisdiction());
  if (!e.agency().empty()) {
    // "NMPA/CDE" is both NMPA and CDE.
    for (std::string& t : IssuerTokens(e.agency())) out.emplace_back("agency", std::move(t));
  }
  if (e.pathway() != timeline::v1::PATHWAY_UNSPECIFIED) {
    out.emplace_back("pathway", EnumName(timeline::v1::Pathway_descriptor(), e.pathway()));
  }
  for (const auto& p : e.products()) out.emplace_back("product", p);
  for (const auto& o : e.organizations()) out.emplace_back("organization", o);
  for (const auto& t : e.trials()) out.emplace_back("trial", t);
  out.emplace_back("date_inferred", e.date_inferred() ? "true" : "false");
  out.emplace_back("date_unknown", e.date_unknown() ? "true" : "false");
  AddDate(out, e.date());
  AddSources(out, e.sources());
  return out;
}

std::vector<Posting> PostingsOf(const Policy& p) {
  std::vector<Posting> out;
  out.emplace_back("kind", EnumName(timeline::v1::PolicyKind_descriptor(), p.kind()));
  out.emplace_back("jurisdiction", p.jurisdiction());
  // A sub-national policy ("CN-BJ") is also within its country.
  if (p.jurisdiction().size() > 3 && p.jurisdiction()[2] == '-') {
    out.emplace_back("jurisdiction", p.jurisdiction().substr(0, 2));
  }
  for (const std::string& t : IssuerTokens(p.issuer())) out.emplace_back("issuer", t);
  out.emplace_back("date_inferred", p.date_inferred() ? "true" : "false");
  out.emplace_back("date_unknown", p.date_unknown() ? "true" : "false");
  AddDate(out, p.date());
  AddSources(out, p.sources());
  return out;
}

}  // namespace internal

namespace {

using internal::PostingsOf;

std::optional<absl::StatusOr<int64_t>> TimelineIntEncoder(const std::string& field,
                                                          const std::string&) {
  if (field == "date_first" || field == "date_last") {
    return absl::StatusOr<int64_t>(absl::InternalError("date postings are matched by period"));
  }
  return std::nullopt;
}

// Date semantics shared by the index and by single-record matching:
// `date = D` within D; `date >= D` starts on/after D's first day; `date > D`
// starts after D's last day; `date <= D` ends on/before D's last day;
// `date < D` ends before D's first day; `period: D` (or `period = D`)
// overlaps D.
template <typename RangeFn, typename IntersectFn>
auto DateMatch(const std::string& field, filter::Op op, const std::string& value, RangeFn range,
               IntersectFn intersect) -> decltype(range("", std::nullopt, std::nullopt)) {
  ASSIGN_OR_RETURN(common::v1::PartialDate d, ParsePartialDate(value, "filter: date"));
  const int64_t first = FirstDay(d), last = LastDay(d);
  if (field == "period" || op == filter::Op::kHas) {
    return intersect(range("date_first", std::nullopt, last),
                     range("date_last", first, std::nullopt));
  }
  switch (op) {
    case filter::Op::kEq:
      return intersect(range("date_first", first, std::nullopt),
                       range("date_last", std::nullopt, last));
    case filter::Op::kGe:
      return range("date_first", first, std::nullopt);
    case filter::Op::kGt:
      return range("date_first", last + 1, std::nullopt);
    case filter::Op::kLe:
      return range("date_last", std::nullopt, last);
    case filter::Op::kLt:
      return range("date_last", std::nullopt, first - 1);
    default:
      return absl::InternalError("filter: unsupported date operator");
  }
}

absl::StatusOr<std::vector<std::string>> IntersectIds(absl::StatusOr<std::vector<std::string>> a,
                                                      absl::StatusOr<std::vector<std::string>> b) {
  RETURN_IF_ERROR(a.status());
  RETURN_IF_ERROR(b.status());
  std::vector<std::string> out;
  std::set_intersection(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(out));
  return out;
}

// A top-level conjunction that asks for dates after its own end selects
// nothing, which is almost certainly a mistake: say so.
absl::Status CheckDateRange(const filter::Node* node) {
  if (node == nullptr) return absl::OkStatus();
  std::vector<const filter::Node*> terms;
  if (node->kind == filter::Node::Kind::kAnd) {
    for (const auto& c : node->children) terms.push_back(c.get());
  } else {
    terms.push_back(node);
  }
  std::optional<int64_t> low, high;
  std::string low_text, high_text;
  for (const filter::Node* t : terms) {
    if (t->kind != filter::Node::Kind::kCompare || t->field != "date") continue;
    ASSIGN_OR_RETURN(common::v1::PartialDate d, ParsePartialDate(t->value, "filter: date"));
    if (t->op == filter::Op::kGe || t->op == filter::Op::kGt) {
      int64_t v = t->op == filter::Op::kGe ? FirstDay(d) : LastDay(d) + 1;
      if (!low.has_value() || v > *low) {
        low = v;
        low_text = t->value;
      }
    }
    if (t->op == filter::Op::kLe || t->op == filter::Op::kLt) {
      int64_t v = t->op == filter::Op::kLe ? LastDay(d) : FirstDay(d) - 1;
      if (!high.has_value() || v < *high) {
        high = v;
        high_text = t->value;
      }
    }
  }
  if (low.has_value() && high.has_value() && *low > *high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter: date range is reversed: from ", low_text, " to ", high_text, " contains no day"));
  }
  return absl::OkStatus();
}

// Undated records (date_unknown) sort after every dated one.
std::string DateSortKey(const common::v1::PartialDate& d) {
  if (!IsSet(d)) return "9999999999";
  return absl::StrFormat("%09d%d", FirstDay(d) + kDayOffset, static_cast<int>(PrecisionOf(d)));
}

std::string TimelineSortKey(const google::protobuf::Message& m, const std::string& field) {
  if (field != "date") return "";
  if (const auto* e = dynamic_cast<const Event*>(&m)) return DateSortKey(e->date());
  if (const auto* p = dynamic_cast<const Policy*>(&m)) return DateSortKey(p->date());
  return "";
}

ListSpec Spec(std::string collection, const filter::Schema* schema) {
  ListSpec spec;
  spec.collection = std::move(collection);
  spec.schema = schema;
  spec.order_fields = {"date"};
  spec.default_order = {{"date", false}};
  spec.sort_key = &TimelineSortKey;
  return spec;
}

}  // namespace

// The timeline's posting lists with date-period semantics.
class Timeline::TimelinePostings : public IndexPostings {
 public:
  TimelinePostings(const Timeline* timeline, const ResourceTableBase& table,
                   const storage::Snapshot* snapshot)
      : IndexPostings(&table.index(), timeline->store_, kIndexCf, snapshot, &TimelineIntEncoder) {}

  absl::StatusOr<Bitmap> Match(const std::string& field, const filter::FieldSpec& spec,
                               filter::Op op, const std::string& value) override {
    if (field != "date" && field != "period") return IndexPostings::Match(field, spec, op, value);
    if (op == filter::Op::kHas && value == "*")
      return IndexPostings::Match("date_first", spec, op, value);
    return DateMatch(
        field, op, value,
        [this](const std::string& f, std::optional<int64_t> lo, std::optional<int64_t> hi) {
          return IntRange(f, lo, hi);
        },
        [](absl::StatusOr<Bitmap> a, absl::StatusOr<Bitmap> b) -> absl::StatusOr<Bitmap> {
          RETURN_IF_ERROR(a.status());
          RETURN_IF_ERROR(b.status());
          return Intersect(*std::move(a), *b);
        });
  }
};

namespace {

// Single-record matching with the same date semantics (for WatchEvents).
class OneRecordPostings : public RecordPostings {
 public:
  explicit OneRecordPostings(std::vector<Posting> postings)
      : RecordPostings(std::move(postings), &TimelineIntEncoder) {}

  absl::StatusOr<std::vector<std::string>> Match(const std::string& field,
                                                 const filter::FieldSpec& spec, filter::Op op,
                                                 const std::string& value) override {
    if (field != "date" && field != "period") return RecordPostings::Match(field, spec, op, value);
    if (op == filter::Op::kHas && value == "*")
      return RecordPostings::Match("date_first", spec, op, value);
    return DateMatch(
        field, op, value,
        [this](const std::string& f, std::optional<int64_t> lo, std::optional<int64_t> hi)
            -> absl::StatusOr<std::vector<std::string>> { return IntRange(f, lo, hi); },
        &IntersectIds);
  }
};

}  // namespace

const filter::Schema& Timeline::EventSchema() {
  static const auto* schema = new filter::Schema{
      {"type", EnumField(timeline::v1::EventType_descriptor(), "EVENT_TYPE_")},
      {"jurisdiction", CodeField()},
      {"agency", CodeField()},
      {"pathway", EnumField(timeline::v1::Pathway_descriptor(), "PATHWAY_")},
      {"product", ResourceField("products", true)},
      {"organization", ResourceField("organizations", true)},
      {"trial", ResourceField("trials", true)},
      {"source", ResourceField("sources", true)},
      {"date_inferred", BoolField()},
      {"date_unknown", BoolField()},
      {"date", DateField(true)},
      {"period", DateField(false)},
  };
  return *schema;
}

const filter::Schema& Timeline::PolicySchema() {
  static const auto* schema = new filter::Schema{
      {"kind", EnumField(timeline::v1::PolicyKind_descriptor(), "POLICY_KIND_")},
      {"jurisdiction", CodeField()},
      {"issuer", CodeField()},
      {"source", ResourceField("sources", true)},
      {"date_inferred", BoolField()},
      {"date_unknown", BoolField()},
      {"date", DateField(true)},
      {"period", DateField(false)},
  };
  return *schema;
}

namespace internal {

const filter::Schema& WatchSchema() {
  static const auto* schema = [] {
    auto* s = new filter::Schema(Timeline::EventSchema());
    for (const auto& [name, spec] : Timeline::PolicySchema()) s->emplace(name, spec);
    return s;
  }();
  return *schema;
}

absl::StatusOr<bool> MatchesOne(const filter::Node* filter, std::vector<Posting> postings) {
  OneRecordPostings one(std::move(postings));
  ASSIGN_OR_RETURN(std::vector<std::string> match, filter::Evaluate(filter, WatchSchema(), one));
  return !match.empty();
}

}  // namespace internal

namespace {

const ListSpec& EventsSpec() {
  static const auto* spec = new ListSpec(Spec("events", &Timeline::EventSchema()));
  return *spec;
}

const ListSpec& PoliciesSpec() {
  static const auto* spec = new ListSpec(Spec("policies", &Timeline::PolicySchema()));
  return *spec;
}

}  // namespace

Timeline::Timeline(storage::Store* store, catalog::CatalogClient* catalog, TimelineOptions options)
    : store_(store),
      catalog_(std::make_unique<CatalogRefs>(catalog)),
      events_(
          store, &write_mu_, TableOptions(options, "events"),
          [](const Event& e) { return ValidateEvent(e); },
          [](const Event& e) {
            return PostingKeys("events", PostingsOf(e), e.name().substr(strlen("events/")));
          }),
      policies_(
          store, &write_mu_, TableOptions(options, "policies"),
          [](const Policy& p) { return ValidatePolicy(p); },
          [](const Policy& p) {
            return PostingKeys("policies", PostingsOf(p), p.name().substr(strlen("policies/")));
          }) {
  events_.set_reference_check([this](const google::protobuf::Message& m) {
    return CheckCatalogRefs(static_cast<const Event&>(m));
  });
  policies_.set_reference_check([this](const google::protobuf::Message& m) {
    return CheckCatalogSources(static_cast<const Policy&>(m).sources(), "policy.sources");
  });
  // The stage outbox: a write that touches a stage-moving event marks its
  // products in the same WriteBatch; StageSync delivers them later.
  events_.set_write_hook([this](ResourceTableBase::WriteContext& ctx) {
    const auto* before = static_cast<const Event*>(ctx.old_record);
    const auto* after = static_cast<const Event*>(ctx.new_record);
    std::set<std::string> products;
    for (const Event* e : {before, after}) {
      if (e != nullptr && internal::StageOf(*e).has_value())
        products.insert(e->products().begin(), e->products().end());
    }
    for (const std::string& product : products) StageOutbox(*ctx.batch, product);
    return absl::OkStatus();
  });
}

absl::StatusOr<ListResult<Event>> Timeline::ListEvents(const ListQuery& q) const {
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(q.filter));
  RETURN_IF_ERROR(filter::Resolve(node.get(), EventSchema()));
  RETURN_IF_ERROR(CheckDateRange(node.get()));
  IndexReadLock lock(*store_, {&events_.index()});
  TimelinePostings postings(this, events_, lock.snapshot());
  return RunList(events_, EventsSpec(), postings, lock, q);
}

absl::StatusOr<ListResult<Policy>> Timeline::ListPolicies(const ListQuery& q) const {
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(q.filter));
  RETURN_IF_ERROR(filter::Resolve(node.get(), PolicySchema()));
  RETURN_IF_ERROR(CheckDateRange(node.get()));
  IndexReadLock lock(*store_, {&policies_.index()});
  TimelinePostings postings(this, policies_, lock.snapshot());
  return RunList(policies_, PoliciesSpec(), postings, lock, q);
}

}  // namespace regenatlas::timeline
