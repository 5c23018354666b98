#include "services/regulatory-timeline/timeline.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "storage/key.h"

namespace regenatlas::timeline {
namespace {

using common::v1::DevelopmentStage;
using storage::ColumnFamily;
using timeline::v1::EventType;

constexpr ColumnFamily kIndexCf = ColumnFamily::kTimelineIndex;
constexpr ColumnFamily kRecordsCf = ColumnFamily::kTimeline;
constexpr int64_t kDayOffset = 1000000;  // keeps pre-1970 days positive in sort keys

ResourceTableOptions TableOptions(const TimelineOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = ColumnFamily::kTimeline;
  t.index_cf = kIndexCf;
  t.change_stream = std::string(Timeline::kChangeStream);
  t.clock = options.clock;
  return t;
}

std::string EnumName(const google::protobuf::EnumDescriptor* d, int value) {
  const auto* v = d->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

filter::FieldSpec EnumField(const google::protobuf::EnumDescriptor* d, const std::string& prefix) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kEnum;
  f.enum_prefix = prefix;
  for (int i = 0; i < d->value_count(); ++i) f.enum_values.push_back(d->value(i)->name());
  return f;
}

filter::FieldSpec ResourceField(const std::string& collection) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kResource;
  f.collection = collection;
  f.repeated = true;
  return f;
}

filter::FieldSpec UpperField() {
  filter::FieldSpec f;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    return absl::AsciiStrToUpper(v);
  };
  return f;
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

filter::FieldSpec BoolField() {
  filter::FieldSpec f;
  f.type = filter::FieldType::kBool;
  return f;
}

void AddDate(std::vector<Posting>& out, const common::v1::PartialDate& date) {
  if (!IsSet(date)) return;
  out.emplace_back("date_first", "", FirstDay(date));
  out.emplace_back("date_last", "", LastDay(date));
}

template <typename Citations>
void AddSources(std::vector<Posting>& out, const Citations& citations) {
  for (const auto& c : citations) out.emplace_back("source", c.source());
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
  AddDate(out, p.date());
  AddSources(out, p.sources());
  return out;
}

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
  absl::StatusOr<common::v1::PartialDate> d = ParsePartialDate(value, "filter: date");
  if (!d.ok()) return d.status();
  const int64_t first = FirstDay(*d), last = LastDay(*d);
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
  if (!a.ok()) return a;
  if (!b.ok()) return b;
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
    absl::StatusOr<common::v1::PartialDate> d = ParsePartialDate(t->value, "filter: date");
    if (!d.ok()) return d.status();
    if (t->op == filter::Op::kGe || t->op == filter::Op::kGt) {
      int64_t v = t->op == filter::Op::kGe ? FirstDay(*d) : LastDay(*d) + 1;
      if (!low.has_value() || v > *low) {
        low = v;
        low_text = t->value;
      }
    }
    if (t->op == filter::Op::kLe || t->op == filter::Op::kLt) {
      int64_t v = t->op == filter::Op::kLe ? LastDay(*d) : FirstDay(*d) - 1;
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

double MidDay(const common::v1::PartialDate& d) {
  return (static_cast<double>(FirstDay(d)) + static_cast<double>(LastDay(d))) / 2.0;
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
          if (!a.ok()) return a;
          if (!b.ok()) return b;
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
      {"jurisdiction", UpperField()},
      {"agency", UpperField()},
      {"pathway", EnumField(timeline::v1::Pathway_descriptor(), "PATHWAY_")},
      {"product", ResourceField("products")},
      {"organization", ResourceField("organizations")},
      {"trial", ResourceField("trials")},
      {"source", ResourceField("sources")},
      {"date_inferred", BoolField()},
      {"date", DateField(true)},
      {"period", DateField(false)},
  };
  return *schema;
}

const filter::Schema& Timeline::PolicySchema() {
  static const auto* schema = new filter::Schema{
      {"kind", EnumField(timeline::v1::PolicyKind_descriptor(), "POLICY_KIND_")},
      {"jurisdiction", UpperField()},
      {"issuer", UpperField()},
      {"source", ResourceField("sources")},
      {"date_inferred", BoolField()},
      {"date", DateField(true)},
      {"period", DateField(false)},
  };
  return *schema;
}

namespace {

const filter::Schema& WatchSchema() {
  static const auto* schema = [] {
    auto* s = new filter::Schema(Timeline::EventSchema());
    for (const auto& [name, spec] : Timeline::PolicySchema()) s->emplace(name, spec);
    return s;
  }();
  return *schema;
}

const ListSpec& EventsSpec() {
  static const auto* spec = new ListSpec(Spec("events", &Timeline::EventSchema()));
  return *spec;
}

const ListSpec& PoliciesSpec() {
  static const auto* spec = new ListSpec(Spec("policies", &Timeline::PolicySchema()));
  return *spec;
}

}  // namespace

Timeline::Timeline(storage::Store* store, CatalogClient* catalog, TimelineOptions options)
    : store_(store),
      catalog_(catalog),
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
      if (e != nullptr && StageOf(*e).has_value())
        products.insert(e->products().begin(), e->products().end());
    }
    for (const std::string& product : products) StageOutbox(*ctx.batch, product);
    return absl::OkStatus();
  });
}

