// `regenatlas import ctgov|ictrp`: expands the paths, runs the catalog's
// importer over a stopped server's store and prints its summary.
#include "cmd/regenatlas/import.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmd/regenatlas/classifier_rules.h"
#include "cmd/regenatlas/flags.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_import.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

namespace v1 = ::regenatlas::catalog::v1;

constexpr int kMaxUnmatchedShown = 100;

// The files to import, in argument order; a directory contributes its
// files with one of `extensions`, recursively, in path order.
absl::StatusOr<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths,
                                                     const std::set<std::string>& extensions) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && extensions.count(it->path().extension().string())) {
          found.push_back(it->path().string());
        }
      }
      if (ec) return absl::InvalidArgumentError(absl::StrCat(p, ": ", ec.message()));
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(p, ": no such file or directory"));
    }
  }
  return files;
}

// A warning that a value is not in a mapping table: the readers and the
// mapping say `unknown country "Wuhan"`, `unknown status "..."` or
// `phase "..." is not normalised`. Returns what kind of value and the value.
std::optional<std::pair<std::string, std::string>> UnknownValue(const v1::ImportProblem& p) {
  if (p.severity() != v1::IMPORT_PROBLEM_SEVERITY_WARNING) return std::nullopt;
  const std::string& m = p.message();
  std::string kind;
  size_t open;
  if (absl::StartsWith(m, "unknown ")) {
    open = m.find(" \"");
    if (open == std::string::npos) return std::nullopt;
    kind = m.substr(8, open - 8);
    ++open;
  } else if (absl::StartsWith(m, "phase \"") && absl::StrContains(m, "\" is not normalised")) {
    kind = "phase";
    open = 6;
  } else {
    return std::nullopt;
  }
  const size_t close = m.find('"', open + 1);
  if (close == std::string::npos || kind.find(' ') != std::string::npos) return std::nullopt;
  if (kind == "overallStatus") kind = "status";
  return std::make_pair(kind, m.substr(open + 1, close - open - 1));
}

// Values no mapping table knows, in one list: kind and value, how many
// records print them and where first.
void PrintUnknownValues(const v1::ImportClinicalTrialsResponse& s, std::ostream& out) {
  struct Seen {
    int records = 0;
    std::string first;
  };
  std::map<std::pair<std::string, std::string>, Seen> unknown;
  for (const v1::ImportProblem& p : s.problems()) {
    std::optional<std::pair<std::string, std::string>> u = UnknownValue(p);
    if (!u.has_value()) continue;
    Seen& seen = unknown[*u];
    if (seen.records++ == 0) seen.first = absl::StrCat(p.file(), ": ", p.path());
  }
  if (unknown.empty()) return;
  out << "\nValues not in the mapping tables (kept as printed or left out; " << unknown.size()
      << "):\n";
  for (const auto& [value, seen] : unknown) {
    out << "  " << value.first << " \"" << value.second << "\": " << seen.records
        << (seen.records == 1 ? " record" : " records") << " (first " << seen.first << ")\n";
  }
}

void PrintSummary(const v1::ImportClinicalTrialsResponse& s, const std::string& registry,
                  const std::string& data_dir, std::ostream& out) {
  out << "Imported " << s.files() << (s.files() == 1 ? " file" : " files") << ", " << s.records()
      << (s.records() == 1 ? " record" : " records") << " from "
      << (registry == "ictrp" ? "WHO ICTRP" : "ClinicalTrials.gov") << " into " << data_dir << "\n";
  auto row = [&out](const char* label, int n) { out << absl::StrFormat("  %-22s %d\n", label, n); };
  row("created", s.created());
  row("updated", s.updated());
  row("unchanged", s.unchanged());
  row("new version, no change", s.versions_recorded());
  row("skipped (older)", s.skipped());
  row("rejected", s.rejected());
  row("organizations created", s.organizations_created());
  row("cell therapy trials", s.cell_therapy());
  for (v1::ImportProblemSeverity severity :
       {v1::IMPORT_PROBLEM_SEVERITY_ERROR, v1::IMPORT_PROBLEM_SEVERITY_SKIPPED,
        v1::IMPORT_PROBLEM_SEVERITY_WARNING}) {
    bool header = false;
    for (const v1::ImportProblem& p : s.problems()) {
      if (p.severity() != severity || UnknownValue(p).has_value()) continue;
      if (!header) {
        out << "\n"
            << (severity == v1::IMPORT_PROBLEM_SEVERITY_ERROR     ? "Rejected:"
                : severity == v1::IMPORT_PROBLEM_SEVERITY_SKIPPED ? "Skipped:"
                                                                  : "Warnings:")
            << "\n";
        header = true;
      }
      out << "  " << p.file() << ": " << (p.path().empty() ? "" : p.path() + ": ") << p.message();
      if (!p.nct_id().empty()) out << " (" << p.nct_id() << ")";
      out << "\n";
    }
  }
  PrintUnknownValues(s, out);
  if (s.unmatched_interventions_size() > 0) {
    out << "\nInterventions that matched no product (" << s.unmatched_interventions_size()
        << "; never created as products):\n";
    int shown = 0;
    for (const v1::UnmatchedIntervention& u : s.unmatched_interventions()) {
      if (shown++ == kMaxUnmatchedShown) {
        out << "  ... and " << s.unmatched_interventions_size() - kMaxUnmatchedShown << " more\n";
        break;
      }
      out << "  \"" << u.name() << "\": " << u.records()
          << (u.records() == 1 ? " record" : " records") << " (first " << u.first_trial() << ")\n";
    }
  }
}

