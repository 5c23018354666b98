#include "services/catalog/catalog.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/dataset.h"
#include "common/dates.h"
#include "common/excerpt.h"
#include "common/paging.h"
#include "common/records.h"
#include "common/resource_name.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DevelopmentStage;
using google::protobuf::Message;
using storage::ColumnFamily;
using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

constexpr ColumnFamily kIndexCf = ColumnFamily::kCatalogIndex;

// ---- Index key layout (catalog_index column family) -------------------
// postings   (collection, field, value | int64, id)          → ""
// registry   ("~registry", canonical registry id)            → trial id
// search     ("~search", gram, product id)                   → ""
// searchdoc  ("~searchdoc", product id)                      → normalised texts, '\n'-joined
// pname      ("~pname", normalised name, product id)         → ""
// issue      ("~issue", record name, n)                      → DataIssue
// '~' keeps these apart from collection names.
constexpr absl::string_view kRegistryKey = "~registry";
constexpr absl::string_view kSearchKey = "~search";
constexpr absl::string_view kSearchDocKey = "~searchdoc";
constexpr absl::string_view kNameKey = "~pname";
constexpr absl::string_view kIssueKey = "~issue";

// Fields whose postings are int64-encoded so that <, <=, >, >= are range scans.
bool IsIntField(absl::string_view field) {
  return field == "stage" || field == "phase" || field == "start_year";
}

std::string EnumName(const google::protobuf::EnumDescriptor* d, int value) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

std::vector<std::string> EnumNames(const google::protobuf::EnumDescriptor* d) {
  std::vector<std::string> out;
  for (int i = 0; i < d->value_count(); ++i) out.push_back(d->value(i)->name());
  return out;
}

filter::FieldSpec EnumField(const google::protobuf::EnumDescriptor* d, absl::string_view prefix,
                            bool repeated = false, bool ordered = false) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kEnum;
  f.enum_prefix = std::string(prefix);
  f.enum_values = EnumNames(d);
  f.repeated = repeated;
  f.ordered = ordered;
  return f;
}

filter::FieldSpec ResourceField(absl::string_view collection, bool repeated) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kResource;
  f.collection = std::string(collection);
  f.repeated = repeated;
  return f;
}

filter::FieldSpec CountryField() {
  filter::FieldSpec f;
  f.repeated = true;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    std::string upper = absl::AsciiStrToUpper(v);
    if (upper.size() != 2 || !absl::ascii_isalpha(upper[0]) || !absl::ascii_isalpha(upper[1])) {
      return std::nullopt;
    }
    return upper;
  };
  return f;
}

filter::FieldSpec IntField() {
  filter::FieldSpec f;
  f.type = filter::FieldType::kInt;
  f.ordered = true;
  return f;
}

filter::FieldSpec BoolField() {
  filter::FieldSpec f;
  f.type = filter::FieldType::kBool;
  return f;
}

filter::FieldSpec StringField(bool repeated = false) {
  filter::FieldSpec f;
  f.repeated = repeated;
  return f;
}

const google::protobuf::EnumDescriptor* StageEnum() {
  return common::v1::DevelopmentStage_descriptor();
}

void AddStage(std::vector<Posting>& out, absl::string_view field, DevelopmentStage stage) {
  if (stage == common::v1::DEVELOPMENT_STAGE_UNSPECIFIED) return;
  out.push_back({std::string(field), EnumName(StageEnum(), stage), int64_t{StageRank(stage)}});
}

template <typename Citations>
void AddSources(std::vector<Posting>& out, const Citations& citations) {
  std::set<std::string> seen;
  for (const auto& c : citations) {
    if (seen.insert(c.source()).second) out.push_back({"source", c.source()});
  }
}

std::vector<Posting> PostingsOf(const Source& s) {
  std::vector<Posting> out;
  out.push_back({"kind", EnumName(catalog::v1::SourceKind_descriptor(), s.kind())});
  if (!s.language().empty()) out.push_back({"language", s.language()});
  return out;
}

std::vector<Posting> PostingsOf(const Organization& o) {
  std::vector<Posting> out;
  out.push_back({"kind", EnumName(catalog::v1::OrganizationKind_descriptor(), o.kind())});
  if (!o.country_code().empty()) out.push_back({"country", o.country_code()});
  if (!o.parent().empty()) out.push_back({"parent", o.parent()});
  AddSources(out, o.sources());
  return out;
}

std::vector<Posting> PostingsOf(const Indication& i) {
  std::vector<Posting> out;
  out.push_back({"therapeutic_area",
                 EnumName(catalog::v1::TherapeuticArea_descriptor(), i.therapeutic_area())});
  if (!i.parent().empty()) out.push_back({"parent", i.parent()});
  AddSources(out, i.sources());
  return out;
}

std::vector<Posting> PostingsOf(const Product& p) {
  std::vector<Posting> out;
  out.push_back({"cell_source", EnumName(catalog::v1::CellSource_descriptor(), p.cell_source())});
  out.push_back(
      {"cell_category", EnumName(catalog::v1::CellCategory_descriptor(), p.cell_category())});
  out.push_back({"cell_type", EnumName(catalog::v1::CellType_descriptor(), p.cell_type())});
  if (p.donor() != common::v1::DONOR_UNSPECIFIED) {
    out.push_back({"donor", EnumName(common::v1::Donor_descriptor(), p.donor())});
  }
  if (p.has_gene_edited()) out.push_back({"gene_edited", p.gene_edited() ? "true" : "false"});
  AddStage(out, "stage", p.highest_stage());
  // String forms for grouping (the int postings serve range filters).
  if (p.highest_stage() != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED) {
    out.push_back({"stage_name", EnumName(StageEnum(), p.highest_stage())});
  }
  for (const auto& cs : p.stage_by_country()) {
    out.push_back(
        {"country_stage", absl::StrCat(cs.country_code(), "|", EnumName(StageEnum(), cs.stage()))});
  }
  for (const std::string& c : p.countries()) out.push_back({"country", c});
  for (const std::string& s : p.sponsors()) out.push_back({"sponsor", s});
  for (const std::string& i : p.indications()) out.push_back({"indication", i});
  for (int a : p.therapeutic_areas()) {
    out.push_back({"therapeutic_area", EnumName(catalog::v1::TherapeuticArea_descriptor(), a)});
  }
  if (p.first_trial_start().year() != 0) {
    out.push_back({"start_year", "", int64_t{p.first_trial_start().year()}});
  }
  AddSources(out, p.sources());
  return out;
}

std::vector<common::v1::RegistryId> AllIds(const Trial& t) {
  std::vector<common::v1::RegistryId> ids;
  if (!t.primary_id().id().empty()) ids.push_back(t.primary_id());
  for (const auto& id : t.secondary_ids()) ids.push_back(id);
  return ids;
}

std::vector<Posting> PostingsOf(const Trial& t) {
  std::vector<Posting> out;
  AddStage(out, "phase", t.phase());
  out.push_back({"phase_name", EnumName(StageEnum(), t.phase())});
  out.push_back({"status", EnumName(catalog::v1::TrialStatus_descriptor(), t.status())});
  for (const std::string& c : t.countries()) out.push_back({"country", c});
  if (!t.sponsor().empty()) out.push_back({"sponsor", t.sponsor()});
  for (const std::string& c : t.collaborators()) out.push_back({"collaborator", c});
  for (const std::string& p : t.products()) out.push_back({"product", p});
  for (const std::string& i : t.indications()) out.push_back({"indication", i});
  if (t.start_date().year() != 0) {
    out.push_back({"start_year", "", int64_t{t.start_date().year()}});
  }
  std::set<std::string> registries;
  for (const auto& id : AllIds(t)) {
    registries.insert(EnumName(common::v1::Registry_descriptor(), id.registry()));
    out.push_back({"registry_id", id.id()});
  }
  for (const std::string& r : registries) out.push_back({"registry", r});
  AddSources(out, t.sources());
  return out;
}

template <typename T>
std::vector<std::string> IndexKeysOf(absl::string_view collection, const T& record) {
  std::string id(record.name().substr(collection.size() + 1));
  std::vector<std::string> keys = PostingKeys(collection, PostingsOf(record), id);
  if constexpr (std::is_same_v<T, Product>) {
    // Names that identify a product, for the possible-duplicate report.
    std::set<std::string> names = {NormalizeForSearch(record.display_name())};
    for (const auto& n : record.names()) {
      if (n.kind() == common::v1::NAME_KIND_CODE || n.kind() == common::v1::NAME_KIND_BRAND ||
          n.kind() == common::v1::NAME_KIND_GENERIC) {
        names.insert(NormalizeForSearch(n.text()));
      }
    }
    for (const std::string& n : names) {
      if (n.size() >= 3) keys.push_back(Key().String(kNameKey).String(n).String(id).Release());
    }
  }
  return keys;
}

// Sort key of a record for order_by; strings compare in the wanted order.
std::string CatalogSortKey(const Message& m, const std::string& field);

