// Maps a study onto a catalog Trial (see ctgov_mapping.h): sources, registry
// IDs and the field-by-field rules for registry-only and curated trials and
// for trials other registries' imports hold (the value tables are in
// ctgov_tables.cc).
#include "services/catalog/ctgov_mapping.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"

namespace regenatlas::catalog {

using common::v1::DevelopmentStage;
using common::v1::PartialDate;
using common::v1::RegistryId;
using common::v1::SourceCitation;

std::string CtgovSourceId(absl::string_view nct_id, const PartialDate& version) {
  std::string id = absl::StrCat("ctgov-", absl::AsciiStrToLower(nct_id));
  if (IsSet(version)) absl::StrAppend(&id, "-", FormatPartialDate(version));
  return id;
}

namespace ctgov {
namespace {

constexpr absl::string_view kCtgovSourcePrefix = "sources/ctgov-";
constexpr absl::string_view kStatusTextField = "status_text";
constexpr absl::string_view kIctrpSourcePrefix = "sources/ictrp-";
constexpr absl::string_view kStudyUri = "https://clinicaltrials.gov/study/";

std::string StageName(DevelopmentStage s) { return common::v1::DevelopmentStage_Name(s); }

std::string StatusName(v1::TrialStatus s) { return v1::TrialStatus_Name(s); }

bool HasClaim(const Trial& t, absl::string_view field, const ApplyContext& ctx, bool own) {
  return std::any_of(t.claims().begin(), t.claims().end(), [&](const common::v1::Claim& c) {
    return c.field() == field && IsSourceOf(ctx.publisher, c.citation().source()) == own;
  });
}

// Titles and phases as printed are not statements to weigh against a
// curated source: the registry's replace them only where the registry set
// them (or nothing did).
bool MayReplaceText(const ApplyContext& ctx, const std::string& stored, const char* field) {
  if (stored.empty()) return true;
  if (ctx.fill_only) return false;
  return !ctx.curated || ctx.from_import.count(field) > 0;
}

void ApplyPhase(const CtgovPhase& phase, const ApplyContext& ctx, Trial& t);

void ApplyPhases(const Study& s, const ApplyContext& ctx, Trial& t,
                 std::vector<Warning>& warnings) {
  const CtgovPhase phase = MapCtgovPhases(*s.phases);
  for (size_t i = 0; i < s.phases->size(); ++i) {
    if (std::find(phase.unknown.begin(), phase.unknown.end(), (*s.phases)[i]) !=
        phase.unknown.end()) {
      warnings.push_back({JsonPathIndex(s.phases_path, i),
                          absl::StrCat("unknown phase \"", (*s.phases)[i],
                                       "\" (known: EARLY_PHASE1, PHASE1, PHASE2, PHASE3, PHASE4, "
                                       "NA); phase left unspecified")});
    }
  }
  if (phase.unusual) {
    warnings.push_back(
        {s.phases_path,
         absl::StrCat("phases ", phase.text, " map to no single stage; phase left unspecified")});
  }
  ApplyPhase(phase, ctx, t);
}

// The phase as printed and its stage (unspecified when unknown: the reader
// has noted that).
void ApplyPrintedPhase(const PrintedPhase& printed, const ApplyContext& ctx, Trial& t) {
  CtgovPhase phase;
  phase.stage = printed.stage;
  phase.text = printed.printed;
  ApplyPhase(phase, ctx, t);
}

void ApplyPhase(const CtgovPhase& phase, const ApplyContext& ctx, Trial& t) {
  if (!phase.text.empty() && MayReplaceText(ctx, t.phase_text(), "phase_text")) {
    t.set_phase_text(phase.text);
  }
  // PHASE4, NA or an unknown value state no stage: they clear a stage an
  // earlier version set, but never a curated one.
  const bool states_stage = phase.stage != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED ||
                            (!ctx.curated && !phase.text.empty());
  if (states_stage &&
      ShouldSet(t, ctx, "phase", t.phase() != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED,
                StageName(t.phase()), StageName(phase.stage))) {
    t.set_phase(phase.stage);
  }
}

void ApplyStatus(const Study& s, const ApplyContext& ctx, Trial& t,
                 std::vector<Warning>& warnings) {
  v1::TrialStatus status;
  if (MapCtgovStatus(*s.status, &status)) {
    if (ShouldSet(t, ctx, "status", t.status() != v1::TRIAL_STATUS_UNSPECIFIED,
                  StatusName(t.status()), StatusName(status))) {
      t.set_status(status);
    }
    return;
  }
  static const auto* expanded =
      new std::set<std::string>{"AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
                                "APPROVED_FOR_MARKETING", "WITHHELD"};
  warnings.push_back(
      {s.status_path,
       expanded->count(*s.status)
           ? absl::StrCat("expanded-access status \"", *s.status,
                          "\" has no trial status; status not imported")
           : absl::StrCat("unknown overallStatus \"", *s.status, "\"; status not imported")});
}

// A status in a registry's own spelling: the catalog's status where it maps
// to one, and the spelling kept as a claim on "status_text" (one per
// publisher, replaced when it changes), since Trial has no field for it.
void ApplyPrintedStatus(const PrintedStatus& printed, const ApplyContext& ctx, Trial& t) {
  if (printed.status != v1::TRIAL_STATUS_UNSPECIFIED &&
      ShouldSet(t, ctx, "status", t.status() != v1::TRIAL_STATUS_UNSPECIFIED,
                StatusName(t.status()), StatusName(printed.status))) {
    t.set_status(printed.status);
  }
  if (ctx.fill_only) return;
  for (common::v1::Claim& c : *t.mutable_claims()) {
    if (c.field() == kStatusTextField && IsSourceOf(ctx.publisher, c.citation().source())) {
      if (c.value() != printed.printed) {
        c.set_value(printed.printed);
        *c.mutable_citation() = ctx.citation;
      }
      return;
    }
  }
  common::v1::Claim* c = t.add_claims();
  c->set_field(std::string(kStatusTextField));
  c->set_value(printed.printed);
  *c->mutable_citation() = ctx.citation;
}

void ApplyDates(const Study& s, const ApplyContext& ctx, Trial& t) {
  if (s.start.has_value()) {
    const bool stored = IsSet(t.start_date());
    if (ShouldSet(t, ctx, "start_date", stored, FormatPartialDate(t.start_date()),
                  FormatPartialDate(s.start->date))) {
      *t.mutable_start_date() = s.start->date;
    }
    if (!(ctx.fill_only && stored)) t.set_start_date_estimated(s.start->estimated);
  }
  if (s.completion.has_value()) {
    const bool stored = IsSet(t.completion_date());
    if (ShouldSet(t, ctx, "completion_date", stored, FormatPartialDate(t.completion_date()),
                  FormatPartialDate(s.completion->date))) {
      *t.mutable_completion_date() = s.completion->date;
    }
    if (!(ctx.fill_only && stored)) t.set_completion_date_estimated(s.completion->estimated);
  }
}

void ApplyCountries(const Study& s, const ApplyContext& ctx, Trial& t,
                    std::vector<Warning>& warnings) {
  std::set<std::string> codes;
  std::set<std::string> unknown;
  for (const Location& l : *s.locations) {
    std::optional<std::string> code = CountryCodeForName(l.country);
    if (code.has_value()) {
      codes.insert(*code);
    } else if (unknown.insert(l.country).second) {
      warnings.push_back(
          {l.path, absl::StrCat("unknown country \"", l.country, "\"; not imported")});
    }
  }
  ApplyList(ctx, t.mutable_countries(), {codes.begin(), codes.end()});
}

}  // namespace

bool IsCtgovSource(absl::string_view source) {
  return absl::StartsWith(source, kCtgovSourcePrefix);
}

bool IsSourceOf(Publisher publisher, absl::string_view source) {
  return publisher == Publisher::kCtgov ? IsCtgovSource(source)
                                        : absl::StartsWith(source, kIctrpSourcePrefix);
}

std::string RecordSourceId(const Study& s) {
  if (s.publisher == Publisher::kCtgov) {
    return CtgovSourceId(s.nct_id, s.version.value_or(PartialDate()));
  }
  return absl::StrCat("ictrp-", absl::AsciiStrToLower(s.nct_id));
}

std::vector<std::string> DataFieldsChanged(const Trial& before, const Trial& after) {
  static const auto* skip = new std::set<std::string>{"name",        "etag",    "create_time",
                                                      "update_time", "sources", "revisions"};
  std::vector<std::string> out;
  const google::protobuf::Descriptor* d = Trial::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (skip->count(f->name())) continue;
    google::protobuf::util::MessageDifferencer diff;
    std::vector<const google::protobuf::FieldDescriptor*> fields = {f};
    if (!diff.CompareWithFields(before, after, fields, fields)) out.push_back(f->name());
  }
  return out;
}

Source CtgovSource(const Study& s, const PartialDate& version, std::string name) {
  Source source;
  source.set_name(std::move(name));
  if (s.publisher == Publisher::kIctrp) {
    source.set_title(absl::StrCat("WHO ICTRP record ", s.nct_id,
                                  s.register_name.empty() ? "" : " (", s.register_name,
                                  s.register_name.empty() ? "" : ")"));
    source.set_publisher("WHO International Clinical Trials Registry Platform");
    source.set_kind(v1::SOURCE_KIND_REGISTRY);
    source.set_uri(s.url);
    return source;
  }
  source.set_title(IsSet(version) ? absl::StrCat("ClinicalTrials.gov ", s.nct_id, ", version of ",
                                                 FormatPartialDate(version))
                                  : absl::StrCat("ClinicalTrials.gov ", s.nct_id));
  source.set_publisher("ClinicalTrials.gov (U.S. National Library of Medicine)");
  if (IsSet(version)) *source.mutable_publication_date() = version;
  source.set_kind(v1::SOURCE_KIND_REGISTRY);
  source.set_uri(absl::StrCat(kStudyUri, s.nct_id));
  source.set_language("en");
  return source;
}

StudyIds ClassifyIds(const Study& s) {
  StudyIds ids;
  ids.nct.set_registry(s.registry);
  ids.nct.set_id(s.nct_id);
  for (const OtherId& o : s.other_ids) {
    absl::StatusOr<RegistryId> id = ParseRegistryId(o.id);
    if (id.ok()) {
      if (id->id() != s.nct_id) ids.registry_ids.emplace_back(*id, &o);
    } else {
      ids.unparsed.push_back(&o);
    }
  }
  return ids;
}

absl::Status ApplyIdentifiers(const StudyIds& ids, const std::string& trial_name,
                              const OwnerLookup& owner_of, Trial& t,
                              std::vector<Warning>& warnings) {
  auto has_id = [&t](const std::string& id) {
    if (t.primary_id().id() == id) return true;
    return std::any_of(t.secondary_ids().begin(), t.secondary_ids().end(),
                       [&](const RegistryId& r) { return r.id() == id; });
  };
  auto add_alias = [&t](const OtherId& o) {
    for (const v1::TrialAlias& a : t.aliases()) {
      if (a.id() == o.id && a.type() == o.type) return;
    }
    v1::TrialAlias* a = t.add_aliases();
    a->set_id(o.id);
    a->set_type(o.type);
    a->set_domain(o.domain);
  };
  if (!has_id(ids.nct.id())) *t.add_secondary_ids() = ids.nct;
  for (const auto& [id, other] : ids.registry_ids) {
    if (has_id(id.id())) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> owner, owner_of(id.id()));
    if (owner.has_value() && *owner != trial_name) {
      warnings.push_back({other->path, absl::StrCat(id.id(), " already belongs to ", *owner,
                                                    "; kept as an alias of this trial")});
      add_alias(*other);
      continue;
    }
    *t.add_secondary_ids() = id;
  }
  for (const OtherId* o : ids.unparsed) {
    if (o->type == "EUDRACT_NUMBER" || o->type == "CTIS" || o->type == "NCT_ALIAS") {
      // Printed as a registry ID of a registry the catalog knows, but
      // malformed: kept for the data-quality report.
      if (!Contains(t.malformed_ids(), o->id)) t.add_malformed_ids(o->id);
      warnings.push_back({o->path, absl::StrCat("\"", o->id, "\" is not a valid ", o->type,
                                                " ID; kept in malformed_ids")});
    } else {
      add_alias(*o);
    }
  }
  return absl::OkStatus();
}