absl::Status Timeline::ValidateEvent(const Event& e) {
  absl::Status s = ValidateEnum(e.type(), timeline::v1::EventType_IsValid, true, "event.type");
  if (!s.ok()) return s;
  if (!IsSet(e.date())) return absl::InvalidArgumentError("event.date: required");
  s = ValidatePartialDate(e.date(), "event.date");
  if (!s.ok()) return s;
  s = ValidateJurisdiction(e.jurisdiction(), "event.jurisdiction");
  if (!s.ok()) return s;
  s = ValidateEnum(e.pathway(), timeline::v1::Pathway_IsValid, false, "event.pathway");
  if (!s.ok()) return s;
  if (e.description().empty()) return absl::InvalidArgumentError("event.description: required");
  for (int i = 0; i < e.products_size(); ++i) {
    absl::StatusOr<std::string> id =
        ParseResourceName(e.products(i), "products", absl::StrCat("event.products[", i, "]"));
    if (!id.ok()) return id.status();
  }
  for (int i = 0; i < e.organizations_size(); ++i) {
    absl::StatusOr<std::string> id = ParseResourceName(
        e.organizations(i), "organizations", absl::StrCat("event.organizations[", i, "]"));
    if (!id.ok()) return id.status();
  }
  for (int i = 0; i < e.trials_size(); ++i) {
    absl::StatusOr<std::string> id =
        ParseResourceName(e.trials(i), "trials", absl::StrCat("event.trials[", i, "]"));
    if (!id.ok()) return id.status();
  }
  for (int i = 0; i < e.claims_size(); ++i) {
    if (e.claims(i).field().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("event.claims[", i, "].field: required"));
    }
  }
  return ValidateCitations(e.sources(), "event.sources");
}

absl::Status Timeline::ValidatePolicy(const Policy& policy) {
  absl::Status s =
      ValidateEnum(policy.kind(), timeline::v1::PolicyKind_IsValid, true, "policy.kind");
  if (!s.ok()) return s;
  s = ValidateJurisdiction(policy.jurisdiction(), "policy.jurisdiction");
  if (!s.ok()) return s;
  if (!IsSet(policy.date())) return absl::InvalidArgumentError("policy.date: required");
  s = ValidatePartialDate(policy.date(), "policy.date");
  if (!s.ok()) return s;
  if (policy.title().empty()) return absl::InvalidArgumentError("policy.title: required");
  return ValidateCitations(policy.sources(), "policy.sources");
}