template <typename T>
ResourceTableOptions TableOptions(const CatalogOptions& options, std::string collection,
                                  std::vector<std::string> memory_fields,
                                  std::vector<std::string> order_fields) {
  ResourceTableOptions t;
  t.postings = [](const Message& m) { return PostingsOf(static_cast<const T&>(m)); };
  // Facets in memory; unique-per-record fields (registry ids, the
  // per-trial ctgov source) stay in RocksDB postings only.
  t.memory_fields = std::move(memory_fields);
  t.order_fields = std::move(order_fields);
  t.sort_key = &CatalogSortKey;
  t.collection = std::move(collection);
  t.records_cf = ColumnFamily::kCatalog;
  t.index_cf = kIndexCf;
  t.change_stream = std::string(Catalog::kChangeStream);
  t.clock = options.clock;
  return t;
}

absl::Status ValidateNames(
    const google::protobuf::RepeatedPtrField<common::v1::LocalizedName>& names,
    absl::string_view field) {
  for (int i = 0; i < names.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (names[i].text().empty())
      return absl::InvalidArgumentError(absl::StrCat(f, ".text: required"));
    if (names[i].language().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".language: required (\"en\", \"zh\", \"ja\", \"und\")"));
    }
    absl::Status s = ValidateEnum(names[i].kind(), common::v1::NameKind_IsValid, false,
                                  absl::StrCat(f, ".kind"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Findings derived from a record's claims: one per field whose sources state
// different values.
template <typename T>
void ClaimIssues(const T& record, std::vector<DataIssue>& out) {
  std::map<std::string, std::vector<const common::v1::Claim*>> by_field;
  for (const auto& c : record.claims()) by_field[c.field()].push_back(&c);
  for (const auto& [field, claims] : by_field) {
    std::set<std::string> values;
    for (const auto* c : claims) values.insert(c->value());
    if (values.size() < 2) continue;
    // "2025" and "2025-03" say the same thing at different precision.
    if (DatesRefineEachOther({values.begin(), values.end()})) continue;
    DataIssue issue;
    issue.set_kind(catalog::v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS);
    issue.set_record(record.name());
    issue.set_field(field);
    issue.set_description(
        absl::StrCat("sources disagree about ", field, ": ", absl::StrJoin(values, " vs ")));
    for (const std::string& v : values) issue.add_values(v);
    for (const auto* c : claims) *issue.add_citations() = c->citation();
    out.push_back(std::move(issue));
  }
}

}  // namespace

namespace {

std::string CatalogSortKey(const Message& m, const std::string& field) {
  auto date_key = [](const common::v1::PartialDate& d) {
    return d.year() == 0 ? std::string("9999")
                         : absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  };
  if (field == "display_name" || field == "title") {
    const auto* f = m.GetDescriptor()->FindFieldByName(field);
    return f ? absl::AsciiStrToLower(m.GetReflection()->GetString(m, f)) : "";
  }
  if (const auto* p = dynamic_cast<const Product*>(&m)) {
    if (field == "highest_stage") return absl::StrFormat("%02d", StageRank(p->highest_stage()));
    if (field == "start_date") return date_key(p->first_trial_start());
  }
  if (const auto* t = dynamic_cast<const Trial*>(&m)) {
    if (field == "phase") return absl::StrFormat("%02d", StageRank(t->phase()));
    if (field == "start_date") return date_key(t->start_date());
  }
  if (const auto* s = dynamic_cast<const Source*>(&m)) {
    if (field == "publication_date") return date_key(s->publication_date());
  }
  return "";
}

}  // namespace

const filter::Schema& Catalog::ProductSchema() {
  static const auto* schema = new filter::Schema{
      {"cell_source", EnumField(catalog::v1::CellSource_descriptor(), "CELL_SOURCE_")},
      {"cell_category", EnumField(catalog::v1::CellCategory_descriptor(), "CELL_CATEGORY_")},
      {"cell_type", EnumField(catalog::v1::CellType_descriptor(), "CELL_TYPE_")},
      {"donor", EnumField(common::v1::Donor_descriptor(), "DONOR_")},
      {"gene_edited", BoolField()},
      {"stage", EnumField(StageEnum(), "DEVELOPMENT_STAGE_", false, true)},
      {"country", CountryField()},
      {"sponsor", ResourceField("organizations", true)},
      {"indication", ResourceField("indications", true)},
      {"therapeutic_area",
       EnumField(catalog::v1::TherapeuticArea_descriptor(), "THERAPEUTIC_AREA_", true)},
      {"start_year", IntField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

const filter::Schema& Catalog::TrialSchema() {
  static const auto* schema = [] {
    auto* s = new filter::Schema{
        {"phase", EnumField(StageEnum(), "DEVELOPMENT_STAGE_", false, true)},
        {"status", EnumField(catalog::v1::TrialStatus_descriptor(), "TRIAL_STATUS_")},
        {"country", CountryField()},
        {"sponsor", ResourceField("organizations", false)},
        {"collaborator", ResourceField("organizations", true)},
        {"product", ResourceField("products", true)},
        {"indication", ResourceField("indications", true)},
        {"start_year", IntField()},
        {"registry", EnumField(common::v1::Registry_descriptor(), "REGISTRY_", true)},
        {"registry_id", StringField(true)},
        {"source", ResourceField("sources", true)},
    };
    // Joins: trials whose products match, e.g. product.cell_source = HIPSC.
    for (const char* f : {"cell_source", "cell_category", "cell_type", "donor", "gene_edited",
                          "therapeutic_area", "sponsor"}) {
      (*s)[absl::StrCat("product.", f)] = ProductSchema().at(f);
    }
    (*s)["registry_id"].normalize = [](absl::string_view v) -> std::optional<std::string> {
      absl::StatusOr<common::v1::RegistryId> id = ParseRegistryId(v, "filter");
      if (!id.ok()) return std::nullopt;
      return id->id();
    };
    return s;
  }();
  return *schema;
}

namespace {

ListSpec Spec(std::string collection, const filter::Schema* schema,
              std::vector<std::string> order_fields) {
  ListSpec spec;
  spec.collection = std::move(collection);
  spec.schema = schema;
  spec.order_fields = std::move(order_fields);
  spec.sort_key = &CatalogSortKey;
  return spec;
}

const ListSpec& SourcesSpec() {
  static const auto* schema =
      new filter::Schema{{"kind", EnumField(catalog::v1::SourceKind_descriptor(), "SOURCE_KIND_")},
                         {"language", StringField()}};
  static const auto* spec = new ListSpec(Spec("sources", schema, {"title", "publication_date"}));
  return *spec;
}

const ListSpec& OrganizationsSpec() {
  static const auto* schema = new filter::Schema{
      {"kind", EnumField(catalog::v1::OrganizationKind_descriptor(), "ORGANIZATION_KIND_")},
      {"country",
       [] {
         auto f = CountryField();
         f.repeated = false;
         return f;
       }()},
      {"parent", ResourceField("organizations", false)},
      {"source", ResourceField("sources", true)}};
  static const auto* spec = new ListSpec(Spec("organizations", schema, {"display_name"}));
  return *spec;
}

const ListSpec& IndicationsSpec() {
  static const auto* schema = new filter::Schema{
      {"therapeutic_area",
       EnumField(catalog::v1::TherapeuticArea_descriptor(), "THERAPEUTIC_AREA_")},
      {"parent", ResourceField("indications", false)},
      {"source", ResourceField("sources", true)}};
  static const auto* spec = new ListSpec(Spec("indications", schema, {"display_name"}));
  return *spec;
}

const ListSpec& ProductsSpec() {
  static const auto* spec = new ListSpec(
      Spec("products", &Catalog::ProductSchema(), {"display_name", "highest_stage", "start_date"}));
  return *spec;
}

const ListSpec& TrialsSpec() {
  static const auto* spec =
      new ListSpec(Spec("trials", &Catalog::TrialSchema(), {"phase", "start_date"}));
  return *spec;
}

// Int postings: stages as their progress rank, years as numbers.
std::optional<absl::StatusOr<int64_t>> CatalogIntEncoder(const std::string& field,
                                                         const std::string& value) {
  if (!IsIntField(field)) return std::nullopt;
  if (field == "start_year") {
    int64_t n = 0;
    if (!absl::SimpleAtoi(value, &n)) return absl::InvalidArgumentError("filter: bad integer");
    return absl::StatusOr<int64_t>(n);
  }
  DevelopmentStage stage;
  if (!common::v1::DevelopmentStage_Parse(value, &stage)) {
    return absl::InvalidArgumentError("filter: bad stage");
  }
  return absl::StatusOr<int64_t>(StageRank(stage));
}

}  // namespace

// The catalog's posting lists, plus the trial → product join
// ("product.cell_source = HIPSC"): the matching products' bitmap, then the
// union of their trials' "product" bitmaps. Needs the products index locked
// too (IndexesFor).
class Catalog::CatalogPostings : public IndexPostings {
 public:
  CatalogPostings(const Catalog* catalog, const std::string& collection,
                  const storage::Snapshot* snapshot)
      : IndexPostings(&catalog->TableOf(collection)->index(), catalog->store_, kIndexCf, snapshot,
                      &CatalogIntEncoder),
        catalog_(catalog) {}

  absl::StatusOr<Bitmap> Match(const std::string& field, const filter::FieldSpec& spec,
                               filter::Op op, const std::string& value) override {
    if (!absl::StartsWith(field, "product.")) return IndexPostings::Match(field, spec, op, value);
    CatalogPostings products(catalog_, "products", snapshot());
    absl::StatusOr<Bitmap> product_ids =
        products.Match(field.substr(strlen("product.")), spec, op, value);
    if (!product_ids.ok()) return product_ids;
    Bitmap out;
    for (uint32_t d : *product_ids) {
      out |= index().Equal("product", absl::StrCat("products/", products.index().IdOf(d)));
    }
    return out;
  }

 private:
  const Catalog* catalog_;
};

std::vector<const TableIndex*> Catalog::IndexesFor(absl::string_view collection) const {
  if (collection == "trials") return {&trials_.index(), &products_.index()};
  return {&TableOf(collection)->index()};
}

Catalog::Catalog(storage::Store* store, CatalogOptions options)
    : store_(store),
      sources_(
          store, &write_mu_,
          TableOptions<Source>(options, "sources", {"kind", "language"}, {"publication_date"}),
          [this](const Source& s) { return ValidateSource(s); },
          [](const Source& s) { return IndexKeysOf("sources", s); }),
      organizations_(
          store, &write_mu_,
          TableOptions<Organization>(options, "organizations",
                                     {"kind", "country", "parent", "source"}, {"display_name"}),
          [this](const Organization& o) { return ValidateOrganization(o); },
          [](const Organization& o) { return IndexKeysOf("organizations", o); }),
      indications_(
          store, &write_mu_,
          TableOptions<Indication>(options, "indications", {"therapeutic_area", "parent", "source"},
                                   {"display_name"}),
          [this](const Indication& i) { return ValidateIndication(i); },
          [](const Indication& i) { return IndexKeysOf("indications", i); }),
      products_(
          store, &write_mu_,
          TableOptions<Product>(
              options, "products",
              {"cell_source", "cell_category", "cell_type", "donor", "gene_edited", "stage",
               "stage_name", "country_stage", "country", "sponsor", "indication",
               "therapeutic_area", "start_year", "source"},
              {"display_name", "highest_stage", "start_date"}),
          [this](const Product& p) { return ValidateProduct(p); },
          [](const Product& p) { return IndexKeysOf("products", p); }),
      trials_(
          store, &write_mu_,
          TableOptions<Trial>(options, "trials",
                              {"phase", "phase_name", "status", "country", "sponsor",
                               "collaborator", "product", "indication", "start_year", "registry"},
                              {"phase", "start_date"}),
          [this](const Trial& t) { return ValidateTrial(t); },
          [](const Trial& t) { return IndexKeysOf("trials", t); }) {
  sources_.set_write_hook([this](auto& ctx) { return SourceHook(ctx); });
  organizations_.set_write_hook([this](auto& ctx) { return OrganizationHook(ctx); });
  indications_.set_write_hook([this](auto& ctx) { return IndicationHook(ctx); });
  products_.set_write_hook([this](auto& ctx) { return ProductHook(ctx); });
  trials_.set_write_hook([this](auto& ctx) { return TrialHook(ctx); });
}

const ResourceTableBase* Catalog::TableOf(absl::string_view collection) const {
  if (collection == "sources") return &sources_;
  if (collection == "organizations") return &organizations_;
  if (collection == "indications") return &indications_;
  if (collection == "products") return &products_;
  return &trials_;
}

template <typename T>
absl::StatusOr<bool> Catalog::Load(const ResourceTable<T>& table, absl::string_view name,
                                   const Pending& pending, T* out) const {
  auto it = pending.find(std::string(name));
  if (it != pending.end()) {
    if (it->second == nullptr) return false;
    out->CopyFrom(*it->second);
    return true;
  }
  absl::StatusOr<std::string> id = table.IdOf(name, "name");
  if (!id.ok()) return false;
  return table.FindRaw(*id, out);
}

absl::StatusOr<std::vector<std::string>> Catalog::PostingIds(
    absl::string_view collection, absl::string_view field, absl::string_view value,
    const storage::Snapshot* snapshot) const {
  return regenatlas::PostingIds(*store_, kIndexCf, collection, field, value, snapshot);
}

// ---- Validation -----------------------------------------------------------

absl::Status Catalog::ValidateCitationsExist(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& citations,
    absl::string_view field) const {
  absl::Status s = ValidateCitations(citations, field);
  if (!s.ok()) return s;
  for (int i = 0; i < citations.size(); ++i) {
    Source unused;
    absl::StatusOr<bool> found = Load(sources_, citations[i].source(), {}, &unused);
    if (!found.ok()) return found.status();
    if (!*found) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].source: ", citations[i].source(), " does not exist"));
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::ValidateClaims(
    const google::protobuf::RepeatedPtrField<common::v1::Claim>& claims,
    absl::string_view field) const {
  for (int i = 0; i < claims.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (claims[i].field().empty())
      return absl::InvalidArgumentError(absl::StrCat(f, ".field: required"));
    google::protobuf::RepeatedPtrField<common::v1::SourceCitation> one;
    *one.Add() = claims[i].citation();
    absl::Status s = ValidateCitationsExist(one, absl::StrCat(f, ".citation"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status Catalog::ValidateRefs(const ResourceTable<T>& table,
                                   const google::protobuf::RepeatedPtrField<std::string>& names,
                                   absl::string_view field) const {
  for (int i = 0; i < names.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    absl::StatusOr<std::string> id = table.IdOf(names[i], f);
    if (!id.ok()) return id.status();
    T unused;
    absl::StatusOr<bool> found = table.FindRaw(*id, &unused);
    if (!found.ok()) return found.status();
    if (!*found)
      return absl::InvalidArgumentError(absl::StrCat(f, ": ", names[i], " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status Catalog::ValidateSource(const Source& s) const {
  if (s.title().empty()) return absl::InvalidArgumentError("source.title: required");
  absl::Status st = ValidateEnum(s.kind(), catalog::v1::SourceKind_IsValid, true, "source.kind");
  if (!st.ok()) return st;
  st = ValidatePartialDate(s.publication_date(), "source.publication_date");
  if (!st.ok()) return st;
  return ValidateClaims(s.claims(), "source.claims");
}

absl::Status Catalog::ValidateOrganization(const Organization& o) const {
  if (o.display_name().empty())
    return absl::InvalidArgumentError("organization.display_name: required");
  absl::Status s = ValidateNames(o.names(), "organization.names");
  if (!s.ok()) return s;
  s = ValidateEnum(o.kind(), catalog::v1::OrganizationKind_IsValid, false, "organization.kind");
  if (!s.ok()) return s;
  if (!o.country_code().empty()) {
    s = ValidateJurisdiction(o.country_code(), "organization.country_code");
    if (!s.ok()) return s;
  }
  if (!o.parent().empty()) {
    google::protobuf::RepeatedPtrField<std::string> parent;
    *parent.Add() = o.parent();
    if (o.parent() == o.name()) {
      return absl::InvalidArgumentError(
          "organization.parent: an organization cannot be its own parent");
    }
    s = ValidateRefs(organizations_, parent, "organization.parent");
    if (!s.ok()) return s;
  }
  s = ValidateCitationsExist(o.sources(), "organization.sources");
  if (!s.ok()) return s;
  return ValidateClaims(o.claims(), "organization.claims");
}

absl::Status Catalog::ValidateIndication(const Indication& i) const {
  if (i.display_name().empty())
    return absl::InvalidArgumentError("indication.display_name: required");
  absl::Status s = ValidateNames(i.names(), "indication.names");
  if (!s.ok()) return s;
  s = ValidateEnum(i.therapeutic_area(), catalog::v1::TherapeuticArea_IsValid, true,
                   "indication.therapeutic_area");
  if (!s.ok()) return s;
  if (!i.parent().empty()) {
    if (i.parent() == i.name()) {
      return absl::InvalidArgumentError(
          "indication.parent: an indication cannot be its own parent");
    }
    google::protobuf::RepeatedPtrField<std::string> parent;
    *parent.Add() = i.parent();
    s = ValidateRefs(indications_, parent, "indication.parent");
    if (!s.ok()) return s;
  }
  s = ValidateCitationsExist(i.sources(), "indication.sources");
  if (!s.ok()) return s;
  return ValidateClaims(i.claims(), "indication.claims");
}

absl::Status Catalog::ValidateProduct(const Product& p) const {
  if (p.display_name().empty()) return absl::InvalidArgumentError("product.display_name: required");
  absl::Status s = ValidateNames(p.names(), "product.names");
  if (!s.ok()) return s;
  s = ValidateEnum(p.cell_source(), catalog::v1::CellSource_IsValid, true, "product.cell_source");
  if (!s.ok()) return s;
  s = ValidateEnum(p.cell_type(), catalog::v1::CellType_IsValid, true, "product.cell_type");
  if (!s.ok()) return s;
  s = ValidateEnum(p.donor(), common::v1::Donor_IsValid, false, "product.donor");
  if (!s.ok()) return s;
  if (p.patients_treated() < 0) {
    return absl::InvalidArgumentError("product.patients_treated: must not be negative");
  }
  s = ValidateRefs(indications_, p.indications(), "product.indications");
  if (!s.ok()) return s;
  s = ValidateRefs(organizations_, p.sponsors(), "product.sponsors");
  if (!s.ok()) return s;
  s = ValidateCitationsExist(p.sources(), "product.sources");
  if (!s.ok()) return s;
  return ValidateClaims(p.claims(), "product.claims");
}

absl::Status Catalog::ValidateTrial(const Trial& t) const {
  auto check_id = [](const common::v1::RegistryId& id, const std::string& field) -> absl::Status {
    absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(id.id(), field + ".id");
    if (!parsed.ok()) return parsed.status();
    if (id.registry() != common::v1::REGISTRY_UNSPECIFIED && id.registry() != parsed->registry()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".registry: ", EnumName(common::v1::Registry_descriptor(), id.registry()),
          " does not match the ID ", parsed->id(), " (",
          EnumName(common::v1::Registry_descriptor(), parsed->registry()), ")"));
    }
    return absl::OkStatus();
  };
  if (t.has_primary_id() && !(t.primary_id().id().empty() &&
                              t.primary_id().registry() == common::v1::REGISTRY_UNSPECIFIED)) {
    absl::Status s = check_id(t.primary_id(), "trial.primary_id");
    if (!s.ok()) return s;
  }
  for (int i = 0; i < t.secondary_ids_size(); ++i) {
    absl::Status s = check_id(t.secondary_ids(i), absl::StrCat("trial.secondary_ids[", i, "]"));
    if (!s.ok()) return s;
  }
  // A phase the sources do not print stays unspecified (and ranks nowhere).
  absl::Status s =
      ValidateEnum(t.phase(), common::v1::DevelopmentStage_IsValid, false, "trial.phase");
  if (!s.ok()) return s;
  s = ValidateEnum(t.status(), catalog::v1::TrialStatus_IsValid, false, "trial.status");
  if (!s.ok()) return s;
  for (int i = 0; i < t.countries_size(); ++i) {
    std::string f = absl::StrCat("trial.countries[", i, "]");
    if (t.countries(i).size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ": \"", t.countries(i), "\" is not an ISO 3166-1 alpha-2 code"));
    }
    s = ValidateJurisdiction(t.countries(i), f);
    if (!s.ok()) return s;
  }
  s = ValidatePartialDate(t.start_date(), "trial.start_date");
  if (!s.ok()) return s;
  s = ValidatePartialDate(t.completion_date(), "trial.completion_date");
  if (!s.ok()) return s;
  if (t.enrollment() < 0)
    return absl::InvalidArgumentError("trial.enrollment: must not be negative");
  if (!t.sponsor().empty()) {
    google::protobuf::RepeatedPtrField<std::string> sponsor;
    *sponsor.Add() = t.sponsor();
    s = ValidateRefs(organizations_, sponsor, "trial.sponsor");
    if (!s.ok()) return s;
  }
  s = ValidateRefs(organizations_, t.collaborators(), "trial.collaborators");
  if (!s.ok()) return s;
  s = ValidateRefs(products_, t.products(), "trial.products");
  if (!s.ok()) return s;
  s = ValidateRefs(indications_, t.indications(), "trial.indications");
  if (!s.ok()) return s;
  s = ValidateCitationsExist(t.sources(), "trial.sources");
  if (!s.ok()) return s;
  return ValidateClaims(t.claims(), "trial.claims");
}

// ---- Write hooks ------------------------------------------------------------

absl::Status Catalog::RefuseIfReferenced(
    absl::string_view name, const std::vector<std::pair<std::string, std::string>>& uses) const {
  for (const auto& [collection, field] : uses) {
    absl::StatusOr<std::vector<std::string>> ids = PostingIds(collection, field, name, nullptr);
    if (!ids.ok()) return ids.status();
    if (!ids->empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          name, " is still referenced by ", collection, "/", ids->front(), " (", field,
          ids->size() > 1 ? absl::StrCat(", and ", ids->size() - 1, " more") : "", ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::StageIssues(absl::string_view record, const std::vector<DataIssue>& issues,
                                  storage::WriteBatch& batch) const {
  std::string prefix = Key().String(kIssueKey).String(record).Release();
  absl::Status s = store_->Scan(kIndexCf, ScanRange::Prefix(prefix), nullptr,
                                [&](absl::string_view key, absl::string_view) {
                                  batch.Delete(kIndexCf, std::string(key));
                                  return true;
                                });
  if (!s.ok()) return s;
  for (size_t i = 0; i < issues.size(); ++i) {
    batch.Put(kIndexCf, Key().String(kIssueKey).String(record).Uint64(i).Release(),
              issues[i].SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status Catalog::SourceHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = sources_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    return RefuseIfReferenced(name, {{"products", "source"},
                                     {"trials", "source"},
                                     {"organizations", "source"},
                                     {"indications", "source"}});
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Source&>(*ctx.new_record), issues);
  return StageIssues(name, issues, *ctx.batch);
}

absl::Status Catalog::OrganizationHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = organizations_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    absl::Status s = RefuseIfReferenced(name, {{"products", "sponsor"},
                                               {"trials", "sponsor"},
                                               {"trials", "collaborator"},
                                               {"organizations", "parent"}});
    if (!s.ok()) return s;
    return StageIssues(name, {}, *ctx.batch);
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Organization&>(*ctx.new_record), issues);
  absl::Status s = StageIssues(name, issues, *ctx.batch);
  if (!s.ok()) return s;
  // Sponsors' names are searchable text of their products.
  absl::StatusOr<std::vector<std::string>> sponsored =
      PostingIds("products", "sponsor", name, nullptr);
  if (!sponsored.ok()) return sponsored.status();
  Pending pending = {{name, ctx.new_record}};
  for (const std::string& pid : *sponsored) {
    Product p;
    absl::StatusOr<bool> found = products_.FindRaw(pid, &p);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    s = StageSearch(pid, &p, pending, *ctx.batch);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Catalog::IndicationHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = indications_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    absl::Status s = RefuseIfReferenced(
        name, {{"products", "indication"}, {"trials", "indication"}, {"indications", "parent"}});
    if (!s.ok()) return s;
    return StageIssues(name, {}, *ctx.batch);
  }
  std::vector<DataIssue> issues;
  ClaimIssues(static_cast<const Indication&>(*ctx.new_record), issues);
  absl::Status s = StageIssues(name, issues, *ctx.batch);
  if (!s.ok()) return s;
  // Therapeutic areas and indication names are derived into products.
  absl::StatusOr<std::vector<std::string>> users =
      PostingIds("products", "indication", name, nullptr);
  if (!users.ok()) return users.status();
  return RestageProducts(*users, {{name, ctx.new_record}}, *ctx.batch);
}

absl::Status Catalog::ProductHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = products_.NameOf(ctx.id);
  if (ctx.new_record == nullptr) {
    absl::Status s = RefuseIfReferenced(name, {{"trials", "product"}});
    if (!s.ok()) return s;
    s = StageSearch(ctx.id, nullptr, {}, *ctx.batch);
    if (!s.ok()) return s;
    return StageIssues(name, {}, *ctx.batch);
  }
  auto* product = static_cast<Product*>(ctx.new_record);
  // regulatory_stages are maintained by the regulatory timeline, not by
  // catalog writers: keep what is stored.
  product->clear_regulatory_stages();
  if (ctx.old_record != nullptr) {
    *product->mutable_regulatory_stages() =
        static_cast<const Product*>(ctx.old_record)->regulatory_stages();
  }
  absl::Status s = DeriveProduct(ctx.id, product, {{name, product}});
  if (!s.ok()) return s;
  s = StageSearch(ctx.id, product, {{name, product}}, *ctx.batch);
  if (!s.ok()) return s;
  std::vector<DataIssue> issues;
  ClaimIssues(*product, issues);
  return StageIssues(name, issues, *ctx.batch);
}

absl::Status Catalog::TrialHook(ResourceTableBase::WriteContext& ctx) {
  const std::string name = trials_.NameOf(ctx.id);
  const auto* old_trial = static_cast<const Trial*>(ctx.old_record);
  auto* trial = static_cast<Trial*>(ctx.new_record);
  std::set<std::string> old_ids, new_ids;
  if (old_trial != nullptr) {
    for (const auto& id : AllIds(*old_trial)) old_ids.insert(id.id());
  }
  if (trial != nullptr) {
    // Store canonical spellings only, so that lookups by any spelling work.
    auto canonicalize = [](common::v1::RegistryId* id) {
      absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(id->id());
      if (parsed.ok()) *id = *parsed;
    };
    if (!trial->primary_id().id().empty()) canonicalize(trial->mutable_primary_id());
    for (auto& id : *trial->mutable_secondary_ids()) canonicalize(&id);
    std::set<std::string> seen;
    for (const auto& id : AllIds(*trial)) {
      if (!seen.insert(id.id()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("trial.secondary_ids: ", id.id(), " is listed twice"));
      }
      new_ids.insert(id.id());
      absl::StatusOr<std::optional<std::string>> owner =
          store_->Get(kIndexCf, Key().String(kRegistryKey).String(id.id()).Release());
      if (!owner.ok()) return owner.status();
      if (owner->has_value() && **owner != ctx.id) {
        return absl::AlreadyExistsError(
            absl::StrCat("trial: registry ID ", id.id(), " already belongs to trials/", **owner));
      }
    }
  } else {
    // Nothing references trials from inside the catalog except products'
    // derived fields, which are restaged below.
  }
  for (const std::string& id : old_ids) {
    if (!new_ids.count(id))
      ctx.batch->Delete(kIndexCf, Key().String(kRegistryKey).String(id).Release());
  }
  for (const std::string& id : new_ids) {
    ctx.batch->Put(kIndexCf, Key().String(kRegistryKey).String(id).Release(), std::string(ctx.id));
  }

  std::vector<DataIssue> issues;
  if (trial != nullptr) {
    for (const std::string& text : trial->malformed_ids()) {
      DataIssue issue;
      issue.set_kind(catalog::v1::DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID);
      issue.set_record(name);
      issue.set_field("malformed_ids");
      absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(text);
      issue.set_description(parsed.ok() ? absl::StrCat("\"", text, "\" was printed for this trial")
                                        : std::string(parsed.status().message()));
      issue.add_values(text);
      for (const auto& c : trial->sources()) *issue.add_citations() = c;
      issues.push_back(std::move(issue));
    }
    if (trial->products_size() > 1) {
      DataIssue issue;
      issue.set_kind(catalog::v1::DATA_ISSUE_KIND_TRIAL_ID_SHARED_BY_PRODUCTS);
      issue.set_record(name);
      issue.set_field("products");
      std::string id = trial->primary_id().id().empty() ? name : trial->primary_id().id();
      issue.set_description(
          absl::StrCat(id, " is attached to ", trial->products_size(),
                       " different products: ", absl::StrJoin(trial->products(), ", ")));
      for (const auto& p : trial->products()) {
        issue.add_values(p);
        issue.add_related_records(p);
      }
      for (const auto& c : trial->claims()) {
        if (c.field() == "products") *issue.add_citations() = c.citation();
      }
      if (issue.citations().empty()) {
        for (const auto& c : trial->sources()) *issue.add_citations() = c;
      }
      issues.push_back(std::move(issue));
    }
    ClaimIssues(*trial, issues);
  }
  absl::Status s = StageIssues(name, issues, *ctx.batch);
  if (!s.ok()) return s;

  std::set<std::string> affected;
  if (old_trial != nullptr) {
    for (const auto& p : old_trial->products()) affected.insert(p);
  }
  if (trial != nullptr) {
    for (const auto& p : trial->products()) affected.insert(p);
  }
  std::vector<std::string> product_ids;
  for (const std::string& p : affected) product_ids.push_back(p.substr(strlen("products/")));
  return RestageProducts(product_ids, {{name, trial}}, *ctx.batch);
}

// ---- Derived product fields -------------------------------------------------

absl::Status Catalog::DeriveProduct(absl::string_view id, Product* product,
                                    const Pending& pending) const {
  const std::string name = products_.NameOf(id);
  product->set_cell_category(CategoryOf(product->cell_source()));

  std::set<int> areas;
  for (const std::string& ind : product->indications()) {
    Indication indication;
    absl::StatusOr<bool> found = Load(indications_, ind, pending, &indication);
    if (!found.ok()) return found.status();
    if (*found) areas.insert(indication.therapeutic_area());
  }
  product->clear_therapeutic_areas();
  for (int a : areas) product->add_therapeutic_areas(static_cast<catalog::v1::TherapeuticArea>(a));

  // Trials as of the pending writes: committed postings plus pending changes.
  absl::StatusOr<std::vector<std::string>> committed =
      PostingIds("trials", "product", name, nullptr);
  if (!committed.ok()) return committed.status();
  std::set<std::string> trial_names;
  for (const std::string& t : *committed) trial_names.insert(trials_.NameOf(t));
  for (const auto& [pending_name, record] : pending) {
    if (!absl::StartsWith(pending_name, "trials/")) continue;
    trial_names.erase(pending_name);
    if (record == nullptr) continue;
    const auto& trial = static_cast<const Trial&>(*record);
    if (std::find(trial.products().begin(), trial.products().end(), name) !=
        trial.products().end()) {
      trial_names.insert(pending_name);
    }
  }

  std::map<std::string, int> by_country;  // country → best rank
  int best = 0;
  DevelopmentStage best_stage = common::v1::DEVELOPMENT_STAGE_UNSPECIFIED;
  auto consider = [&](DevelopmentStage stage, const std::string& country) {
    const int rank = StageRank(stage);
    if (best_stage == common::v1::DEVELOPMENT_STAGE_UNSPECIFIED || rank > best) {
      best = rank;
      best_stage = stage;
    }
    if (!country.empty()) {
      auto it = by_country.find(country);
      if (it == by_country.end() || rank > StageRank(static_cast<DevelopmentStage>(it->second))) {
        by_country[country] = stage;
      }
    }
  };
  product->clear_trials();
  product->clear_first_trial_start();
  std::set<std::string> countries;
  for (const std::string& tn : trial_names) {
    Trial trial;
    absl::StatusOr<bool> found = Load(trials_, tn, pending, &trial);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    product->add_trials(tn);
    if (trial.countries().empty()) consider(trial.phase(), "");
    for (const std::string& c : trial.countries()) {
      consider(trial.phase(), c);
      countries.insert(c);
    }
    if (IsSet(trial.start_date()) &&
        (!IsSet(product->first_trial_start()) ||
         ComparePartialDates(trial.start_date(), product->first_trial_start()) < 0)) {
      *product->mutable_first_trial_start() = trial.start_date();
    }
  }
  for (const auto& rs : product->regulatory_stages()) {
    const std::string country = rs.country_code().size() == 2 ? rs.country_code() : "";
    consider(rs.stage(), country);
    if (!country.empty()) countries.insert(country);
  }
  product->set_highest_stage(best_stage);
  product->clear_stage_by_country();
  for (const auto& [country, stage] : by_country) {
    auto* cs = product->add_stage_by_country();
    cs->set_country_code(country);
    cs->set_stage(static_cast<DevelopmentStage>(stage));
  }
  product->clear_countries();
  for (const std::string& c : countries) product->add_countries(c);
  return absl::OkStatus();
}

absl::Status Catalog::RestageProducts(const std::vector<std::string>& product_ids,
                                      const Pending& pending, storage::WriteBatch& batch) const {
  for (const std::string& pid : product_ids) {
    Product current;
    absl::StatusOr<bool> found = products_.FindRaw(pid, &current);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    Product updated = current;
    absl::Status s = DeriveProduct(pid, &updated, pending);
    if (!s.ok()) return s;
    s = StageSearch(pid, &updated, pending, batch);
    if (!s.ok()) return s;
    updated.clear_etag();
    Product compare = current;
    compare.clear_etag();
    if (google::protobuf::util::MessageDifferencer::Equals(updated, compare)) continue;
    *updated.mutable_update_time() = ToProtoTime(products_.options().clock());
    StampEtag(&updated);
    std::vector<std::string> changed;
    for (const char* f : {"therapeutic_areas", "trials", "highest_stage", "stage_by_country",
                          "countries", "first_trial_start"}) {
      changed.push_back(f);
    }
    products_.StageWrite(batch, pid, &current, &updated, common::v1::CHANGE_KIND_UPDATED, "derived",
                         changed);
  }
  return absl::OkStatus();
}

// ---- Search index -------------------------------------------------------------

namespace {

// One searchable text of a product: "category\tnormalised\toriginal".
struct SearchLine {
  std::string category;
  std::string normalized;
  std::string original;
};

std::vector<SearchLine> ParseSearchDoc(absl::string_view doc) {
  std::vector<SearchLine> lines;
  for (absl::string_view line : absl::StrSplit(doc, '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    if (parts.size() == 3) lines.push_back({parts[0], parts[1], parts[2]});
  }
  return lines;
}

}  // namespace

absl::Status Catalog::StageSearch(absl::string_view id, const Product* product,
                                  const Pending& pending, storage::WriteBatch& batch) const {
  const std::string doc_key = Key().String(kSearchDocKey).String(id).Release();
  absl::StatusOr<std::optional<std::string>> old_doc = store_->Get(kIndexCf, doc_key);
  if (!old_doc.ok()) return old_doc.status();
  std::set<std::string> old_grams, new_grams;
  if (old_doc->has_value()) {
    for (const SearchLine& l : ParseSearchDoc(**old_doc)) {
      for (std::string& g : SearchGrams(l.normalized)) old_grams.insert(std::move(g));
    }
  }
  std::string doc;
  if (product != nullptr) {
    std::vector<std::pair<std::string, std::string>> texts;  // category, original
    texts.emplace_back("name", product->display_name());
    for (const auto& n : product->names()) texts.emplace_back("name", n.text());
    for (const std::string& s : product->sponsors()) {
      Organization org;
      absl::StatusOr<bool> found = Load(organizations_, s, pending, &org);
      if (!found.ok()) return found.status();
      if (!*found) continue;
      texts.emplace_back("sponsor", org.display_name());
      for (const auto& n : org.names()) texts.emplace_back("sponsor", n.text());
    }
    for (const std::string& i : product->indications()) {
      Indication ind;
      absl::StatusOr<bool> found = Load(indications_, i, pending, &ind);
      if (!found.ok()) return found.status();
      if (!*found) continue;
      texts.emplace_back("indication", ind.display_name());
      for (const auto& n : ind.names()) texts.emplace_back("indication", n.text());
    }
    for (const std::string& l : CellTypeLabels(product->cell_type())) texts.emplace_back("cell", l);
    for (const std::string& l : CellSourceLabels(product->cell_source()))
      texts.emplace_back("cell", l);
    std::set<std::string> seen;
    for (const auto& [category, original] : texts) {
      std::string normalized = NormalizeForSearch(original);
      if (normalized.empty()) continue;
      std::string clean = absl::StrReplaceAll(original, {{"\n", " "}, {"\t", " "}});
      std::string line = absl::StrCat(category, "\t", normalized, "\t", clean);
      if (!seen.insert(absl::StrCat(category, "\t", normalized)).second) continue;
      absl::StrAppend(&doc, line, "\n");
      for (std::string& g : SearchGrams(normalized)) new_grams.insert(std::move(g));
    }
  }
  for (const std::string& g : old_grams) {
    if (!new_grams.count(g))
      batch.Delete(kIndexCf, Key().String(kSearchKey).String(g).String(id).Release());
  }
  for (const std::string& g : new_grams) {
    if (!old_grams.count(g))
      batch.Put(kIndexCf, Key().String(kSearchKey).String(g).String(id).Release(), "");
  }
  if (product != nullptr) {
    batch.Put(kIndexCf, doc_key, doc);
  } else {
    batch.Delete(kIndexCf, doc_key);
  }
  return absl::OkStatus();
}

absl::StatusOr<catalog::v1::SearchProductsResponse> Catalog::SearchProducts(
    const catalog::v1::SearchProductsRequest& request) const {
  std::vector<std::string> tokens;
  for (absl::string_view word :
       absl::StrSplit(request.query(), absl::ByAnyChar(" \t\n\u3000"), absl::SkipEmpty())) {
    std::string n = NormalizeForSearch(word);
    if (!n.empty()) tokens.push_back(std::move(n));
  }
  if (tokens.empty() && request.filter().empty()) {
    return absl::InvalidArgumentError("query: required unless filter is set");
  }
  if (request.query().size() > 1024)
    return absl::InvalidArgumentError("query: longer than 1024 bytes");
  absl::StatusOr<int> limit = NormalizePageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(request.filter());
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), ProductSchema());
  if (!s.ok()) return s;
  static const std::vector<std::string> kAllFacets = {
      "stage", "country", "cell_source", "cell_type", "therapeutic_area", "sponsor"};
  std::vector<std::string> facets(request.facets().begin(), request.facets().end());
  if (facets.empty()) facets = kAllFacets;
  for (size_t i = 0; i < facets.size(); ++i) {
    if (std::find(kAllFacets.begin(), kAllFacets.end(), facets[i]) == kAllFacets.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("facets[", i, "]: unknown facet \"", facets[i],
                       "\"; allowed: ", absl::StrJoin(kAllFacets, ", ")));
    }
  }

  IndexReadLock lock(*store_, IndexesFor("products"));
  const storage::Snapshot* snapshot = lock.snapshot();
  std::optional<std::vector<std::string>> candidates;
  if (node->get() != nullptr) {
    CatalogPostings postings(this, "products", snapshot);
    absl::StatusOr<Bitmap> ids = EvaluateFilter(node->get(), ProductSchema(), postings);
    if (!ids.ok()) return ids.status();
    std::vector<std::string> names;
    for (uint32_t d : *ids) names.push_back(postings.index().IdOf(d));
    candidates = SortedUnique(std::move(names));
  }
  lock.Release();
  for (const std::string& token : tokens) {
    for (const std::string& gram : QueryGrams(token)) {
      std::vector<std::string> ids;
      std::string prefix = Key().String(kSearchKey).String(gram).Release();
      s = store_->Scan(kIndexCf, ScanRange::Prefix(prefix), snapshot,
                       [&](absl::string_view key, absl::string_view) {
                         KeyReader r(key.substr(prefix.size()));
                         absl::StatusOr<std::string> id = r.String();
                         if (id.ok()) ids.push_back(*std::move(id));
                         return true;
                       });
      if (!s.ok()) return s;
      ids = SortedUnique(std::move(ids));
      if (!candidates.has_value()) {
        candidates = std::move(ids);
      } else {
        std::vector<std::string> both;
        std::set_intersection(candidates->begin(), candidates->end(), ids.begin(), ids.end(),
                              std::back_inserter(both));
        candidates = std::move(both);
      }
    }
  }

  struct Hit {
    Product product;
    double score = 0;
    std::vector<std::string> matched;
    std::string position;
  };
  std::vector<Hit> hits;
  for (const std::string& id : *candidates) {
    Hit hit;
    if (!tokens.empty()) {
      absl::StatusOr<std::optional<std::string>> doc =
          store_->Get(kIndexCf, Key().String(kSearchDocKey).String(id).Release(), snapshot);
      if (!doc.ok()) return doc.status();
      if (!doc->has_value()) continue;
      std::vector<SearchLine> lines = ParseSearchDoc(**doc);
      bool all = true;
      for (const std::string& token : tokens) {
        double best = 0;
        const SearchLine* best_line = nullptr;
        for (const SearchLine& l : lines) {
          if (l.normalized.find(token) == std::string::npos) continue;
          double score = l.category == "name"         ? (l.normalized == token                   ? 100
                                                         : absl::StartsWith(l.normalized, token) ? 60
                                                                                                 : 40)
                         : l.category == "cell"       ? 15
                         : l.category == "indication" ? 12
                                                      : 10;
          if (score > best) {
            best = score;
            best_line = &l;
          }
        }
        if (best_line == nullptr) {
          all = false;
          break;
        }
        hit.score += best;
        hit.matched.push_back(absl::StrCat(best_line->category, ": ", best_line->original));
      }
      if (!all) continue;
    }
    absl::StatusOr<bool> found = products_.FindRaw(id, &hit.product, snapshot);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    hit.position = Key()
                       .Int64(-static_cast<int64_t>(hit.score * 1000))
                       .String(absl::AsciiStrToLower(hit.product.display_name()))
                       .String(id)
                       .Release();
    hits.push_back(std::move(hit));
  }
  std::sort(hits.begin(), hits.end(),
            [](const Hit& a, const Hit& b) { return a.position < b.position; });

  catalog::v1::SearchProductsResponse response;
  response.set_total_size(static_cast<int>(hits.size()));
  // Facets over every hit, not just the page.
  for (const std::string& facet : facets) {
    std::map<std::string, int> counts;
    for (const Hit& h : hits) {
      const Product& p = h.product;
      std::set<std::string> values;
      if (facet == "stage") {
        values.insert(
            ShortEnumName(EnumName(StageEnum(), p.highest_stage()), "DEVELOPMENT_STAGE_"));
      } else if (facet == "country") {
        values.insert(p.countries().begin(), p.countries().end());
      } else if (facet == "cell_source") {
        values.insert(ShortEnumName(EnumName(catalog::v1::CellSource_descriptor(), p.cell_source()),
                                    "CELL_SOURCE_"));
      } else if (facet == "cell_type") {
        values.insert(ShortEnumName(EnumName(catalog::v1::CellType_descriptor(), p.cell_type()),
                                    "CELL_TYPE_"));
      } else if (facet == "therapeutic_area") {
        for (int a : p.therapeutic_areas()) {
          values.insert(ShortEnumName(EnumName(catalog::v1::TherapeuticArea_descriptor(), a),
                                      "THERAPEUTIC_AREA_"));
        }
      } else if (facet == "sponsor") {
        values.insert(p.sponsors().begin(), p.sponsors().end());
      }
      for (const std::string& v : values) ++counts[v];
    }
    std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    catalog::v1::Facet* f = response.add_facets();
    f->set_field(facet);
    for (const auto& [value, count] : sorted) {
      catalog::v1::FacetValue* fv = f->add_values();
      fv->set_value(value);
      fv->set_count(count);
    }
  }
  const std::string query =
      absl::StrCat("search|", absl::StrJoin(tokens, " "), "|", filter::Canonical(node->get()));
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(request.page_token(), query);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  auto it =
      after.empty()
          ? hits.begin()
          : std::upper_bound(hits.begin(), hits.end(), after,
                             [](const std::string& pos, const Hit& h) { return pos < h.position; });
  for (int n = 0; it != hits.end() && n < *limit; ++it, ++n) {
    catalog::v1::SearchResult* r = response.add_results();
    *r->mutable_product() = it->product;
    r->set_score(it->score);
    for (const std::string& m : it->matched) r->add_matched(m);
  }
  if (it != hits.end() && response.results_size() > 0) {
    response.set_next_page_token(EncodePageToken(query, std::prev(it)->position));
  }
  return response;
}

// ---- Lists, lookups ---------------------------------------------------------------

template <typename T>
absl::StatusOr<ListResult<T>> Catalog::List(const ResourceTable<T>& table, const ListSpec& spec,
                                            const ListQuery& q) const {
  IndexReadLock lock(*store_, IndexesFor(spec.collection));
  CatalogPostings postings(this, spec.collection, lock.snapshot());
  return RunList(table, spec, postings, lock, q);
}

absl::StatusOr<ListResult<Source>> Catalog::ListSources(const ListQuery& q) const {
  return List(sources_, SourcesSpec(), q);
}
absl::StatusOr<ListResult<Organization>> Catalog::ListOrganizations(const ListQuery& q) const {
  return List(organizations_, OrganizationsSpec(), q);
}
absl::StatusOr<ListResult<Indication>> Catalog::ListIndications(const ListQuery& q) const {
  return List(indications_, IndicationsSpec(), q);
}
absl::StatusOr<ListResult<Product>> Catalog::ListProducts(const ListQuery& q) const {
  return List(products_, ProductsSpec(), q);
}
absl::StatusOr<ListResult<Trial>> Catalog::ListTrials(const ListQuery& q) const {
  return List(trials_, TrialsSpec(), q);
}

template <typename T>
absl::StatusOr<std::vector<T>> Catalog::BatchGet(
    const ResourceTable<T>& table,
    const google::protobuf::RepeatedPtrField<std::string>& names) const {
  if (names.size() > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("names: at most ", kMaxPageSize, " per call"));
  }
  std::shared_ptr<const storage::Snapshot> snapshot = store_->NewSnapshot();
  std::vector<T> out;
  for (int i = 0; i < names.size(); ++i) {
    absl::StatusOr<std::string> id = table.IdOf(names[i], absl::StrCat("names[", i, "]"));
    if (!id.ok()) return id.status();
    T record;
    absl::StatusOr<bool> found = table.FindRaw(*id, &record, snapshot.get());
    if (!found.ok()) return found.status();
    if (!*found)
      return absl::NotFoundError(absl::StrCat("names[", i, "]: ", names[i], " not found"));
    out.push_back(std::move(record));
  }
  return out;
}

template absl::StatusOr<std::vector<Source>> Catalog::BatchGet(
    const ResourceTable<Source>&, const google::protobuf::RepeatedPtrField<std::string>&) const;
template absl::StatusOr<std::vector<Organization>> Catalog::BatchGet(
    const ResourceTable<Organization>&,
    const google::protobuf::RepeatedPtrField<std::string>&) const;
template absl::StatusOr<std::vector<Indication>> Catalog::BatchGet(
    const ResourceTable<Indication>&, const google::protobuf::RepeatedPtrField<std::string>&) const;
template absl::StatusOr<std::vector<Product>> Catalog::BatchGet(
    const ResourceTable<Product>&, const google::protobuf::RepeatedPtrField<std::string>&) const;
template absl::StatusOr<std::vector<Trial>> Catalog::BatchGet(
    const ResourceTable<Trial>&, const google::protobuf::RepeatedPtrField<std::string>&) const;

absl::StatusOr<Trial> Catalog::CreateTrial(absl::string_view trial_id, Trial trial,
                                           absl::string_view origin) {
  std::string id(trial_id);
  if (id.empty()) {
    if (trial.primary_id().id().empty()) {
      return absl::InvalidArgumentError("trial_id: required when the trial has no primary_id");
    }
    absl::StatusOr<common::v1::RegistryId> parsed =
        ParseRegistryId(trial.primary_id().id(), "trial.primary_id.id");
    if (!parsed.ok()) return parsed.status();
    id = TrialIdFor(*parsed);
  }
  return trials_.Create(id, std::move(trial), origin);
}

absl::StatusOr<Trial> Catalog::GetTrial(absl::string_view name_or_id) const {
  if (absl::StartsWith(name_or_id, "trials/")) return trials_.Get(name_or_id);
  absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(name_or_id, "name");
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("name: \"", name_or_id,
                                                   "\" is neither trials/{id} nor a registry ID (",
                                                   parsed.status().message(), ")"));
  }
  absl::StatusOr<std::optional<std::string>> owner =
      store_->Get(kIndexCf, Key().String(kRegistryKey).String(parsed->id()).Release());
  if (!owner.ok()) return owner.status();
  if (!owner->has_value()) {
    return absl::NotFoundError(absl::StrCat("no trial has registry ID ", parsed->id()));
  }
  return trials_.Get(trials_.NameOf(**owner));
}

absl::StatusOr<catalog::v1::ResolveRegistryIdResponse> Catalog::ResolveRegistryId(
    absl::string_view text) const {
  absl::StatusOr<common::v1::RegistryId> parsed = ParseRegistryId(text, "registry_id");
  if (!parsed.ok()) return parsed.status();
  catalog::v1::ResolveRegistryIdResponse response;
  *response.mutable_registry_id() = *parsed;
  response.set_registry_name(std::string(RegistryName(parsed->registry())));
  absl::StatusOr<std::optional<std::string>> owner =
      store_->Get(kIndexCf, Key().String(kRegistryKey).String(parsed->id()).Release());
  if (!owner.ok()) return owner.status();
  if (owner->has_value()) response.set_trial(trials_.NameOf(**owner));
  return response;
}

absl::StatusOr<std::string> Catalog::DatasetDigest() const {
  absl::StatusOr<std::optional<std::string>> v =
      store_->Get(ColumnFamily::kCatalog, Key().String("~dataset").Release());
  if (!v.ok()) return v.status();
  return v->value_or("");
}

absl::Status Catalog::SetDatasetDigest(absl::string_view digest) {
  storage::WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, Key().String("~dataset").Release(), std::string(digest));
  batch.set_sync(true);
  return store_->Write(std::move(batch)).status();
}

// ---- Counts ------------------------------------------------------------------

absl::StatusOr<catalog::v1::CountResponse> Catalog::Count(
    const ListSpec& collection, absl::string_view filter_text,
    const google::protobuf::RepeatedPtrField<std::string>& group_by,
    const std::map<std::string, std::string>& dimensions, absl::string_view field) const {
  if (group_by.empty() || group_by.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": one or two dimensions are required"));
  }
  for (int i = 0; i < group_by.size(); ++i) {
    if (!dimensions.count(group_by[i])) {
      std::vector<std::string> names;
      for (const auto& [name, posting] : dimensions) names.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: unknown dimension \"",
                                                     Excerpt(group_by[i]),
                                                     "\"; allowed: ", absl::StrJoin(names, ", ")));
    }
  }
  if (group_by.size() == 2 && group_by[0] == group_by[1]) {
    return absl::InvalidArgumentError(absl::StrCat(field, "[1]: the same dimension twice"));
  }
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(filter_text);
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), *collection.schema);
  if (!s.ok()) return s;
  // Counts come from bitmap cardinalities under the index lock: no record
  // and no posting key is read.
  IndexReadLock lock(*store_, IndexesFor(collection.collection));
  CatalogPostings postings(this, collection.collection, lock.snapshot());
  if (!postings.index().status().ok()) return postings.index().status();
  absl::StatusOr<Bitmap> matching = EvaluateFilter(node->get(), *collection.schema, postings);
  if (!matching.ok()) return matching.status();
  auto shorten = [](const std::string& v) {
    for (const char* prefix : {"DEVELOPMENT_STAGE_", "CELL_SOURCE_", "CELL_CATEGORY_", "CELL_TYPE_",
                               "THERAPEUTIC_AREA_", "TRIAL_STATUS_", "DONOR_", "REGISTRY_"}) {
      if (absl::StartsWith(v, prefix)) return v.substr(strlen(prefix));
    }
    return v;
  };
  std::map<std::vector<std::string>, int> counts;
  const bool country_stage = group_by.size() == 2 &&
                             std::set<std::string>{group_by[0], group_by[1]} ==
                                 std::set<std::string>{"country", "stage"} &&
                             collection.collection == "products";
  if (country_stage) {
    // Each product's stage in each country, not its overall stage.
    const bool country_first = group_by[0] == "country";
    for (const auto& [keys, n] : CountGroups(postings.index(), *matching, {"country_stage"})) {
      std::vector<std::string> parts = absl::StrSplit(keys[0], absl::MaxSplits('|', 1));
      if (parts.size() != 2) continue;
      parts[1] = shorten(parts[1]);
      if (!country_first) std::swap(parts[0], parts[1]);
      counts[parts] += n;
    }
  } else {
    std::vector<std::string> fields;
    for (const std::string& dim : group_by) fields.push_back(dimensions.at(dim));
    for (const auto& [keys, n] : CountGroups(postings.index(), *matching, fields)) {
      std::vector<std::string> shortened;
      for (const std::string& k : keys) shortened.push_back(shorten(k));
      counts[shortened] += n;
    }
  }
  const uint64_t total = matching->cardinality();
  lock.Release();
  catalog::v1::CountResponse response;
  response.set_total(static_cast<int>(total));
  for (const auto& [keys, n] : counts) {
    catalog::v1::CountRow* row = response.add_rows();
    for (const std::string& k : keys) row->add_keys(k);
    row->set_count(n);
  }
  return response;
}

