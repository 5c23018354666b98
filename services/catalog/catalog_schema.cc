// The catalog's query vocabulary: the filter-field helpers, the postings
// and index keys of each record, the filter schemas (ProductSchema,
// TrialSchema), the ListSpecs of the List and Count methods, the order_by
// sort keys and the int encoding of range-filterable postings.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace internal {
namespace {

using common::v1::DevelopmentStage;
using google::protobuf::Message;
using storage::Key;

// Fields whose postings are int64-encoded so that <, <=, >, >= are range scans.
bool IsIntField(absl::string_view field) {
  return field == "stage" || field == "phase" || field == "start_year";
}

}  // namespace

// ---- Filter vocabulary ----------------------------------------------------
// The shared field builders are common/filter_fields.h's; AddStage serves
// PostingsOf only.

const google::protobuf::EnumDescriptor* StageEnum() {
  return common::v1::DevelopmentStage_descriptor();
}

void AddStage(std::vector<Posting>& out, absl::string_view field, DevelopmentStage stage) {
  if (stage == common::v1::DEVELOPMENT_STAGE_UNSPECIFIED) return;
  out.push_back({std::string(field), EnumName(StageEnum(), stage), int64_t{StageRank(stage)}});
}

// ---- Record postings and index keys ---------------------------------------

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
  if (t.has_classification()) {
    const auto& c = t.classification();
    out.push_back({"cell_therapy", c.cell_therapy() ? "true" : "false"});
    for (int v : c.cell_types()) {
      out.push_back({"cell_type", EnumName(catalog::v1::CellType_descriptor(), v)});
    }
    for (int v : c.cell_sources()) {
      out.push_back({"cell_source", EnumName(catalog::v1::CellSource_descriptor(), v)});
    }
    if (c.donor() != common::v1::DONOR_UNSPECIFIED) {
      out.push_back({"donor", EnumName(common::v1::Donor_descriptor(), c.donor())});
    }
    if (c.has_gene_modified()) {
      out.push_back({"gene_modified", c.gene_modified() ? "true" : "false"});
    }
  }
  AddSources(out, t.sources());
  return out;
}

const std::vector<std::string>& MemoryFieldsOf(absl::string_view collection) {
  static const auto* const kFields =
      new std::map<std::string, std::vector<std::string>, std::less<>>{
          {"sources", {"kind", "language"}},
          {"organizations", {"kind", "country", "parent", "source"}},
          {"indications", {"therapeutic_area", "parent", "source"}},
          {"products",
           {"cell_source", "cell_category", "cell_type", "donor", "gene_edited", "stage",
            "stage_name", "country_stage", "country", "sponsor", "indication", "therapeutic_area",
            "start_year", "source"}},
          {"trials",
           {"phase", "phase_name", "status", "country", "sponsor", "collaborator", "product",
            "indication", "start_year", "registry", "cell_therapy", "cell_type", "cell_source",
            "donor", "gene_modified"}},
      };
  static const auto* const kNone = new std::vector<std::string>();
  auto it = kFields->find(collection);
  return it == kFields->end() ? *kNone : it->second;
}

template <typename T>
std::vector<std::string> IndexKeysOf(absl::string_view collection, const T& record) {
  std::string id(record.name().substr(collection.size() + 1));
  // Memory fields are persisted in the record's index row; a posting key
  // for each as well was most of a trial's writes (11 of 25 keys).
  const std::vector<std::string>& memory = MemoryFieldsOf(collection);
  std::vector<Posting> postings = PostingsOf(record);
  postings.erase(std::remove_if(postings.begin(), postings.end(),
                                [&memory](const Posting& p) {
                                  return std::find(memory.begin(), memory.end(), p.field) !=
                                         memory.end();
                                }),
                 postings.end());
  std::vector<std::string> keys = PostingKeys(collection, postings, id);
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

template std::vector<std::string> IndexKeysOf(absl::string_view, const Source&);
template std::vector<std::string> IndexKeysOf(absl::string_view, const Organization&);
template std::vector<std::string> IndexKeysOf(absl::string_view, const Indication&);
template std::vector<std::string> IndexKeysOf(absl::string_view, const Product&);
template std::vector<std::string> IndexKeysOf(absl::string_view, const Trial&);

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

}  // namespace internal

// ---- Filter schemas ---------------------------------------------------------

using internal::BoolField;
using internal::CountryField;
using internal::EnumField;
using internal::IntField;
using internal::ResourceField;
using internal::StageEnum;
using internal::StringField;

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
        // The trial's own classification (imported trials).
        {"cell_therapy", BoolField()},
        {"cell_type", EnumField(catalog::v1::CellType_descriptor(), "CELL_TYPE_", true)},
        {"cell_source", EnumField(catalog::v1::CellSource_descriptor(), "CELL_SOURCE_", true)},
        {"donor", EnumField(common::v1::Donor_descriptor(), "DONOR_")},
        {"gene_modified", BoolField()},
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

// ---- List specs and the int encoder -----------------------------------------

namespace internal {
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

}  // namespace

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

}  // namespace internal
}  // namespace regenatlas::catalog
