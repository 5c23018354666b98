// Applies one ClinicalTrials.gov study to the catalog (CtgovImporter::Impl,
// see ctgov_importer.h), in named steps: find the trial it updates, skip
// it when older than the stored version, map it onto the trial
// (ctgov_mapping.h), match or plan its organizations, then write the
// source, the new organizations and the trial, removing what the record
// created should the trial be refused.
#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/records.h"
#include "common/status_macros.h"
#include "services/catalog/ctgov_importer.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"
#include "services/catalog/trial_classification.h"

namespace regenatlas::catalog {

using common::v1::PartialDate;
using common::v1::SourceCitation;
using ctgov::Study;
using ctgov::Warning;

absl::Status CtgovImporter::Impl::Apply(const std::string& file, const Study& s) {
  ASSIGN_OR_RETURN(Target target, FindTarget(s));
  if (SkipOlder(file, s, target)) return absl::OkStatus();

  const PartialDate version = s.version.value_or(PartialDate());
  Update update;
  update.source =
      ctgov::CtgovSource(s, version, catalog_->sources().NameOf(ctgov::RecordSourceId(s)));
  update.ctx = ContextFor(file, s, target, update.source);
  std::vector<Warning> warnings = s.warnings;
  RETURN_IF_ERROR(MapRecord(file, s, target, update, warnings));
  for (const Warning& w : warnings) {
    Problem(v1::IMPORT_PROBLEM_SEVERITY_WARNING, file, w.path, s.nct_id, w.message);
  }
  if (update.outcome == v1::IMPORT_OUTCOME_UNCHANGED) {
    Count(update.outcome);
    CountCellTherapy(update.trial);
    Result(file, s, target.trial_name, update.outcome, {}, "", update.unmatched);
    return absl::OkStatus();
  }
  AddRevision(file, s, update);
  return Write(file, s, target, update);
}

absl::StatusOr<CtgovImporter::Impl::Target> CtgovImporter::Impl::FindTarget(const Study& s) {
  ResourceTable<Trial>& trials = catalog_->trials();
  Target target;
  target.ids = ctgov::ClassifyIds(s);
  ASSIGN_OR_RETURN(std::optional<std::string> owner, OwnerOf(s.nct_id));
  for (size_t i = 0; !owner.has_value() && i < target.ids.registry_ids.size(); ++i) {
    ASSIGN_OR_RETURN(owner, OwnerOf(target.ids.registry_ids[i].first.id()));
  }
  target.trial_name = owner.has_value() ? *owner : trials.NameOf(TrialIdFor(target.ids.nct));
  ASSIGN_OR_RETURN(std::string trial_id, trials.IdOf(target.trial_name, "trial"));
  ASSIGN_OR_RETURN(target.found, trials.FindRaw(trial_id, &target.existing));
  // Versions and fields of this publisher's records; the fields another
  // registry's import changed last are kept apart (ApplyContext).
  std::map<std::string, bool> last_changed_by_own;
  for (const v1::TrialRevision& r : target.existing.revisions()) {
    const bool own = ctgov::IsSourceOf(s.publisher, r.source());
    for (const std::string& f : r.changed_fields()) last_changed_by_own[f] = own;
    if (!own) continue;
    if (IsSet(r.version_date()) &&
        (!target.stored_version.has_value() ||
         ComparePartialDates(r.version_date(), *target.stored_version) > 0)) {
      target.stored_version = r.version_date();
    }
    target.from_import.insert(r.changed_fields().begin(), r.changed_fields().end());
  }
  for (const auto& [field, own] : last_changed_by_own) {
    if (!own) target.other_import.insert(field);
  }
  return target;
}

bool CtgovImporter::Impl::SkipOlder(const std::string& file, const Study& s, const Target& target) {
  // An older version never overwrites a newer one.
  if (!s.version.has_value() || !target.stored_version.has_value() ||
      ComparePartialDates(*s.version, *target.stored_version) >= 0) {
    return false;
  }
  const std::string reason =
      absl::StrCat("version ", FormatPartialDate(*s.version), " is older than the stored version ",
                   FormatPartialDate(*target.stored_version), "; not applied");
  summary_.set_skipped(summary_.skipped() + 1);
  Problem(v1::IMPORT_PROBLEM_SEVERITY_SKIPPED, file, s.path, s.nct_id, reason);
  Result(file, s, target.trial_name, v1::IMPORT_OUTCOME_SKIPPED, {}, reason, {});
  return true;
}

ctgov::ApplyContext CtgovImporter::Impl::ContextFor(const std::string& file, const Study& s,
                                                    const Target& target, const Source& source) {
  ctgov::ApplyContext ctx;
  ctx.fill_only = !s.version.has_value() && target.stored_version.has_value();
  ctx.publisher = s.publisher;
  ctx.from_import = target.from_import;
  ctx.other_import = target.other_import;
  ctx.citation.set_source(source.name());
  ctx.citation.set_locator(absl::StrCat(file, ": ", s.path));
  ctx.citation.set_quote(s.title.has_value() ? absl::StrCat(s.nct_id, ": ", *s.title) : s.nct_id);
  for (const SourceCitation& c : target.existing.sources()) {
    if (!ctgov::IsSourceOf(s.publisher, c.source())) {
      ctx.curated = true;
      if (!ctx.curated_citation.has_value()) ctx.curated_citation = c;
    }
  }
  return ctx;
}

absl::Status CtgovImporter::Impl::MapRecord(const std::string& file, const Study& s,
                                            const Target& target, Update& update,
                                            std::vector<Warning>& warnings) {
  Trial& t = update.trial;
  if (target.found) {
    t = target.existing;
  } else {
    t.set_name(target.trial_name);
    *t.mutable_primary_id() = target.ids.nct;
  }
  RETURN_IF_ERROR(ctgov::ApplyIdentifiers(
      target.ids, target.trial_name, [this](const std::string& id) { return OwnerOf(id); }, t,
      warnings));
  ctgov::ApplyStatedFields(s, update.ctx, t, warnings);
  RETURN_IF_ERROR(ApplyOrganizations(file, s, update.ctx, t, update.plans));
  // Interventions link existing products only; the others are reported.
  update.unmatched = ctgov::LinkProducts(s, products_by_name_, t);
  ApplyClassification(s, catalog_->trial_classifier(), update.source.name(), t);

  // Plans for organizations the trial no longer references are dropped
  // (a sponsor kept from a curated source, for instance).
  std::vector<OrgPlan>& plans = update.plans;
  plans.erase(std::remove_if(plans.begin(), plans.end(),
                             [&t](const OrgPlan& p) {
                               return t.sponsor() != p.org.name() &&
                                      !ctgov::Contains(t.collaborators(), p.org.name());
                             }),
              plans.end());

  update.changed = ctgov::DataFieldsChanged(target.found ? target.existing : Trial(), t);
  const bool newer =
      s.version.has_value() && (!target.stored_version.has_value() ||
                                ComparePartialDates(*s.version, *target.stored_version) > 0);
  update.outcome = !target.found             ? v1::IMPORT_OUTCOME_CREATED
                   : !update.changed.empty() ? v1::IMPORT_OUTCOME_UPDATED
                   : newer                   ? v1::IMPORT_OUTCOME_VERSION_RECORDED
                                             : v1::IMPORT_OUTCOME_UNCHANGED;
  return absl::OkStatus();
}

absl::Status CtgovImporter::Impl::ApplyOrganizations(const std::string& file, const Study& s,
                                                     const ctgov::ApplyContext& ctx, Trial& t,
                                                     std::vector<OrgPlan>& plans) {
  if (s.sponsor.has_value()) {
    ASSIGN_OR_RETURN(std::string org, ResolveOrg(*s.sponsor, file, ctx.citation, plans));
    if (ctgov::ShouldSet(t, ctx, "sponsor", !t.sponsor().empty(), t.sponsor(), org)) {
      t.set_sponsor(org);
    }
  }
  if (s.collaborators.has_value()) {
    std::vector<std::string> names;
    for (const ctgov::Party& p : *s.collaborators) {
      ASSIGN_OR_RETURN(std::string org, ResolveOrg(p, file, ctx.citation, plans));
      names.push_back(std::move(org));
    }
    ctgov::ApplyList(ctx, t.mutable_collaborators(), ctgov::Unique(names));
  }
  return absl::OkStatus();
}

void CtgovImporter::Impl::AddRevision(const std::string& file, const Study& s, Update& update) {
  Trial& t = update.trial;
  const std::string& source = update.source.name();
  if (!std::any_of(t.sources().begin(), t.sources().end(),
                   [&](const SourceCitation& c) { return c.source() == source; })) {
    *t.add_sources() = update.ctx.citation;
  }
  v1::TrialRevision* revision = t.add_revisions();
  revision->set_source(source);
  if (s.version.has_value() && IsSet(*s.version)) *revision->mutable_version_date() = *s.version;
  revision->set_file(file);
  revision->set_path(s.path);
  for (const std::string& f : update.changed) revision->add_changed_fields(f);
  *revision->mutable_import_time() = ToProtoTime(catalog_->trials().options().clock());
}

absl::Status CtgovImporter::Impl::Write(const std::string& file, const Study& s,
                                        const Target& target, Update& update) {
  // The source and new organizations first (the trial references them),
  // the trial last. If the trial cannot be written, what this record
  // created is removed again, so a rejected record leaves nothing.
  const std::string origin = absl::StrCat("import:", file);
  const bool sync = options_.sync_writes;
  Source existing_source;
  ASSIGN_OR_RETURN(const bool source_existed,
                   catalog_->sources().FindRaw(ctgov::RecordSourceId(s), &existing_source));
  RETURN_IF_ERROR(catalog_->sources().UpsertRaw(&update.source, origin, sync).status());
  std::vector<std::string> created_orgs;
  absl::Status failure;
  for (OrgPlan& p : update.plans) {
    failure = catalog_->organizations().UpsertRaw(&p.org, origin, sync).status();
    if (!failure.ok()) break;
    created_orgs.push_back(p.org.name());
  }
  if (failure.ok()) failure = catalog_->trials().UpsertRaw(&update.trial, origin, sync).status();
  if (!failure.ok()) {
    for (const std::string& name : created_orgs) {
      Organization unused;
      (void)catalog_->organizations().DeleteRaw(name, "", origin, &unused);
    }
    if (!source_existed) {
      Source unused;
      (void)catalog_->sources().DeleteRaw(update.source.name(), "", origin, &unused);
    }
    const absl::StatusCode code = failure.code();
    if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kAlreadyExists &&
        code != absl::StatusCode::kFailedPrecondition) {
      return failure;
    }
    Reject(file, s.path, s.nct_id, s.path, absl::StrCat("not imported: ", failure.message()));
    return absl::OkStatus();
  }
  for (const OrgPlan& p : update.plans) AddOrgNames(p.org);
  summary_.set_organizations_created(summary_.organizations_created() +
                                     static_cast<int>(update.plans.size()));
  Count(update.outcome);
  CountCellTherapy(update.trial);
  Result(file, s, target.trial_name, update.outcome, update.changed, "", update.unmatched);
  return absl::OkStatus();
}