absl::Status Timeline::CheckCatalogSources(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& sources,
    absl::string_view field) const {
  std::vector<std::string> names, fields;
  std::set<std::string> seen;
  for (int i = 0; i < sources.size(); ++i) {
    if (!seen.insert(sources[i].source()).second) continue;
    names.push_back(sources[i].source());
    fields.push_back(absl::StrCat(field, "[", i, "].source"));
  }
  return catalog_->CheckExist(names, fields);
}

absl::Status Timeline::CheckCatalogRefs(const Event& e) const {
  std::vector<std::string> names, fields;
  for (int i = 0; i < e.products_size(); ++i) {
    names.push_back(e.products(i));
    fields.push_back(absl::StrCat("event.products[", i, "]"));
  }
  for (int i = 0; i < e.organizations_size(); ++i) {
    names.push_back(e.organizations(i));
    fields.push_back(absl::StrCat("event.organizations[", i, "]"));
  }
  for (int i = 0; i < e.trials_size(); ++i) {
    names.push_back(e.trials(i));
    fields.push_back(absl::StrCat("event.trials[", i, "]"));
  }
  absl::Status s = catalog_->CheckExist(names, fields);
  if (!s.ok()) return s;
  return CheckCatalogSources(e.sources(), "event.sources");
}

// ---- Writes and regulatory stages --------------------------------------------

absl::StatusOr<Event> Timeline::CreateEvent(absl::string_view id, Event event,
                                            absl::string_view origin) {
  // The stage outbox entry commits with the event (write hook); the stage
  // sync delivers it, so a catalog that is down never fails this write.
  return events_.Create(id, std::move(event), origin);
}

absl::StatusOr<Event> Timeline::UpdateEvent(const Event& patch,
                                            const google::protobuf::FieldMask& mask) {
  return events_.Update(patch, mask);
}

absl::Status Timeline::DeleteEvent(absl::string_view name, absl::string_view etag) {
  return events_.Delete(name, etag);
}

absl::StatusOr<std::set<std::string>> Timeline::ProductsWithStageEvents() const {
  std::set<std::string> all;
  absl::Status s = events_.ScanAll(nullptr, [&](absl::string_view, absl::string_view bytes) {
    Event e;
    if (e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && StageOf(e).has_value()) {
      all.insert(e.products().begin(), e.products().end());
    }
    return true;
  });
  if (!s.ok()) return s;
  return all;
}

absl::Status Timeline::SyncRegulatoryStages(std::vector<std::string> products) {
  if (products.empty()) {
    absl::StatusOr<std::set<std::string>> all = ProductsWithStageEvents();
    if (!all.ok()) return all.status();
    products.assign(all->begin(), all->end());
  }
  for (const std::string& product : products) {
    absl::StatusOr<std::vector<std::string>> ids =
        PostingIds(*store_, kIndexCf, "events", "product", product, nullptr);
    if (!ids.ok()) return ids.status();
    // Per jurisdiction, the stage of the latest stage-moving event (ties:
    // the more advanced stage).
    std::map<std::string, std::pair<common::v1::PartialDate, DevelopmentStage>> latest;
    for (const std::string& id : *ids) {
      Event e;
      absl::StatusOr<bool> found = events_.FindRaw(id, &e);
      if (!found.ok()) return found.status();
      if (!*found) continue;
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
    absl::Status s = catalog_->SetRegulatoryStages(product, stages);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("regulatory stages of ", product,
                                                 " not sent to the catalog: ", s.message()));
    }
  }
  return absl::OkStatus();
}

// ---- Lists ------------------------------------------------------------------------

absl::StatusOr<ListResult<Event>> Timeline::ListEvents(const ListQuery& q) const {
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(q.filter);
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), EventSchema());
  if (!s.ok()) return s;
  s = CheckDateRange(node->get());
  if (!s.ok()) return s;
  IndexReadLock lock(*store_, {&events_.index()});
  TimelinePostings postings(this, events_, lock.snapshot());
  return RunList(events_, EventsSpec(), postings, lock, q);
}