// One status line, rewritten in place at most ten times a second.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, size_t files) : err_(err), files_(files) {}
  void StartFile(size_t index) { index_ = index; }
  void Update(absl::string_view file, int64_t read, int64_t total,
              const v1::ImportClinicalTrialsResponse& s) {
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Milliseconds(100)) return;
    last_ = now;
    const int pct = total > 0 ? static_cast<int>(100 * read / total) : 0;
    std::string name(std::filesystem::path(std::string(file)).filename().string());
    err_ << absl::StrFormat(
                "\r\033[K[%d/%d] %s %3d%% %.1f/%.1f MB  %d records (%d created, %d updated, %d "
                "rejected)",
                index_ + 1, files_, name, pct, read / 1e6, total / 1e6, s.records(), s.created(),
                s.updated(), s.rejected())
         << std::flush;
  }
  void Clear() { err_ << "\r\033[K" << std::flush; }

 private:
  std::ostream& err_;
  const size_t files_;
  size_t index_ = 0;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace

int RunImport(const ImportOptions& options, std::ostream& out, std::ostream& err) {
  if (options.registry != "ctgov" && options.registry != "ictrp") {
    err << "regenatlas import: unknown registry \"" << options.registry
        << "\"; supported: ctgov, ictrp\n";
    return 2;
  }
  const bool ictrp = options.registry == "ictrp";
  if (options.paths.empty()) {
    err << "regenatlas import: no FILE or DIR given (see --help)\n";
    return 2;
  }
  bool progress;
  if (options.progress == "auto") {
    progress = isatty(STDERR_FILENO) == 1;
  } else if (options.progress == "true" || options.progress == "false") {
    progress = options.progress == "true";
  } else {
    err << "regenatlas import: --progress: auto, true or false\n";
    return 2;
  }
  absl::StatusOr<std::vector<std::string>> files =
      ExpandPaths(options.paths, ictrp ? std::set<std::string>{".xml", ".csv"}
                                       : std::set<std::string>{".json", ".csv"});
  if (!files.ok()) {
    err << "regenatlas import: " << files.status().message() << "\n";
    return 2;
  }

  storage::StoreOptions store_options;
  store_options.path = options.data_dir;
  // Bulk import: unsynced writes, made durable by one flush at the end
  // (a crash before it is repaired by importing again).
  store_options.sync_writes = false;
  // An import reads a few records per record written, mostly from the
  // memtables: a small block cache and half the memtable budget keep its
  // peak RSS (600K records) under 400 MB.
  store_options.block_cache_bytes = 16 << 20;
  store_options.memtable_bytes = 64 << 20;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    err << "regenatlas import: cannot open store " << options.data_dir << ": "
        << store.status().message() << " (a running server holds it: stop it first)\n";
    return 1;
  }
  catalog::CatalogOptions catalog_options;
  absl::StatusOr<std::shared_ptr<const catalog::classification::Classifier>> rules =
      LoadClassifierRules(options.classification_rules, options.dataset);
  if (!rules.ok()) {
    err << "regenatlas import: " << rules.status().message() << "\n";
    return 2;
  }
  catalog_options.trial_classifier = *rules;
  catalog::Catalog catalog(store->get(), catalog_options);
  if (!catalog.status().ok()) {
    err << "regenatlas import: " << catalog.status().message() << "\n";
    return 1;
  }
  if (options.dataset != "none") {
    absl::StatusOr<std::string> digest = catalog.DatasetDigest();
    if (!digest.ok()) {
      err << "regenatlas import: " << digest.status().message() << "\n";
      return 1;
    }
    // Only into a store without a dataset: reloading a changed dataset
    // would replace curated trials, imported fields included (serve does
    // that on its own terms).
    if (digest->empty()) {
      const std::string dir = (std::filesystem::path(options.dataset) / "catalog").string();
      if (!std::filesystem::is_directory(dir)) {
        err << "regenatlas import: dataset not found: " << dir << " (--dataset=none skips it)\n";
        return 1;
      }
      absl::StatusOr<catalog::LoadSummary> loaded = catalog::EnsureCatalogDataset(catalog, dir);
      if (!loaded.ok()) {
        err << "regenatlas import: cannot load dataset: " << loaded.status().message() << "\n";
        return 1;
      }
    }
  }

  ProgressLine line(err, files->size());
  catalog::CtgovImportOptions import_options;
  import_options.record_details = false;
  import_options.sync_writes = false;
  if (progress) {
    import_options.progress = [&line](absl::string_view file, int64_t read, int64_t total,
                                      const v1::ImportClinicalTrialsResponse& s) {
      line.Update(file, read, total, s);
    };
  }
  absl::StatusOr<std::unique_ptr<catalog::CtgovImporter>> importer =
      catalog::CtgovImporter::Create(&catalog, import_options);
  if (!importer.ok()) {
    err << "regenatlas import: " << importer.status().message() << "\n";
    return 1;
  }
  for (size_t i = 0; i < files->size(); ++i) {
    line.StartFile(i);
    absl::Status s = (*importer)->ImportFile(
        (*files)[i], ictrp ? catalog::ImportRegistry::kIctrp : catalog::ImportRegistry::kCtgov);
    if (!s.ok()) {
      if (progress) line.Clear();
      err << "regenatlas import: " << (*files)[i] << ": store failure: " << s.message() << "\n";
      return 1;
    }
  }
  if (progress) line.Clear();
  absl::Status s = (*importer)->Sync();
  if (s.ok()) s = (*store)->Close();
  if (!s.ok()) {
    err << "regenatlas import: store failure: " << s.message() << "\n";
    return 1;
  }
  const v1::ImportClinicalTrialsResponse& summary = (*importer)->summary();
  PrintSummary(summary, options.registry, options.data_dir, out);
  const bool errors = std::any_of(
      summary.problems().begin(), summary.problems().end(),
      [](const v1::ImportProblem& p) { return p.severity() == v1::IMPORT_PROBLEM_SEVERITY_ERROR; });
  return errors ? 1 : 0;
}