std::set<std::string> CtgovImporter::Impl::NamesOf(const Organization& o) {
  std::set<std::string> names = {NormalizeForSearch(o.display_name())};
  for (const auto& n : o.names()) names.insert(NormalizeForSearch(n.text()));
  return names;
}

void CtgovImporter::Impl::AddOrgNames(const Organization& o) {
  for (const std::string& n : NamesOf(o)) {
    // The first organization (in id order) keeps an ambiguous name.
    if (!n.empty()) org_by_name_.emplace(n, o.name());
  }
}

absl::StatusOr<std::string> CtgovImporter::Impl::ResolveOrg(const ctgov::Party& party,
                                                            const std::string& file,
                                                            const SourceCitation& citation,
                                                            std::vector<OrgPlan>& plans) {
  const std::string normalized = NormalizeForSearch(party.name);
  if (auto it = org_by_name_.find(normalized); !normalized.empty() && it != org_by_name_.end()) {
    return it->second;
  }
  for (const OrgPlan& p : plans) {
    if (p.normalized == normalized) return p.org.name();
  }
  std::string base = ctgov::Slug(party.name);
  if (base.empty()) base = absl::StrFormat("org-%016x", std::hash<std::string>()(party.name));
  std::string id = base;
  for (int n = 2;; ++n) {
    Organization holder;
    ASSIGN_OR_RETURN(const bool taken, catalog_->organizations().FindRaw(id, &holder));
    // Created since the names were read (another import, the API).
    if (taken && NamesOf(holder).count(normalized)) {
      AddOrgNames(holder);
      return holder.name();
    }
    const bool planned =
        std::any_of(plans.begin(), plans.end(), [&](const OrgPlan& p) { return p.id == id; });
    if (!taken && !planned) break;
    std::string suffix = absl::StrCat("-", n);
    id = absl::StrCat(base.substr(0, 63 - suffix.size()), suffix);
  }
  OrgPlan plan;
  plan.id = id;
  plan.normalized = normalized;
  plan.org.set_name(catalog_->organizations().NameOf(id));
  plan.org.set_display_name(party.name);
  plan.org.set_kind(ctgov::KindOfClass(party.cls));
  SourceCitation* c = plan.org.add_sources();
  *c = citation;
  c->set_locator(absl::StrCat(file, ": ", party.path));
  c->set_quote(party.name);
  plans.push_back(std::move(plan));
  return plans.back().org.name();
}

absl::StatusOr<std::optional<std::string>> CtgovImporter::Impl::OwnerOf(const std::string& id) {
  ASSIGN_OR_RETURN(v1::ResolveRegistryIdResponse r, catalog_->ResolveRegistryId(id));
  if (r.trial().empty()) return std::nullopt;
  return r.trial();
}

}  // namespace regenatlas::catalog