absl::StatusOr<ListResult<Policy>> Timeline::ListPolicies(const ListQuery& q) const {
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(q.filter);
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), PolicySchema());
  if (!s.ok()) return s;
  s = CheckDateRange(node->get());
  if (!s.ok()) return s;
  IndexReadLock lock(*store_, {&policies_.index()});
  TimelinePostings postings(this, policies_, lock.snapshot());
  return RunList(policies_, PoliciesSpec(), postings, lock, q);
}

absl::StatusOr<std::vector<Event>> Timeline::EventsOfType(EventType type) const {
  absl::StatusOr<std::vector<std::string>> ids =
      PostingIds(*store_, kIndexCf, "events", "type",
                 EnumName(timeline::v1::EventType_descriptor(), type), nullptr);
  if (!ids.ok()) return ids.status();
  std::vector<Event> out;
  for (const std::string& id : *ids) {
    Event e;
    absl::StatusOr<bool> found = events_.FindRaw(id, &e);
    if (!found.ok()) return found.status();
    if (*found) out.push_back(std::move(e));
  }
  return out;
}

// ---- Product timeline ---------------------------------------------------------

absl::StatusOr<timeline::v1::ProductTimeline> Timeline::GetProductTimeline(
    absl::string_view product) const {
  absl::StatusOr<std::string> id = ParseResourceName(product, "products", "product");
  if (!id.ok()) return id.status();
  const std::string name = absl::StrCat("products/", *id);
  timeline::v1::ProductTimeline out;
  out.set_product(name);
  absl::Status exists = catalog_->CheckExist({name}, {"product"});
  if (absl::IsInvalidArgument(exists)) return absl::NotFoundError(absl::StrCat(name, " not found"));
  std::vector<timeline::v1::TimelineItem> items;
  absl::StatusOr<std::vector<std::string>> ids =
      PostingIds(*store_, kIndexCf, "events", "product", name, nullptr);
  if (!ids.ok()) return ids.status();
  for (const std::string& eid : *ids) {
    Event e;
    absl::StatusOr<bool> found = events_.FindRaw(eid, &e);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    timeline::v1::TimelineItem item;
    *item.mutable_date() = e.date();
    item.set_date_inferred(e.date_inferred());
    item.set_origin(timeline::v1::TIMELINE_ITEM_ORIGIN_EVENT);
    item.set_record(e.name());
    item.set_type(e.type());
    item.set_jurisdiction(e.jurisdiction());
    item.set_description(e.description());
    *item.mutable_sources() = e.sources();
    items.push_back(std::move(item));
  }
  if (!exists.ok()) {
    out.set_catalog_error(std::string(exists.message()));
  } else {
    absl::StatusOr<std::vector<catalog::v1::Trial>> trials = catalog_->TrialsOfProduct(name);
    if (!trials.ok()) {
      out.set_catalog_error(std::string(trials.status().message()));
    } else {
      for (const auto& t : *trials) {
        if (!IsSet(t.start_date())) continue;
        timeline::v1::TimelineItem item;
        *item.mutable_date() = t.start_date();
        item.set_origin(timeline::v1::TIMELINE_ITEM_ORIGIN_CATALOG_TRIAL);
        item.set_record(t.name());
        item.set_type(timeline::v1::EVENT_TYPE_TRIAL_START);
        item.set_jurisdiction(absl::StrJoin(t.countries(), ","));
        item.set_description(absl::StrCat(
            t.primary_id().id().empty() ? t.name() : t.primary_id().id(), " starts (",
            t.phase_text().empty() ? common::v1::DevelopmentStage_Name(t.phase()) : t.phase_text(),
            ")"));
        *item.mutable_sources() = t.sources();
        items.push_back(std::move(item));
      }
    }
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    int c = ComparePartialDates(a.date(), b.date());
    if (c != 0) return c < 0;
    if (a.origin() != b.origin()) return a.origin() > b.origin();  // trials first on a tie
    return a.record() < b.record();
  });
  for (auto& item : items) *out.add_items() = std::move(item);
  return out;
}

