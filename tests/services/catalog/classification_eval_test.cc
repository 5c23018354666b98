// Measures the classifier with data/classification/rules.json against the
// labelled sample of real registry records in tests/fixtures/classification/
// (records.json: the fields the classifier reads; labels.tsv: labels decided
// by reading each record; see that directory's README). Prints the confusion
// figures overall and per half (A: the half the rules were tuned on; B: held
// out) and every disagreement with its evidence; fails below the quality bar.

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "services/catalog/classification.h"
#include "services/catalog/classification_rules.h"

namespace regenatlas::catalog::classification {
namespace {

const std::string kDir = REGENATLAS_SOURCE_DIR "/tests/fixtures/classification/";
const std::string kRules = REGENATLAS_SOURCE_DIR "/data/classification/rules.json";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Label {
  std::string id, split;
  bool positive = false;
  std::set<std::string> types, sources;
  std::string allogeneity, gene_modified, note;
};

std::set<std::string> SplitSet(const std::string& s) {
  std::set<std::string> out;
  for (absl::string_view v : absl::StrSplit(s, '+', absl::SkipEmpty())) out.emplace(v);
  return out;
}

std::vector<Label> ReadLabels() {
  std::vector<Label> out;
  std::istringstream in(ReadFile(kDir + "labels.tsv"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "id\tsplit\tis_cell_therapy\tcell_type\tcell_source\tallogeneity\tgene_modified\tnote");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() != 8) {
      ADD_FAILURE() << "labels.tsv: expected 8 columns: " << line;
      continue;
    }
    Label l{f[0], f[1], f[2] == "yes", SplitSet(f[3]), SplitSet(f[4]), f[5], f[6], f[7]};
    EXPECT_TRUE(f[2] == "yes" || f[2] == "no") << line;
    EXPECT_TRUE(l.split == "A" || l.split == "B") << line;
    EXPECT_EQ(l.positive, !l.types.empty()) << "a positive needs a cell type: " << line;
    for (const std::string& t : l.types) {
      const auto& known = KnownValues(Attribute::kCellType);
      EXPECT_NE(std::find(known.begin(), known.end(), t), known.end()) << line;
    }
    for (const std::string& s : l.sources) {
      const auto& known = KnownValues(Attribute::kCellSource);
      EXPECT_NE(std::find(known.begin(), known.end(), s), known.end()) << line;
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::map<std::string, TrialText> ReadRecords() {
  std::map<std::string, TrialText> out;
  rapidjson::Document doc;
  const std::string json = ReadFile(kDir + "records.json");
  doc.Parse(json.c_str());
  EXPECT_FALSE(doc.HasParseError());
  if (doc.HasParseError() || !doc.IsArray()) return out;
  const auto strings = [](const rapidjson::Value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.GetArray()) out.emplace_back(s.GetString());
    return out;
  };
  for (const auto& r : doc.GetArray()) {
    TrialText t;
    t.title = r["title"].GetString();
    t.scientific_title = r["scientific_title"].GetString();
    for (const auto& iv : r["interventions"].GetArray()) {
      t.interventions.push_back({iv["name"].GetString(), iv["description"].GetString()});
    }
    t.conditions = strings(r["conditions"]);
    t.keywords = strings(r["keywords"]);
    t.summary = r["summary"].GetString();
    out[r["id"].GetString()] = std::move(t);
  }
  return out;
}

std::string Describe(const Classification& c) {
  if (!c.is_cell_therapy) return "not a cell therapy";
  std::vector<std::string> parts;
  for (const auto* list : {&c.cell_types, &c.cell_sources}) {
    for (const Derived& d : *list) {
      parts.push_back(
          absl::StrCat(d.value, " [", d.evidence[0].rule_id, ": \"", d.evidence[0].text, "\"]"));
    }
  }
  for (const auto* single : {&c.allogeneity, &c.gene_modified}) {
    if (single->has_value()) {
      parts.push_back(absl::StrCat((*single)->value, " [", (*single)->evidence[0].rule_id, "]"));
    }
  }
  return absl::StrJoin(parts, ", ");
}

// Counts for one subset of the sample.
struct Tally {
  int tp = 0, fp = 0, fn = 0, tn = 0;
  int positives = 0, type_ok = 0, source_ok = 0, allo_ok = 0, gm_known = 0, gm_ok = 0;
  std::map<std::string, std::pair<int, int>> type_recall;  // type → (found, labelled)

  double Precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double Recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
  double TypeAccuracy() const { return positives == 0 ? 1.0 : double(type_ok) / positives; }

  std::string Report(absl::string_view name) const {
    std::string out = absl::StrFormat(
        "%s: %d trials, %d labelled positive. is_cell_therapy: TP %d FP %d FN %d TN %d, "
        "precision %.3f, recall %.3f.\n  on labelled positives: cell_type (exact set) %d/%d = "
        "%.3f, cell_source %d/%d, allogeneity %d/%d, gene_modified %d/%d (labelled known)\n  "
        "recall per cell type:",
        name, tp + fp + fn + tn, positives, tp, fp, fn, tn, Precision(), Recall(), type_ok,
        positives, TypeAccuracy(), source_ok, positives, allo_ok, positives, gm_ok, gm_known);
    for (const auto& [type, counts] : type_recall) {
      absl::StrAppendFormat(&out, " %s %d/%d", type, counts.first, counts.second);
    }
    return out;
  }
};

TEST(ClassificationEvalTest, LabelledSampleMeetsTheBar) {
  absl::StatusOr<Classifier> classifier = Classifier::FromFile(kRules);
  ASSERT_TRUE(classifier.ok()) << classifier.status();
  const std::vector<Label> labels = ReadLabels();
  const std::map<std::string, TrialText> records = ReadRecords();
  ASSERT_GE(labels.size(), 150u);

  std::map<std::string, Tally> tallies;  // "all", "A", "B"
  std::set<std::string> seen;
  for (const Label& l : labels) {
    ASSERT_TRUE(seen.insert(l.id).second) << "labelled twice: " << l.id;
    auto it = records.find(l.id);
    ASSERT_NE(it, records.end()) << "labels.tsv names a trial records.json lacks: " << l.id;
    const Classification c = classifier->Classify(it->second);
    const std::vector<std::string> type_list = Classification::ValuesOf(c.cell_types);
    const std::vector<std::string> source_list = Classification::ValuesOf(c.cell_sources);
    const std::set<std::string> types(type_list.begin(), type_list.end());
    const std::set<std::string> sources(source_list.begin(), source_list.end());
    const std::string allo = c.allogeneity ? c.allogeneity->value : "UNKNOWN";
    const std::string gm = c.gene_modified ? c.gene_modified->value : "UNKNOWN";
    std::vector<std::string> wrong;
    for (const std::string& name : {std::string("all"), l.split}) {
      Tally& t = tallies[name];
      if (l.positive && c.is_cell_therapy) ++t.tp;
      if (!l.positive && c.is_cell_therapy) ++t.fp;
      if (l.positive && !c.is_cell_therapy) ++t.fn;
      if (!l.positive && !c.is_cell_therapy) ++t.tn;
      if (!l.positive) continue;
      ++t.positives;
      t.type_ok += types == l.types;
      t.source_ok += sources == l.sources;
      t.allo_ok += allo == l.allogeneity;
      if (l.gene_modified != "UNKNOWN") {
        ++t.gm_known;
        t.gm_ok += gm == l.gene_modified;
      }
      for (const std::string& type : l.types) {
        ++t.type_recall[type].second;
        t.type_recall[type].first += types.count(type);
      }
    }
    if (l.positive != c.is_cell_therapy) wrong.push_back("is_cell_therapy");
    if (l.positive && types != l.types) wrong.push_back("cell_type");
    if (l.positive && sources != l.sources) wrong.push_back("cell_source");
    if (l.positive && allo != l.allogeneity) wrong.push_back("allogeneity");
    if (l.positive && l.gene_modified != "UNKNOWN" && gm != l.gene_modified) {
      wrong.push_back("gene_modified");
    }
    if (!wrong.empty()) {
      std::cout << "DISAGREE " << l.id << " (" << l.split << ") on " << absl::StrJoin(wrong, ", ")
                << "\n  label: "
                << (l.positive ? absl::StrCat(absl::StrJoin(l.types, "+"), " / ",
                                              absl::StrJoin(l.sources, "+"), " / ", l.allogeneity,
                                              " / ", l.gene_modified)
                               : std::string("not a cell therapy"))
                << " — " << l.note << "\n  classifier: " << Describe(c) << "\n";
    }
  }
  for (const char* name : {"all", "A", "B"}) std::cout << tallies[name].Report(name) << "\n";

  const Tally& all = tallies["all"];
  EXPECT_GE(all.Precision(), 0.95) << "is_cell_therapy precision";
  EXPECT_GE(all.Recall(), 0.90) << "is_cell_therapy recall";
  EXPECT_GE(all.TypeAccuracy(), 0.90) << "cell_type accuracy on the labelled positives";
}

}  // namespace
}  // namespace regenatlas::catalog::classification
