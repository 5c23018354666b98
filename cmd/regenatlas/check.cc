// `regenatlas check`: validates a dataset directory through the services'
// own validation and prints counts, coverage and the data-quality findings.
#include "cmd/regenatlas/check.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/regenatlas/check_findings.h"
#include "common/dataset.h"
#include "common/dates.h"
#include "google/protobuf/descriptor.h"
#include "regenatlas/analytics/v1/resources.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/dataset_loader.h"
#include "services/catalog/registry_id.h"
#include "services/market-analytics/analytics.h"
#include "services/regulatory-timeline/timeline.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Calls fn(path, value) for every string field of `m` (recursively).
void WalkStrings(const Message& m, const std::string& path,
                 const std::function<void(const std::string&, const std::string&)>& fn) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->name() == "name") continue;
    const std::string fp = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        const std::string ep = absl::StrCat(fp, "[", k, "]");
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) fn(ep, r->GetRepeatedString(m, f, k));
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          WalkStrings(r->GetRepeatedMessage(m, f, k), ep, fn);
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      fn(fp, r->GetString(m, f));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && r->HasField(m, f)) {
      WalkStrings(r->GetMessage(m, f), fp, fn);
    }
  }
}

// Calls fn(path, date) for every PartialDate inside `m`.
void WalkDates(const Message& m, const std::string& path,
               const std::function<void(const std::string&, const common::v1::PartialDate&)>& fn) {
  if (const auto* d = dynamic_cast<const common::v1::PartialDate*>(&m)) {
    fn(path, *d);
    return;
  }
  const auto* desc = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* f = desc->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string fp = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        WalkDates(r->GetRepeatedMessage(m, f, k), absl::StrCat(fp, "[", k, "]"), fn);
      }
    } else if (r->HasField(m, f)) {
      WalkDates(r->GetMessage(m, f), fp, fn);
    }
  }
}

// Every record of a dataset message, with its collection field name.
void ForEachRecord(const Message& dataset, const std::function<void(const Message&)>& fn) {
  const auto* d = dataset.GetDescriptor();
  const auto* r = dataset.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    for (int k = 0; k < r->FieldSize(dataset, f); ++k) fn(r->GetRepeatedMessage(dataset, f, k));
  }
}

std::string NameOf(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("name");
  return f ? m.GetReflection()->GetString(m, f) : "";
}

}  // namespace