// ---- Intervals and firsts ----------------------------------------------------

absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> Timeline::ComputeMilestoneIntervals(
    const timeline::v1::ComputeMilestoneIntervalsRequest& request) const {
  absl::Status s =
      ValidateEnum(request.from_type(), timeline::v1::EventType_IsValid, true, "from_type");
  if (!s.ok()) return s;
  s = ValidateEnum(request.to_type(), timeline::v1::EventType_IsValid, true, "to_type");
  if (!s.ok()) return s;
  if (request.from_type() == request.to_type()) {
    return absl::InvalidArgumentError("to_type: must differ from from_type");
  }
  std::set<std::string> only;
  for (int i = 0; i < request.products_size(); ++i) {
    absl::StatusOr<std::string> id =
        ParseResourceName(request.products(i), "products", absl::StrCat("products[", i, "]"));
    if (!id.ok()) return id.status();
    only.insert(request.products(i));
  }
  absl::StatusOr<std::vector<Event>> from = EventsOfType(request.from_type());
  if (!from.ok()) return from.status();
  absl::StatusOr<std::vector<Event>> to = EventsOfType(request.to_type());
  if (!to.ok()) return to.status();
  // Earliest event of each type per (product, jurisdiction if asked).
  auto earliest = [&](const std::vector<Event>& events) {
    std::map<std::pair<std::string, std::string>, const Event*> out;
    for (const Event& e : events) {
      for (const std::string& p : e.products()) {
        if (!only.empty() && !only.count(p)) continue;
        auto key = std::make_pair(p, request.per_jurisdiction() ? e.jurisdiction() : "");
        auto it = out.find(key);
        if (it == out.end() || ComparePartialDates(e.date(), it->second->date()) < 0) out[key] = &e;
      }
    }
    return out;
  };
  auto from_by = earliest(*from);
  auto to_by = earliest(*to);
  timeline::v1::ComputeMilestoneIntervalsResponse response;
  std::vector<double> estimates;
  for (const auto& [key, a] : from_by) {
    auto it = to_by.find(key);
    if (it == to_by.end()) continue;
    const Event* b = it->second;
    const int64_t max_days = LastDay(b->date()) - FirstDay(a->date());
    if (max_days < 0) continue;  // the second milestone ends before the first begins
    timeline::v1::MilestoneInterval* iv = response.add_intervals();
    iv->set_product(key.first);
    iv->set_jurisdiction(key.second);
    iv->set_from_event(a->name());
    iv->set_to_event(b->name());
    *iv->mutable_from_date() = a->date();
    *iv->mutable_to_date() = b->date();
    iv->set_min_days(
        static_cast<int32_t>(std::max<int64_t>(0, FirstDay(b->date()) - LastDay(a->date()))));
    iv->set_max_days(static_cast<int32_t>(max_days));
    const double estimate = std::max(0.0, MidDay(b->date()) - MidDay(a->date()));
    iv->set_estimate_days(estimate);
    estimates.push_back(estimate);
  }
  if (!estimates.empty()) {
    std::sort(estimates.begin(), estimates.end());
    const size_t n = estimates.size();
    auto* summary = response.mutable_summary();
    summary->set_count(static_cast<int32_t>(n));
    summary->set_min_days(estimates.front());
    summary->set_max_days(estimates.back());
    summary->set_median_days(n % 2 == 1 ? estimates[n / 2]
                                        : (estimates[n / 2 - 1] + estimates[n / 2]) / 2.0);
  }
  return response;
}