absl::StatusOr<catalog::v1::CountResponse> Catalog::CountProducts(
    absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view field) const {
  static const auto* dims = new std::map<std::string, std::string>{
      {"stage", "stage_name"},        {"country", "country"},
      {"cell_source", "cell_source"}, {"cell_category", "cell_category"},
      {"cell_type", "cell_type"},     {"therapeutic_area", "therapeutic_area"},
      {"indication", "indication"},   {"sponsor", "sponsor"},
      {"start_year", "start_year"},   {"donor", "donor"}};
  return Count(ProductsSpec(), filter, group_by, *dims, field);
}

absl::StatusOr<catalog::v1::CountResponse> Catalog::CountTrials(
    absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view field) const {
  static const auto* dims = new std::map<std::string, std::string>{
      {"phase", "phase_name"},      {"country", "country"},       {"status", "status"},
      {"sponsor", "sponsor"},       {"indication", "indication"}, {"product", "product"},
      {"start_year", "start_year"}, {"registry", "registry"}};
  return Count(TrialsSpec(), filter, group_by, *dims, field);
}

absl::StatusOr<Product> Catalog::SetRegulatoryStages(
    absl::string_view product,
    const google::protobuf::RepeatedPtrField<catalog::v1::CountryStage>& stages,
    absl::string_view origin) {
  absl::StatusOr<std::string> id = products_.IdOf(product, "product");
  if (!id.ok()) return id.status();
  for (int i = 0; i < stages.size(); ++i) {
    const std::string f = absl::StrCat("stages[", i, "]");
    absl::Status s = ValidateJurisdiction(stages[i].country_code(), f + ".country_code");
    if (!s.ok()) return s;
    const DevelopmentStage st = stages[i].stage();
    if (st != common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION &&
        st != common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL &&
        st != common::v1::DEVELOPMENT_STAGE_APPROVED &&
        st != common::v1::DEVELOPMENT_STAGE_WITHDRAWN) {
      return absl::InvalidArgumentError(absl::StrCat(
          f, ".stage: must be MARKETING_APPLICATION, CONDITIONAL_APPROVAL, APPROVED or WITHDRAWN"));
    }
  }
  absl::MutexLock lock(&write_mu_);
  Product current;
  absl::StatusOr<bool> found = products_.FindRaw(*id, &current);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError(absl::StrCat(product, " not found"));
  Product updated = current;
  *updated.mutable_regulatory_stages() = stages;
  absl::Status s = DeriveProduct(*id, &updated, {});
  if (!s.ok()) return s;
  updated.clear_etag();
  Product compare = current;
  compare.clear_etag();
  if (google::protobuf::util::MessageDifferencer::Equals(updated, compare)) return current;
  *updated.mutable_update_time() = ToProtoTime(products_.options().clock());
  StampEtag(&updated);
  storage::WriteBatch batch;
  products_.StageWrite(batch, *id, &current, &updated, common::v1::CHANGE_KIND_UPDATED, origin,
                       {"regulatory_stages", "highest_stage", "stage_by_country", "countries"});
  s = store_->Write(std::move(batch)).status();
  if (!s.ok()) return s;
  return updated;
}