int RunCheck(const CheckOptions& options, std::ostream& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(options.dataset_dir, ec)) {
    out << "error: " << options.dataset_dir << ": no such dataset directory\n";
    return 1;
  }
  std::vector<std::string> errors;
  catalog::v1::CatalogDataset catalog_data;
  timeline::v1::TimelineDataset timeline_data;
  analytics::v1::AnalyticsDataset analytics_data;
  DatasetReport catalog_report, timeline_report, analytics_report;
  struct Part {
    const char* dir;
    Message* data;
    DatasetReport* report;
  };
  for (const Part& part : {Part{"catalog", &catalog_data, &catalog_report},
                           Part{"timeline", &timeline_data, &timeline_report},
                           Part{"analytics", &analytics_data, &analytics_report}}) {
    absl::Status s =
        LoadDatasetDir((fs::path(options.dataset_dir) / part.dir).string(), part.data, part.report);
    if (!s.ok()) errors.push_back(std::string(s.message()));
    errors.insert(errors.end(), part.report->errors.begin(), part.report->errors.end());
  }
  if (catalog_report.files.empty()) {
    errors.push_back(absl::StrCat(options.dataset_dir, "/catalog: no .txtpb files"));
  }

  // Load the catalog into a scratch store: the same validation as the API.
  std::string scratch = (fs::temp_directory_path() / "regenatlas-check-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) {
    out << "error: cannot create a scratch directory\n";
    return 1;
  }
  int code = 0;
  {
    storage::StoreOptions store_options;
    store_options.path = scratch + "/db";
    store_options.sync_writes = false;
    absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
    if (!store.ok()) {
      out << "error: " << store.status().message() << "\n";
      fs::remove_all(scratch);
      return 1;
    }
    catalog::Catalog catalog(store->get(), catalog::CatalogOptions{});
    if (!catalog.status().ok()) errors.push_back(std::string(catalog.status().message()));
    absl::StatusOr<catalog::LoadSummary> summary =
        catalog::LoadCatalogDataset(catalog, catalog_data, catalog_report);
    if (!summary.ok()) {
      errors.push_back(std::string(summary.status().message()));
    } else {
      errors.insert(errors.end(), summary->rejected.begin(), summary->rejected.end());
    }

    // Timeline and analytics: their own validation, dates, and references
    // into the catalog.
    auto check_refs = [&](const Message& record, const DatasetReport& report) {
      const std::string name = NameOf(record);
      auto files = report.files_of.find(name);
      const std::string where =
          files == report.files_of.end()
              ? name
              : absl::StrCat(name, " (", absl::StrJoin(files->second, ", "), ")");
      WalkStrings(record, "", [&](const std::string& path, const std::string& value) {
        for (const char* collection :
             {"products/", "organizations/", "indications/", "trials/", "sources/"}) {
          if (!absl::StartsWith(value, collection)) continue;
          absl::Status found;
          if (absl::StartsWith(value, "products/")) found = catalog.products().Get(value).status();
          if (absl::StartsWith(value, "organizations/"))
            found = catalog.organizations().Get(value).status();
          if (absl::StartsWith(value, "indications/"))
            found = catalog.indications().Get(value).status();
          if (absl::StartsWith(value, "trials/")) found = catalog.GetTrial(value).status();
          if (absl::StartsWith(value, "sources/")) found = catalog.sources().Get(value).status();
          if (!found.ok()) {
            errors.push_back(
                absl::StrCat(where, ": ", path, ": ", value, " does not exist in the catalog"));
          }
        }
      });
      WalkDates(record, "", [&](const std::string& path, const common::v1::PartialDate& date) {
        absl::Status s = ValidatePartialDate(date, path);
        if (!s.ok()) errors.push_back(absl::StrCat(where, ": ", s.message()));
      });
    };
    std::map<std::string, int> counts;
    ForEachRecord(timeline_data, [&](const Message& m) {
      check_refs(m, timeline_report);
      ++counts[absl::StrCat("timeline ", m.GetDescriptor()->name())];
    });
    ForEachRecord(analytics_data, [&](const Message& m) {
      check_refs(m, analytics_report);
      ++counts[absl::StrCat("analytics ", m.GetDescriptor()->name())];
    });
    for (const auto& e : timeline_data.events()) {
      absl::Status s = timeline::Timeline::ValidateEvent(e);
      if (!s.ok()) errors.push_back(absl::StrCat(e.name(), ": ", s.message()));
    }
    for (const auto& p : timeline_data.policies()) {
      absl::Status s = timeline::Timeline::ValidatePolicy(p);
      if (!s.ok()) errors.push_back(absl::StrCat(p.name(), ": ", s.message()));
    }
    for (const auto& r : analytics_data.price_points()) {
      absl::Status s = analytics::Analytics::ValidatePricePointFields(r);
      if (!s.ok()) errors.push_back(absl::StrCat(r.name(), ": ", s.message()));
    }
    for (const auto& r : analytics_data.epidemiology_facts()) {
      absl::Status s = analytics::Analytics::ValidateEpidemiologyFactFields(r);
      if (!s.ok()) errors.push_back(absl::StrCat(r.name(), ": ", s.message()));
    }
    for (const auto& r : analytics_data.market_facts()) {
      absl::Status s = analytics::Analytics::ValidateMarketFactFields(r);
      if (!s.ok()) errors.push_back(absl::StrCat(r.name(), ": ", s.message()));
    }
    for (const auto& r : analytics_data.fx_rates()) {
      absl::Status s = analytics::Analytics::ValidateFxRate(r);
      if (!s.ok()) errors.push_back(absl::StrCat(r.name(), ": ", s.message()));
    }
    counts["catalog Source"] = catalog_data.sources_size();
    counts["catalog Organization"] = catalog_data.organizations_size();
    counts["catalog Indication"] = catalog_data.indications_size();
    counts["catalog Product"] = catalog_data.products_size();
    counts["catalog Trial"] = catalog_data.trials_size();

    out << "Dataset " << options.dataset_dir << ": "
        << catalog_report.files.size() + timeline_report.files.size() +
               analytics_report.files.size()
        << " files\n";
    for (const auto& [what, n] : counts) out << "  " << what << ": " << n << "\n";
    out << "\nStatements merged across documents that disagree: "
        << catalog_report.conflicts.size() + timeline_report.conflicts.size() +
               analytics_report.conflicts.size()
        << "\n";
    for (const auto* report : {&catalog_report, &timeline_report, &analytics_report}) {
      for (const std::string& c : report->conflicts) out << "  " << c << "\n";
    }

    // Coverage: products per document and table, trials per registry.
    std::map<std::string, std::set<std::string>> products_by_place;
    for (const auto& p : catalog_data.products()) {
      for (const auto& c : p.sources()) {
        std::string place = c.source().substr(strlen("sources/"));
        std::string table = "text";
        if (absl::StartsWith(c.locator(), "Table ")) {
          table = std::string(c.locator().substr(0, c.locator().find_first_of(",; ", 6)));
        }
        products_by_place[absl::StrCat(place, " ", table)].insert(p.name());
      }
    }
    std::map<std::string, int> trials_by_registry;
    for (const auto& t : catalog_data.trials()) {
      std::string registry =
          t.primary_id().id().empty()
              ? "(no registry ID printed)"
              : common::v1::Registry_Name(catalog::ParseRegistryId(t.primary_id().id())
                                              .value_or(t.primary_id())
                                              .registry());
      ++trials_by_registry[registry];
    }
    out << "\nCoverage: products per document and table\n";
    for (const auto& [place, names] : products_by_place) {
      out << "  " << place << ": " << names.size() << "\n";
    }
    out << "Coverage: trials per registry (primary ID)\n";
    for (const auto& [registry, n] : trials_by_registry)
      out << "  " << registry << ": " << n << "\n";

    // Timeline counts by type / kind and jurisdiction.
    std::map<std::string, int> event_types, event_places, policy_kinds, policy_places;
    for (const auto& e : timeline_data.events()) {
      ++event_types[timeline::v1::EventType_Name(e.type()).substr(strlen("EVENT_TYPE_"))];
      ++event_places[e.jurisdiction()];
    }
    for (const auto& p : timeline_data.policies()) {
      ++policy_kinds[timeline::v1::PolicyKind_Name(p.kind()).substr(strlen("POLICY_KIND_"))];
      ++policy_places[p.jurisdiction()];
    }
    for (const auto& [title, table] :
         std::vector<std::pair<std::string, const std::map<std::string, int>*>>{
             {"Timeline: events by type", &event_types},
             {"Timeline: events by jurisdiction", &event_places},
             {"Timeline: policies by kind", &policy_kinds},
             {"Timeline: policies by jurisdiction", &policy_places}}) {
      out << title << "\n";
      for (const auto& [k, n] : *table) out << "  " << k << ": " << n << "\n";
    }

    // The data-quality report, as the three services' ListDataIssues serve
    // it (the timeline and analytics datasets are loaded for it).
    std::map<std::string, int> by_kind;
    int hand_recorded = 0;
    std::vector<std::string> lines;
    absl::StatusOr<std::vector<ServiceFinding>> findings =
        LoadAndListFindings(catalog, store->get(), timeline_data, timeline_report, analytics_data,
                            analytics_report, errors);
    if (!findings.ok()) errors.push_back(std::string(findings.status().message()));
    for (const ServiceFinding& f : findings.value_or(std::vector<ServiceFinding>{})) {
      const std::string kind = common::v1::DataIssueKind_Name(f.issue.kind());
      ++by_kind[absl::StrCat(f.service, " ", kind)];
      if (f.issue.hand_recorded()) ++hand_recorded;
      lines.push_back(absl::StrCat("  [", f.service, " ", kind.substr(strlen("DATA_ISSUE_KIND_")),
                                   f.issue.hand_recorded() ? ", hand-recorded" : "", "] ",
                                   f.issue.record(), " ", f.issue.field(), ": ",
                                   f.issue.description()));
    }
    out << "\nData-quality findings:\n";
    for (const auto& [kind, n] : by_kind) out << "  " << kind << ": " << n << "\n";
    // Hand-recorded findings are counted under their kind above as well.
    out << "  of which hand-recorded: " << hand_recorded << "\n";
    if (options.verbose) {
      for (const std::string& l : lines) out << l << "\n";
    }
  }
  fs::remove_all(scratch);
  out << "\nErrors: " << errors.size() << "\n";
  for (const std::string& e : errors) out << "  " << e << "\n";
  if (!errors.empty()) code = 1;
  return code;
}

}  // namespace regenatlas::cli