void ApplyStatedFields(const Study& s, const ApplyContext& ctx, Trial& t,
                       std::vector<Warning>& warnings) {
  if (s.title.has_value() && MayReplaceText(ctx, t.title(), "title")) t.set_title(*s.title);
  if (s.scientific_title.has_value() &&
      MayReplaceText(ctx, t.scientific_title(), "scientific_title")) {
    t.set_scientific_title(*s.scientific_title);
  }
  if (s.acronym.has_value() && MayReplaceText(ctx, t.acronym(), "acronym")) {
    t.set_acronym(*s.acronym);
  }
  if (s.study_type.has_value() && MayReplaceText(ctx, t.study_type(), "study_type")) {
    t.set_study_type(*s.study_type);
  }
  if (s.registration_date.has_value() &&
      ShouldSet(t, ctx, "registration_date", IsSet(t.registration_date()),
                FormatPartialDate(t.registration_date()),
                FormatPartialDate(*s.registration_date))) {
    *t.mutable_registration_date() = *s.registration_date;
  }
  // Only ICTRP prints bridging; its latest record says what it is now.
  if (s.bridging.has_value() && !(ctx.fill_only && t.has_bridging())) {
    const bool empty = s.bridging->other_records().empty() && !s.bridging->bridged() &&
                       s.bridging->bridged_type().empty();
    if (empty) {
      t.clear_bridging();
    } else {
      *t.mutable_bridging() = *s.bridging;
    }
  }
  if (s.phases.has_value()) ApplyPhases(s, ctx, t, warnings);
  if (s.printed_phase.has_value()) ApplyPrintedPhase(*s.printed_phase, ctx, t);
  if (s.status.has_value()) ApplyStatus(s, ctx, t, warnings);
  if (s.printed_status.has_value()) ApplyPrintedStatus(*s.printed_status, ctx, t);
  ApplyDates(s, ctx, t);
  if (s.enrollment.has_value() &&
      ShouldSet(t, ctx, "enrollment", t.enrollment() != 0, absl::StrCat(t.enrollment()),
                absl::StrCat(*s.enrollment))) {
    t.set_enrollment(*s.enrollment);
  }
  if (s.conditions.has_value()) ApplyList(ctx, t.mutable_conditions(), Unique(*s.conditions));
  if (s.locations.has_value()) ApplyCountries(s, ctx, t, warnings);
}