absl::StatusOr<timeline::v1::ListFirstsResponse> Timeline::ListFirsts(
    const timeline::v1::ListFirstsRequest& request) const {
  absl::Status s = ValidateEnum(request.type(), timeline::v1::EventType_IsValid, true, "type");
  if (!s.ok()) return s;
  const timeline::v1::FirstDimension dimension = request.dimension();
  s = ValidateEnum(dimension, timeline::v1::FirstDimension_IsValid, false, "dimension");
  if (!s.ok()) return s;
  const bool grouped = dimension != timeline::v1::FIRST_DIMENSION_UNSPECIFIED;
  std::set<std::string> jurisdictions;
  for (int i = 0; i < request.jurisdictions_size(); ++i) {
    s = ValidateJurisdiction(request.jurisdictions(i), absl::StrCat("jurisdictions[", i, "]"));
    if (!s.ok()) return s;
    jurisdictions.insert(request.jurisdictions(i));
  }
  std::set<int> types = {request.type()};
  for (int i = 0; i < request.also_types_size(); ++i) {
    s = ValidateEnum(request.also_types(i), timeline::v1::EventType_IsValid, true,
                     absl::StrCat("also_types[", i, "]"));
    if (!s.ok()) return s;
    types.insert(request.also_types(i));
  }
  absl::StatusOr<int> limit = NormalizePageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  // The page token is bound to everything that decides the list.
  const std::string query = absl::StrCat("firsts|", absl::StrJoin(types, ","), "|", dimension, "|",
                                         absl::StrJoin(jurisdictions, ","));
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(request.page_token(), query);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  // Each type once, however often the request names it.
  std::vector<Event> events;
  for (int type : types) {
    absl::StatusOr<std::vector<Event>> of_type =
        EventsOfType(static_cast<timeline::v1::EventType>(type));
    if (!of_type.ok()) return of_type.status();
    for (Event& e : *of_type) events.push_back(std::move(e));
  }
  // Cell classification of every product involved, from the catalog.
  std::map<std::string, std::string> group_of;
  if (grouped) {
    std::set<std::string> names;
    for (const Event& e : events) names.insert(e.products().begin(), e.products().end());
    absl::StatusOr<std::vector<catalog::v1::Product>> products =
        catalog_->GetProducts({names.begin(), names.end()});
    if (!products.ok()) return products.status();
    for (const auto& p : *products) {
      std::string v =
          dimension == timeline::v1::FIRST_DIMENSION_CELL_SOURCE
              ? catalog::v1::CellSource_Name(p.cell_source()).substr(strlen("CELL_SOURCE_"))
          : dimension == timeline::v1::FIRST_DIMENSION_CELL_TYPE
              ? catalog::v1::CellType_Name(p.cell_type()).substr(strlen("CELL_TYPE_"))
              : catalog::v1::CellCategory_Name(p.cell_category()).substr(strlen("CELL_CATEGORY_"));
      group_of[p.name()] = v;
    }
  }
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> groups;
  for (const Event& e : events) {
    if (!jurisdictions.empty() && !jurisdictions.count(e.jurisdiction())) continue;
    std::set<std::string> keys;
    if (!grouped) {
      keys.insert("");
    } else if (e.products().empty()) {
      keys.insert("(no product)");
    } else {
      for (const std::string& p : e.products()) {
        auto it = group_of.find(p);
        keys.insert(it == group_of.end() ? "(unknown product)" : it->second);
      }
    }
    for (const std::string& k : keys) groups[{e.jurisdiction(), k}].push_back(&e);
  }
  // Groups in (jurisdiction, group) order; the page token holds the
  // position of the last group returned.
  timeline::v1::ListFirstsResponse response;
  std::string last_position;
  for (auto& [key, list] : groups) {
    std::string position = storage::Key().String(key.first).String(key.second).Release();
    if (!after.empty() && position <= after) continue;
    if (response.firsts_size() == *limit) {
      response.set_next_page_token(EncodePageToken(query, last_position));
      break;
    }
    last_position = std::move(position);
    std::sort(list.begin(), list.end(), [](const Event* a, const Event* b) {
      int c = ComparePartialDates(a->date(), b->date());
      return c != 0 ? c < 0 : a->name() < b->name();
    });
    const Event* first = list.front();
    timeline::v1::First* f = response.add_firsts();
    f->set_jurisdiction(key.first);
    f->set_group(key.second);
    *f->mutable_event() = *first;
    // Others that may have come first: their period overlaps the first's.
    for (size_t i = 1; i < list.size(); ++i) {
      if (FirstDay(list[i]->date()) <= LastDay(first->date())) f->add_tied_with(list[i]->name());
    }
  }
  return response;
}