int ImportCommand(const std::vector<std::string>& args) {
  FlagSet flags(
      "import", "regenatlas import ctgov|ictrp FILE|DIR ... [flags]",
      "Imports registry records into the catalog of a stopped server's store.\n"
      "  ctgov: ClinicalTrials.gov API v2 JSON (GET /api/v2/studies/{nctId} files and\n"
      "         search pages, full or cut down by fields=) or the website's CSV download.\n"
      "  ictrp: the WHO ICTRP search portal's export, XML or CSV (ChiCTR, jRCT, EUCTR,\n"
      "         CTRI, ANZCTR, IRCT ... and ClinicalTrials.gov records).\n"
      "The format is told by content (then extension); a directory imports its *.json\n"
      "and *.csv files (ctgov) or *.xml and *.csv files (ictrp). One trial per registry\n"
      "ID: a record whose primary or secondary IDs name an existing trial updates it,\n"
      "whichever registry's file came first, and values two registries disagree on are\n"
      "kept as claims. Sponsors and collaborators are matched to organizations by name\n"
      "or alias, else created; interventions are linked to products by name, alias or\n"
      "code (never created). Files are streamed one record at a time.\n"
      "Idempotent: importing again changes nothing; a newer version of a record updates\n"
      "the changed fields and records a revision; an older one is skipped. A malformed\n"
      "record is rejected with its file, record and field, and the import goes on.\n"
      "Prints a summary (values not in the mapping tables listed once); exit status 1\n"
      "when a file or record was rejected. See docs/import.md.");
  flags.Add("data_dir", "regenatlas-data",
            "directory of the RocksDB store (the server using it must be stopped)");
  flags.Add("dataset", "data",
            "reference dataset directory (catalog/ inside), loaded first when the store holds "
            "no dataset yet; \"none\" skips it");
  flags.Add("classification_rules", "",
            "trial-classification rules (docs/import.md#classification); empty = the dataset's "
            "classification/rules.json when it has one; \"none\" = imported trials are not "
            "classified");
  flags.Add("progress", "auto",
            "progress on stderr: auto (when stderr is a terminal), true, false");
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::cerr << "regenatlas: " << s.message() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  ImportOptions o;
  if (flags.positional().empty()) {
    std::cerr << "regenatlas import: which registry? usage: "
              << "regenatlas import ctgov|ictrp FILE|DIR ...\n";
    return 2;
  }
  o.registry = flags.positional()[0];
  o.paths.assign(flags.positional().begin() + 1, flags.positional().end());
  o.data_dir = flags.GetString("data_dir");
  o.dataset = flags.GetString("dataset");
  o.progress = flags.GetString("progress");
  o.classification_rules = flags.GetString("classification_rules");
  return RunImport(o, std::cout, std::cerr);
}

}  // namespace regenatlas::cli