bool ShouldSet(Trial& t, const ApplyContext& ctx, absl::string_view field, bool stored_set,
               const std::string& stored_text, const std::string& new_text) {
  if (ctx.fill_only && stored_set) return false;
  const bool differs = !stored_set || stored_text != new_text;
  if (!ctx.curated) return differs;
  // A value another registry set stays; both statements become claims.
  const bool other_registry = stored_set && differs && ctx.other_import.count(std::string(field));
  bool curated_claim = HasClaim(t, field, ctx, false);
  if (stored_set && differs && !curated_claim &&
      (other_registry || !ctx.from_import.count(std::string(field))) &&
      ctx.curated_citation.has_value()) {
    common::v1::Claim* c = t.add_claims();
    c->set_field(std::string(field));
    c->set_value(stored_text);
    *c->mutable_citation() = *ctx.curated_citation;
    curated_claim = true;
  }
  if (!curated_claim) return differs;
  // One registry claim per field, replaced in place when its value
  // changes, so that re-imports leave claims as they are.
  auto* claims = t.mutable_claims();
  bool kept = false;
  for (int i = 0; i < claims->size();) {
    common::v1::Claim& c = (*claims)[i];
    if (c.field() != field || !IsSourceOf(ctx.publisher, c.citation().source())) {
      ++i;
      continue;
    }
    if (kept) {
      claims->erase(claims->begin() + i);
      continue;
    }
    kept = true;
    if (c.value() != new_text) {
      c.set_value(new_text);
      *c.mutable_citation() = ctx.citation;
    }
    ++i;
  }
  if (!kept) {
    common::v1::Claim* c = t.add_claims();
    c->set_field(std::string(field));
    c->set_value(new_text);
    *c->mutable_citation() = ctx.citation;
  }
  return differs && !(stored_set && ctx.other_import.count(std::string(field)) > 0);
}