// ---- Data quality ---------------------------------------------------------------

namespace {

// In-memory postings over a small list of findings, so that ListDataIssues
// shares the filter language with the List methods.
class IssuePostings : public filter::Postings {
 public:
  explicit IssuePostings(const std::vector<DataIssue>& issues) : issues_(issues) {}
  absl::StatusOr<std::vector<std::string>> Match(const std::string& field, const filter::FieldSpec&,
                                                 filter::Op op, const std::string& value) override {
    std::vector<std::string> out;
    for (size_t i = 0; i < issues_.size(); ++i) {
      const DataIssue& d = issues_[i];
      std::string v = field == "kind" ? EnumName(catalog::v1::DataIssueKind_descriptor(), d.kind())
                      : field == "record" ? d.record()
                                          : d.field();
      if ((op == filter::Op::kHas && value == "*") || v == value) out.push_back(Id(i));
    }
    return out;
  }
  absl::StatusOr<std::vector<std::string>> All() override {
    std::vector<std::string> out;
    for (size_t i = 0; i < issues_.size(); ++i) out.push_back(Id(i));
    return out;
  }
  static std::string Id(size_t i) { return absl::StrFormat("%08d", i); }

 private:
  const std::vector<DataIssue>& issues_;
};

}  // namespace

absl::StatusOr<catalog::v1::ListDataIssuesResponse> Catalog::ListDataIssues(
    const catalog::v1::ListDataIssuesRequest& request) const {
  static const auto* schema = new filter::Schema{
      {"kind", EnumField(catalog::v1::DataIssueKind_descriptor(), "DATA_ISSUE_KIND_")},
      {"record", StringField()},
      {"field", StringField()},
  };
  absl::StatusOr<int> limit = NormalizePageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  absl::StatusOr<std::unique_ptr<filter::Node>> node = filter::Parse(request.filter());
  if (!node.ok()) return node.status();
  absl::Status s = filter::Resolve(node->get(), *schema);
  if (!s.ok()) return s;
  const std::string query = absl::StrCat("issues|", filter::Canonical(node->get()));
  std::string after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(request.page_token(), query);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }

  std::shared_ptr<const storage::Snapshot> snapshot = store_->NewSnapshot();
  std::vector<DataIssue> issues;
  s = store_->Scan(kIndexCf, ScanRange::Prefix(Key().String(kIssueKey).bytes()), snapshot.get(),
                   [&](absl::string_view, absl::string_view value) {
                     DataIssue d;
                     if (d.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                       issues.push_back(std::move(d));
                     }
                     return true;
                   });
  if (!s.ok()) return s;
  // Possible duplicates: products sharing a normalised identifying name.
  std::map<std::string, std::vector<std::string>> by_name;
  std::string name_prefix = Key().String(kNameKey).Release();
  s = store_->Scan(kIndexCf, ScanRange::Prefix(name_prefix), snapshot.get(),
                   [&](absl::string_view key, absl::string_view) {
                     KeyReader r(key.substr(name_prefix.size()));
                     absl::StatusOr<std::string> name = r.String();
                     absl::StatusOr<std::string> id = r.String();
                     if (name.ok() && id.ok()) by_name[*name].push_back(*id);
                     return true;
                   });
  if (!s.ok()) return s;
  for (const auto& [name, ids] : by_name) {
    if (ids.size() < 2) continue;
    DataIssue d;
    d.set_kind(catalog::v1::DATA_ISSUE_KIND_POSSIBLE_DUPLICATE);
    d.set_record(products_.NameOf(ids[0]));
    d.set_field("names");
    std::vector<std::string> names;
    for (const std::string& id : ids) names.push_back(products_.NameOf(id));
    d.set_description(absl::StrCat(absl::StrJoin(names, ", "), " share the name \"", name, "\""));
    d.add_values(name);
    for (size_t i = 1; i < names.size(); ++i) d.add_related_records(names[i]);
    for (const std::string& id : ids) {
      Product p;
      absl::StatusOr<bool> found = products_.FindRaw(id, &p, snapshot.get());
      if (found.ok() && *found && !p.sources().empty()) *d.add_citations() = p.sources(0);
    }
    issues.push_back(std::move(d));
  }
  auto position = [](const DataIssue& d) {
    return Key()
        .String(d.record())
        .Int64(d.kind())
        .String(d.field())
        .String(d.description())
        .Release();
  };
  std::sort(issues.begin(), issues.end(),
            [&](const DataIssue& a, const DataIssue& b) { return position(a) < position(b); });
  IssuePostings postings(issues);
  absl::StatusOr<std::vector<std::string>> matching =
      filter::Evaluate(node->get(), *schema, postings);
  if (!matching.ok()) return matching.status();

  catalog::v1::ListDataIssuesResponse response;
  response.set_total_size(static_cast<int>(matching->size()));
  for (const std::string& idx : *matching) {
    const DataIssue& d = issues[std::stoul(idx)];
    std::string pos = position(d);
    if (!after.empty() && pos <= after) continue;
    if (response.issues_size() == *limit) {
      response.set_next_page_token(EncodePageToken(query, position(response.issues(*limit - 1))));
      break;
    }
    *response.add_issues() = d;
  }
  return response;
}

}  // namespace regenatlas::catalog