// ---- Watch -------------------------------------------------------------------------

std::string Timeline::ResumeToken(uint64_t seq) {
  return EncodePageToken("watch", storage::Key().Uint64(seq).Release());
}

absl::StatusOr<Timeline::WatchQuery> Timeline::PrepareWatch(
    const timeline::v1::WatchEventsRequest& request) const {
  WatchQuery q;
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(request.filter());
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), WatchSchema());
  if (!s.ok()) return s;
  q.filter = *std::move(node);
  q.include_policies = request.include_policies();
  if (request.resume_token().empty()) {
    q.position.after_seq = store_->LastChangeSeq();
  } else {
    absl::StatusOr<std::string> position = DecodePageToken(request.resume_token(), "watch");
    if (!position.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "resume_token: ", position.status().message().substr(strlen("page_token: "))));
    }
    storage::KeyReader reader(*position);
    absl::StatusOr<uint64_t> seq = reader.Uint64();
    if (!seq.ok()) return absl::InvalidArgumentError("resume_token: malformed");
    q.position.after_seq = *seq;
  }
  return q;
}

absl::StatusOr<std::vector<WatchChange>> Timeline::ReadChanges(WatchQuery& query,
                                                               size_t limit) const {
  std::vector<WatchChange> out;
  while (out.size() < limit) {
    absl::StatusOr<std::vector<storage::Change>> changes =
        store_->ReadChanges(kChangeStream, query.position.after_seq, limit);
    if (!changes.ok()) return changes.status();
    if (changes->empty()) break;
    for (const storage::Change& c : *changes) {
      query.position.after_seq = c.seq;
      common::v1::ResourceChange rc;
      if (!rc.ParseFromString(c.payload)) {
        return absl::DataLossError(absl::StrCat("timeline: change ", c.seq, " does not parse"));
      }
      WatchChange wc;
      wc.seq = c.seq;
      wc.time = c.time;
      std::vector<Posting> postings;
      if (rc.resource().Is<Event>()) {
        if (!rc.resource().UnpackTo(wc.response.mutable_event())) continue;
        postings = PostingsOf(wc.response.event());
      } else if (rc.resource().Is<Policy>()) {
        if (!query.include_policies) continue;
        if (!rc.resource().UnpackTo(wc.response.mutable_policy())) continue;
        postings = PostingsOf(wc.response.policy());
      } else {
        continue;
      }
      OneRecordPostings one(std::move(postings));
      absl::StatusOr<std::vector<std::string>> match =
          filter::Evaluate(query.filter.get(), WatchSchema(), one);
      if (!match.ok()) return match.status();
      if (match->empty()) continue;
      wc.response.set_kind(rc.kind());
      const int64_t micros = absl::ToUnixMicros(c.time);
      wc.response.mutable_commit_time()->set_seconds(micros / 1000000);
      wc.response.mutable_commit_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
      wc.response.set_resume_token(ResumeToken(c.seq));
      out.push_back(std::move(wc));
      if (out.size() == limit) break;
    }
  }
  return out;
}

uint64_t Timeline::AddChangeListener(std::function<void()> listener) {
  return store_->AddChangeListener([listener = std::move(listener)](uint64_t) { listener(); });
}

void Timeline::RemoveChangeListener(uint64_t id) { store_->RemoveChangeListener(id); }

}  // namespace regenatlas::timeline