void ApplyList(const ApplyContext& ctx, google::protobuf::RepeatedPtrField<std::string>* stored,
               const std::vector<std::string>& values) {
  if (ctx.fill_only && !stored->empty()) return;
  if (ctx.curated) {
    for (const std::string& v : values) {
      if (!Contains(*stored, v)) stored->Add()->assign(v);
    }
    return;
  }
  if (std::equal(stored->begin(), stored->end(), values.begin(), values.end())) return;
  stored->Clear();
  for (const std::string& v : values) stored->Add()->assign(v);
}

std::vector<std::string> Unique(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& s : in) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

std::vector<std::string> LinkProducts(const Study& s, const ProductNames& products, Trial& t) {
  std::vector<std::string> unmatched;
  if (!s.interventions.has_value()) return unmatched;
  for (const Intervention& in : *s.interventions) {
    std::set<std::string> matched;
    std::vector<std::string> candidates = {in.name};
    candidates.insert(candidates.end(), in.other_names.begin(), in.other_names.end());
    for (const std::string& c : candidates) {
      auto it = products.find(NormalizeForSearch(c));
      if (it != products.end()) matched.insert(it->second.begin(), it->second.end());
    }
    if (matched.empty() &&
        std::find(unmatched.begin(), unmatched.end(), in.name) == unmatched.end()) {
      unmatched.push_back(in.name);
    }
    for (const std::string& p : matched) {
      if (!Contains(t.products(), p)) t.add_products(p);
    }
  }
  return unmatched;
}

}  // namespace ctgov
}  // namespace regenatlas::catalog
