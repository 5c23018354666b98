// IMPLAUSIBLE_REGISTRY_ID_DATE: a trial's stated start year far from the
// year its registry ID was issued, from per-registry numbering eras (the
// table is in docs/catalog.md).
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_findings.h"
#include "services/catalog/catalog_internal.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DataIssue;
using common::v1::RegistryId;

// ClinicalTrials.gov numbers are sequential: the last number first posted
// in each year (rounded; the tolerance below absorbs months of error).
struct NctEra {
  int year;
  int last;
};
constexpr NctEra kNctEras[] = {
    {2005, 270000},  {2006, 420000},  {2007, 590000},  {2008, 815000},  {2009, 1040000},
    {2010, 1270000}, {2011, 1503000}, {2012, 1760000}, {2013, 2025000}, {2014, 2330000},
    {2015, 2645000}, {2016, 3000000}, {2017, 3390000}, {2018, 3790000}, {2019, 4215000},
    {2020, 4690000}, {2021, 5170000}, {2022, 5670000}, {2023, 6185000}, {2024, 6760000},
    {2025, 7400000},
};

// A trial is registered at most this many years after it starts, or starts
// at most this many years after it is registered; beyond that the stated
// year or the ID is wrong.
constexpr int kToleranceYears = 3;

int Digits(absl::string_view s) {
  int v = 0;
  return absl::SimpleAtoi(s, &v) ? v : -1;
}

}  // namespace

std::optional<IssueEra> RegistryIdEra(const RegistryId& id) {
  absl::string_view s = id.id();
  // Canonical IDs of the registries below are at least 11 characters.
  if (s.size() < 11) return std::nullopt;
  switch (id.registry()) {
    case common::v1::REGISTRY_NCT: {
      const int n = Digits(s.substr(3));
      if (n < 0) return std::nullopt;
      // Numbers up to 2005 include trials registered retrospectively when
      // registration became a condition of publication: no lower bound.
      if (n <= kNctEras[0].last) return IssueEra{kNctEras[0].year, false};
      for (const NctEra& e : kNctEras) {
        if (n <= e.last) return IssueEra{e.year, true};
      }
      return std::nullopt;  // newer than the table
    }
    case common::v1::REGISTRY_CHICTR: {
      // ChiCTR2000030173 → 2020; ChiCTR-IOR-17013434 → 2017.
      absl::string_view digits = s.substr(6);
      if (absl::StartsWith(digits, "-")) digits = digits.substr(digits.rfind('-') + 1);
      const int yy = Digits(digits.substr(0, 2));
      return yy < 0 ? std::nullopt : std::optional<IssueEra>(IssueEra{2000 + yy, true});
    }
    case common::v1::REGISTRY_CTR: {
      const int year = Digits(s.substr(3, 4));  // CTR20252340 → 2025
      return year < 0 ? std::nullopt : std::optional<IssueEra>(IssueEra{year, true});
    }
    case common::v1::REGISTRY_CDE: {
      const int yy = Digits(s.substr(4, 2));  // CXSL2300091 → 2023
      return yy < 0 ? std::nullopt : std::optional<IssueEra>(IssueEra{2000 + yy, true});
    }
    case common::v1::REGISTRY_EUDRACT:
    case common::v1::REGISTRY_CTIS: {
      const int year = Digits(s.substr(0, 4));  // 2015-001234-56
      return year < 0 ? std::nullopt : std::optional<IssueEra>(IssueEra{year, true});
    }
    case common::v1::REGISTRY_CTRI: {
      const int year = Digits(s.substr(5, 4));  // CTRI/2020/01/022887
      return year < 0 ? std::nullopt : std::optional<IssueEra>(IssueEra{year, true});
    }
    default:
      return std::nullopt;
  }
}

std::vector<DataIssue> RegistryIdDateIssues(const catalog::v1::Trial& trial) {
  // The stated start years with their citations: each claim, or the trial's
  // own start date (cited by the first source printing the year).
  struct Stated {
    int year;
    const common::v1::SourceCitation* citation;
  };
  std::vector<Stated> stated;
  for (const auto& c : trial.claims()) {
    if (c.field() == "start_date" && c.value().size() >= 4) {
      stated.push_back({Digits(absl::string_view(c.value()).substr(0, 4)), &c.citation()});
    }
  }
  if (stated.empty() && trial.start_date().year() > 0) {
    const std::string year = absl::StrCat(trial.start_date().year());
    const common::v1::SourceCitation* citation = nullptr;
    for (const auto& c : trial.sources()) {
      if (absl::StrContains(c.quote(), year)) {
        citation = &c;
        break;
      }
    }
    stated.push_back({trial.start_date().year(), citation});
  }
  std::vector<DataIssue> out;
  for (const RegistryId& id : internal::AllIds(trial)) {
    std::optional<IssueEra> era = RegistryIdEra(id);
    if (!era) continue;
    for (const Stated& s : stated) {
      const int gap = s.year - era->year;
      const bool too_early = era->bounded_below && gap < -kToleranceYears;
      if (s.year <= 0 || !(too_early || gap > kToleranceYears)) continue;
      DataIssue issue;
      issue.set_kind(common::v1::DATA_ISSUE_KIND_IMPLAUSIBLE_REGISTRY_ID_DATE);
      issue.set_record(trial.name());
      issue.set_field("start_date");
      issue.set_description(absl::StrCat(id.id(), " was issued in ", era->year,
                                         ", but a source gives the start year ", s.year, " (",
                                         std::abs(gap), " years ", too_early ? "before" : "after",
                                         "); the year or the ID is misprinted"));
      issue.add_values(id.id());
      issue.add_values(absl::StrCat(s.year));
      if (s.citation != nullptr) *issue.add_citations() = *s.citation;
      for (const std::string& p : trial.products()) issue.add_related_records(p);
      out.push_back(std::move(issue));
    }
  }
  return out;
}

}  // namespace regenatlas::catalog
