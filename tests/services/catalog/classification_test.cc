// The classification rule engine: normalisation and patterns, the bundled
// rules on hand-written English and Chinese texts (exclusions, priorities,
// proximity, provenance), rejection of bad rules files, and the vocabulary's
// agreement with the catalog's enums.

#include "services/catalog/classification.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/classification_rules.h"

namespace regenatlas::catalog::classification {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kRules = REGENATLAS_SOURCE_DIR "/data/classification/rules.json";

const Classifier& Bundled() {
  static const Classifier* const kClassifier = [] {
    absl::StatusOr<Classifier> c = Classifier::FromFile(kRules);
    EXPECT_TRUE(c.ok()) << c.status();
    return new Classifier(*std::move(c));
  }();
  return *kClassifier;
}

TrialText Trial(std::string title, std::vector<std::string> interventions = {}) {
  TrialText t;
  t.title = std::move(title);
  for (std::string& i : interventions) t.interventions.push_back({std::move(i), ""});
  return t;
}

std::vector<std::string> Types(const Classification& c) {
  return Classification::ValuesOf(c.cell_types);
}
std::vector<std::string> Sources(const Classification& c) {
  return Classification::ValuesOf(c.cell_sources);
}

// ---- Normalisation and patterns ---------------------------------------------

TEST(ClassificationNormalizeTest, FoldsCaseWidthSeparatorsAndApostrophes) {
  EXPECT_EQ(Normalize("UC-MSCs / Wharton’s  Jelly").text, "uc mscs whartons jelly");
  EXPECT_EQ(Normalize("ＣＡＲ－Ｔ 细胞").text, "car t细胞");
  EXPECT_EQ(Normalize("  NK 细胞 治疗 ").text, "nk细胞治疗");
  EXPECT_EQ(Normalize("CD34+ cells").text, "cd34+ cells");
}

TEST(ClassificationNormalizeTest, MapsSpansBackToTheTextAsPrinted) {
  const std::string original = "Human UC-MSCs（脐带）";
  const NormalizedText n = Normalize(original);
  const size_t at = n.text.find("uc mscs");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(n.Original(original, at, at + 7), "UC-MSCs");
  const size_t cjk = n.text.find("脐带");
  EXPECT_EQ(n.Original(original, cjk, cjk + 6), "脐带");
  // Words: human, uc, mscs, 脐, 带.
  EXPECT_EQ(n.WordsBetween(0, static_cast<int>(n.text.size())), 5);
}

std::vector<std::string> Matches(absl::string_view pattern, absl::string_view text) {
  absl::StatusOr<Pattern> p = Pattern::Compile(pattern);
  EXPECT_TRUE(p.ok()) << p.status();
  std::vector<std::string> out;
  if (!p.ok()) return out;
  const NormalizedText n = Normalize(text);
  std::vector<Span> spans;
  p->FindAll(n, &spans);
  for (const Span& s : spans) out.push_back(n.Original(text, s.begin, s.end));
  return out;
}

TEST(ClassificationPatternTest, LatinPatternsMatchWholeWords) {
  EXPECT_THAT(Matches("msc", "MSC and MSCT and hMSC"), ElementsAre("MSC"));
  EXPECT_THAT(Matches("nk cell*", "NK cells, NK-cell, NKcells"),
              ElementsAre("NK cells", "NK-cell"));
  EXPECT_THAT(Matches("exosome*", "Exosomes; exosomal RNA"), ElementsAre("Exosomes"));
  EXPECT_THAT(Matches("stem cell* transplant*", "stem cells transplanted"),
              ElementsAre("stem cells transplanted"));
}

// The trigram pre-check (a pattern is skipped when the text lacks its first
// three bytes) must not skip matches at either end of a text, of a text of
// exactly the pattern, or of patterns shorter than three bytes.
TEST(ClassificationPatternTest, TrigramPrecheckKeepsEveryMatch) {
  EXPECT_THAT(Matches("msc", "msc"), ElementsAre("msc"));
  EXPECT_THAT(Matches("msc", "Allogeneic MSC"), ElementsAre("MSC"));
  EXPECT_THAT(Matches("msc", "MSC, allogeneic"), ElementsAre("MSC"));
  EXPECT_THAT(Matches("nk", "NK"), ElementsAre("NK"));
  EXPECT_THAT(Matches("干细胞", "干细胞"), ElementsAre("干细胞"));
  EXPECT_THAT(Matches("adipose*", "from ADIPOSE"), ElementsAre("ADIPOSE"));
  EXPECT_THAT(Matches("msc", "MS"), ElementsAre());
  EXPECT_THAT(Matches("msc", "mesenchymal"), ElementsAre());
}

TEST(ClassificationPatternTest, ChineseNeedsNoBoundaries) {
  EXPECT_THAT(Matches("干细胞", "人脐带间充质干细胞注射液"), ElementsAre("干细胞"));
  EXPECT_THAT(Matches("nk细胞", "自体NK细胞；CIK-NK细胞"), ElementsAre("NK细胞", "NK细胞"));
}

TEST(ClassificationPatternTest, RejectsMisplacedWildcards) {
  EXPECT_FALSE(Pattern::Compile("*msc").ok());
  EXPECT_FALSE(Pattern::Compile("ms*c").ok());
  EXPECT_FALSE(Pattern::Compile("cell *").ok());
  EXPECT_FALSE(Pattern::Compile(" - ").ok());
}

// ---- The bundled rules --------------------------------------------------------

TEST(ClassificationBundledRulesTest, Loads) {
  EXPECT_GT(Bundled().rule_count(), 40);
  EXPECT_GT(Bundled().exclusion_count(), 5);
}

TEST(ClassificationBundledRulesTest, UmbilicalCordMscWithProvenance) {
  const Classification c = Bundled().Classify(Trial(
      "Human Umbilical Cord Mesenchymal Stem Cells for ARDS", {"Biological: UC-MSCs", "Placebo"}));
  ASSERT_TRUE(c.is_cell_therapy);
  EXPECT_THAT(Types(c), ElementsAre("MSC"));
  EXPECT_THAT(Sources(c), ElementsAre("UMBILICAL_CORD"));
  ASSERT_EQ(c.cell_types[0].evidence.size(), 2u);
  const Evidence& title = c.cell_types[0].evidence[0];
  EXPECT_EQ(title.rule_id, "type.msc");
  EXPECT_EQ(title.field, TextField::kTitle);
  EXPECT_EQ(title.text, "Mesenchymal Stem Cells");
  const Evidence& iv = c.cell_types[0].evidence[1];
  EXPECT_EQ(iv.field, TextField::kIntervention);
  EXPECT_EQ(iv.index, 0);
  EXPECT_EQ(iv.text, "UC-MSCs");
  // Allogeneic because umbilical cord cells come from a donor.
  ASSERT_TRUE(c.allogeneity.has_value());
  EXPECT_EQ(c.allogeneity->value, "ALLOGENEIC");
  EXPECT_EQ(c.allogeneity->evidence[0].rule_id, "source.umbilical_cord");
  EXPECT_EQ(c.allogeneity->evidence[0].text, "Umbilical Cord");
  ASSERT_TRUE(c.gene_modified.has_value());
  EXPECT_EQ(c.gene_modified->value, "NO");
  EXPECT_EQ(c.gene_modified->evidence[0].rule_id, "defaults.gene_modified");
}

TEST(ClassificationBundledRulesTest, ChineseMscTitle) {
  const Classification c = Bundled().Classify(Trial("人脐带间充质干细胞治疗膝骨关节炎的临床研究"));
  EXPECT_THAT(Types(c), ElementsAre("MSC"));
  EXPECT_EQ(c.cell_types[0].evidence[0].text, "间充质干细胞");
  EXPECT_THAT(Sources(c), ElementsAre("UMBILICAL_CORD"));
  EXPECT_EQ(Classification::ValueOf(c.allogeneity), "ALLOGENEIC");
}

TEST(ClassificationBundledRulesTest, ChineseCarT) {
  const Classification c =
      Bundled().Classify(Trial("自体靶向CD19嵌合抗原受体T细胞（CAR-T）治疗复发难治性B细胞淋巴瘤"));
  EXPECT_THAT(Types(c), ElementsAre("CAR_T"));
  EXPECT_EQ(Classification::ValueOf(c.allogeneity), "AUTOLOGOUS");
  EXPECT_EQ(Classification::ValueOf(c.gene_modified), "YES");
  EXPECT_EQ(c.gene_modified->evidence[0].rule_id, "type.car_t");
  EXPECT_THAT(Types(Bundled().Classify(Trial("ＣＡＲ－Ｔ细胞治疗多发性骨髓瘤"))),
              ElementsAre("CAR_T"));
}

TEST(ClassificationBundledRulesTest, ChineseExclusions) {
  // Hepatocellular carcinoma contains 肝细胞 (hepatocyte).
  Classification c = Bundled().Classify(Trial("仑伐替尼治疗晚期肝细胞癌的临床研究"));
  EXPECT_FALSE(c.is_cell_therapy);
  ASSERT_EQ(c.exclusions.size(), 1u);
  EXPECT_EQ(c.exclusions[0].rule_id, "x.cell_damage");
  EXPECT_EQ(c.exclusions[0].text, "肝细胞癌");
  // A drug after haematopoietic stem cell transplantation.
  c = Bundled().Classify(Trial("芦可替尼治疗异基因造血干细胞移植后激素耐药急性移植物抗宿主病"));
  EXPECT_FALSE(c.is_cell_therapy);
  // Stem cell transplantation of MSC is a therapy.
  c = Bundled().Classify(Trial("间充质干细胞移植治疗肝硬化"));
  EXPECT_THAT(Types(c), ElementsAre("MSC"));
}

TEST(ClassificationBundledRulesTest, CellWordsThatAreNotTherapies) {
  for (const char* title : {
           "White blood cell count and outcome of COVID-19",
           "nCapp, a cell phone-based auto-diagnosis system",
           "Convalescent plasma for severe COVID-19",
           "NK cell activity after vitamin D supplementation",
           "Tocilizumab for cytokine release syndrome after CAR-T cell therapy",
           "Plerixafor for stem cell mobilization in myeloma",
           "Ruxolitinib for GVHD after allogeneic hematopoietic stem cell transplantation",
           "Palifermin (keratinocyte growth factor) for oral mucositis",
           "Platelet-rich plasma for erectile dysfunction",
           "Urinary exosomes as biomarkers of kidney injury",
           "Cancer stem cell markers in colorectal cancer",
       }) {
    const Classification c = Bundled().Classify(Trial(title));
    EXPECT_FALSE(c.is_cell_therapy) << title << ": " << ::testing::PrintToString(Types(c));
  }
}

TEST(ClassificationBundledRulesTest, BackgroundTransplantDoesNotQualifyTheProduct) {
  const Classification c = Bundled().Classify(
      Trial("Mesenchymal stromal cells for steroid-refractory GVHD after allogeneic stem cell "
            "transplantation"));
  EXPECT_THAT(Types(c), ElementsAre("MSC"));
  // "allogeneic" belongs to the transplant, not to the MSC.
  EXPECT_FALSE(c.allogeneity.has_value());
  ASSERT_FALSE(c.exclusions.empty());
  EXPECT_EQ(c.exclusions[0].rule_id, "x.transplant");
}

TEST(ClassificationBundledRulesTest, ConditionsAreNotRead) {
  TrialText t = Trial("Letermovir prophylaxis", {"Drug: letermovir"});
  t.conditions = {"Mesenchymal stem cell transplantation", "CAR-T related toxicity"};
  EXPECT_FALSE(Bundled().Classify(t).is_cell_therapy);
}

TEST(ClassificationBundledRulesTest, SpecificBeatsGeneric) {
  EXPECT_THAT(Types(Bundled().Classify(Trial("CAR-NK cells for AML"))), ElementsAre("CAR_NK"));
  EXPECT_THAT(Types(Bundled().Classify(Trial("Stem cell therapy for knee osteoarthritis"))),
              ElementsAre("OTHER"));
  EXPECT_THAT(Types(Bundled().Classify(Trial("Stem cell therapy", {"Adipose-derived stem cells"}))),
              ElementsAre("MSC"));
  EXPECT_THAT(Types(Bundled().Classify(Trial("DC-CIK immunotherapy for gastric cancer"))),
              ElementsAre("DC", "OTHER"));
  const Classification c = Bundled().Classify(
      Trial("Chemically induced pluripotent stem cell-derived islets for type 1 diabetes"));
  EXPECT_THAT(Types(c), ElementsAre("ISLET_BETA_CELL"));
  EXPECT_THAT(Sources(c), ElementsAre("CIPSC"));
}

TEST(ClassificationBundledRulesTest, TransplantExclusionsKeepGeneModifiedStemCells) {
  const Classification c = Bundled().Classify(
      Trial("Gene-modified autologous hematopoietic stem cells for sickle cell disease"));
  EXPECT_THAT(Types(c), ElementsAre("HEMATOPOIETIC_STEM_CELL"));
  EXPECT_EQ(Classification::ValueOf(c.allogeneity), "AUTOLOGOUS");
  EXPECT_EQ(Classification::ValueOf(c.gene_modified), "YES");
  EXPECT_FALSE(Bundled()
                   .Classify(Trial("Autologous hematopoietic stem cell transplantation in myeloma"))
                   .is_cell_therapy);
}

TEST(ClassificationBundledRulesTest, PluripotentSources) {
  Classification c = Bundled().Classify(Trial("hESC-derived RPE cells for dry AMD"));
  EXPECT_THAT(Types(c), ElementsAre("RPE"));
  EXPECT_THAT(Sources(c), ElementsAre("HESC"));
  c = Bundled().Classify(
      Trial("iPS cell-derived dopaminergic progenitors for Parkinson's disease"));
  EXPECT_THAT(Types(c), ElementsAre("DOPAMINERGIC_PROGENITOR"));
  EXPECT_THAT(Sources(c), ElementsAre("HIPSC"));
}

TEST(ClassificationBundledRulesTest, ExosomesNameTheirParentCells) {
  const Classification c = Bundled().Classify(
      Trial("Exosomes derived from allogenic adipose mesenchymal stem cells for COVID-19"));
  EXPECT_THAT(Types(c), ElementsAre("EXOSOME"));
  EXPECT_THAT(Sources(c), ElementsAre("ADIPOSE"));
  EXPECT_EQ(Classification::ValueOf(c.allogeneity), "ALLOGENEIC");
  // Given as two products, both count.
  EXPECT_THAT(Types(Bundled().Classify(Trial("HUMSCs and exosomes for lung injury"))),
              ElementsAre("MSC", "EXOSOME"));
  EXPECT_THAT(Types(Bundled().Classify(Trial("MSC-derived exosomes and MSCs for ARDS"))),
              ElementsAre("EXOSOME", "MSC"));
}

TEST(ClassificationBundledRulesTest, SourcesMustQualifyTheCells) {
  Classification c = Bundled().Classify(Trial("NK cells for patients with bone marrow failure"));
  EXPECT_THAT(Sources(c), IsEmpty());
  c = Bundled().Classify(Trial("NK cells expanded from cord blood for AML"));
  EXPECT_THAT(Sources(c), ElementsAre("CORD_BLOOD"));
}

TEST(ClassificationBundledRulesTest, ExplicitAllogeneityBeatsImplied) {
  const Classification c = Bundled().Classify(
      Trial("Autologous umbilical cord blood mononuclear cells for cerebral palsy"));
  EXPECT_THAT(Types(c), ElementsAre("OTHER"));
  EXPECT_THAT(Sources(c), ElementsAre("CORD_BLOOD"));
  EXPECT_EQ(Classification::ValueOf(c.allogeneity), "AUTOLOGOUS");
  EXPECT_EQ(c.allogeneity->evidence[0].rule_id, "allo.autologous");
}

TEST(ClassificationBundledRulesTest, GeneModification) {
  Classification c = Bundled().Classify(Trial("Non-genetically modified NK cells for AML"));
  EXPECT_EQ(Classification::ValueOf(c.gene_modified), "NO");
  EXPECT_EQ(c.gene_modified->evidence[0].rule_id, "gm.unmodified");
  c = Bundled().Classify(Trial("Lentiviral minigene vaccine", {"LV-SMENP-DC vaccine"}));
  EXPECT_THAT(Types(c), ElementsAre("DC"));
  EXPECT_EQ(Classification::ValueOf(c.gene_modified), "YES");
  EXPECT_EQ(c.gene_modified->evidence[0].field, TextField::kTitle);
}

TEST(ClassificationBundledRulesTest, NotACellTherapyHasNoAttributes) {
  const Classification c = Bundled().Classify(Trial("Autologous platelet-rich plasma"));
  EXPECT_FALSE(c.is_cell_therapy);
  EXPECT_THAT(c.cell_types, IsEmpty());
  EXPECT_FALSE(c.allogeneity.has_value());
  EXPECT_FALSE(c.gene_modified.has_value());
}

// ---- Rules files -------------------------------------------------------------------

std::string RuleFile(const std::string& rule, const std::string& top = "") {
  return absl::StrCat(R"({"version": 1, )", top, R"("rules": [)", rule, "]}");
}

absl::Status LoadError(const std::string& json) {
  absl::StatusOr<Classifier> c = Classifier::FromString(json, "test.json");
  return c.ok() ? absl::OkStatus() : c.status();
}

TEST(ClassificationRulesFileTest, MinimalRuleWorks) {
  absl::StatusOr<Classifier> c = Classifier::FromString(
      RuleFile(R"({"id": "r", "patterns": ["foo cell*"], "set": {"cell_type": "OTHER"}})"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->Classify(Trial("Foo cells")).is_cell_therapy);
  EXPECT_FALSE(c->Classify(Trial("Foot cells")).is_cell_therapy);
}

TEST(ClassificationRulesFileTest, RuleExcludeCancelsOnlyItsOwnMatches) {
  absl::StatusOr<Classifier> c = Classifier::FromString(
      RuleFile(R"({"id": "a", "patterns": ["foo cell*"], "exclude": ["foo cell bank*"],
                   "set": {"cell_type": "OTHER"}},
                  {"id": "b", "patterns": ["cell bank*"], "set": {"cell_type": "NK"}})"));
  ASSERT_TRUE(c.ok()) << c.status();
  const Classification r = c->Classify(Trial("Foo cell banking"));
  EXPECT_THAT(Types(r), ElementsAre("NK"));
  ASSERT_EQ(r.exclusions.size(), 1u);
  EXPECT_EQ(r.exclusions[0].rule_id, "a.exclude");
  EXPECT_EQ(r.exclusions[0].text, "Foo cell banking");
}

TEST(ClassificationRulesFileTest, BadRulesAreRejectedWithTheirLocation) {
  const struct {
    std::string json;
    std::string message;
  } kCases[] = {
      {RuleFile(R"({"id": "type.nk", "patterns": ["nk"], "set": {"cell_type": "NKK"}})"),
       R"(test.json: rules[0] (type.nk): set.cell_type: unknown value "NKK")"},
      {RuleFile(
           R"({"id": "r", "patterns": ["nk"], "fields": ["titel"], "set": {"cell_type": "NK"}})"),
       R"(rules[0] (r): fields: unknown field "titel")"},
      {RuleFile(R"({"id": "r", "patterns": ["nk", "*nk"], "set": {"cell_type": "NK"}})"),
       "rules[0] (r): patterns[1]: pattern \"*nk\""},
      {RuleFile(R"({"id": "r", "paterns": ["nk"], "set": {"cell_type": "NK"}})"),
       R"(rules[0] (r): unknown key "paterns")"},
      {RuleFile(R"({"id": "r", "patterns": [], "set": {"cell_type": "NK"}})"),
       "rules[0] (r): patterns: must not be empty"},
      {RuleFile(R"({"id": "r", "patterns": ["nk"], "set": {"cell_colour": "NK"}})"),
       R"(rules[0] (r): set.cell_colour: unknown attribute)"},
      {RuleFile(R"({"id": "r", "patterns": ["nk"]})"), "rules[0] (r): needs \"set\""},
      {RuleFile(R"({"id": "r", "patterns": ["a"], "set": {"cell_type": "NK"}},
                   {"id": "r", "patterns": ["b"], "set": {"cell_type": "NK"}})"),
       "rules[1] (r): duplicate id"},
      {RuleFile(R"({"id": "r", "patterns": ["a"], "set": {"cell_source": "ADIPOSE"},
                    "suppress_types": ["*"]})"),
       "rules[0] (r): suppress_types: only a rule that sets cell_type"},
      {RuleFile(
           R"({"id": "r", "patterns": ["a"], "set": {"cell_type": "NK"}, "near": {"before": 2}})"),
       "rules[0] (r): near: a rule that sets cell_type"},
      {RuleFile(R"({"id": "r", "patterns": ["a"], "set": {"allogeneity": ["AUTOLOGOUS"]}})"),
       "rules[0] (r): set.allogeneity: expected a string"},
      {RuleFile(R"({"id": "r", "patterns": ["a"], "set": {"cell_type": "NK"}})",
                R"("defaults": {"gene_modified": "MAYBE"}, )"),
       R"(defaults.gene_modified: unknown value "MAYBE")"},
      {RuleFile(R"({"id": "r", "patterns": ["a"], "set": {"cell_type": "NK"}})",
                R"("exclusions": [{"id": "x", "patterns": ["b*c"]}], )"),
       "exclusions[0] (x): patterns[0]: pattern \"b*c\""},
      {R"({"version": 2, "rules": []})", "test.json: version: expected 1"},
      {R"({"version": 1, "rules": []})", "rules: expected a non-empty array"},
      {R"({"version": 1, "rules": [)", "test.json: byte"},
  };
  for (const auto& c : kCases) {
    const absl::Status s = LoadError(c.json);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.message)) << c.json;
  }
}

TEST(ClassificationRulesFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(Classifier::FromFile("/nonexistent/rules.json").status().code(),
            absl::StatusCode::kNotFound);
}

// ---- Agreement with the catalog ---------------------------------------------------

std::string ReadProto() {
  std::ifstream in(REGENATLAS_SOURCE_DIR "/proto/regenatlas/catalog/v1/resources.proto");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ClassificationVocabularyTest, CellTypesAreTheCatalogsEnum) {
  const std::string proto = ReadProto();
  ASSERT_FALSE(proto.empty());
  for (const std::string& type : KnownValues(Attribute::kCellType)) {
    EXPECT_THAT(proto, HasSubstr(absl::StrCat("  CELL_TYPE_", type, " = "))) << type;
  }
  // And the other way round: every CELL_TYPE_ value is known.
  size_t count = 0;
  for (size_t at = proto.find("  CELL_TYPE_"); at != std::string::npos;
       at = proto.find("  CELL_TYPE_", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, KnownValues(Attribute::kCellType).size() + 1);  // + UNSPECIFIED
}

TEST(ClassificationVocabularyTest, CatalogCellSource) {
  EXPECT_EQ(CatalogCellSource("MSC", "UMBILICAL_CORD"), "MSC_UMBILICAL_CORD");
  EXPECT_EQ(CatalogCellSource("MSC", "MENSTRUAL_BLOOD"), "MSC_OTHER");
  EXPECT_EQ(CatalogCellSource("MSC", ""), "");
  EXPECT_EQ(CatalogCellSource("EXOSOME", "ADIPOSE"), "MSC_ADIPOSE");
  EXPECT_EQ(CatalogCellSource("NK", ""), "PRIMARY_IMMUNE");
  EXPECT_EQ(CatalogCellSource("NK", "CORD_BLOOD"), "CORD_BLOOD");
  EXPECT_EQ(CatalogCellSource("CAR_NK", "HIPSC"), "HIPSC");
  EXPECT_EQ(CatalogCellSource("RPE", "HESC"), "HESC");
  EXPECT_EQ(CatalogCellSource("CHONDROCYTE", ""), "PRIMARY_SOMATIC");
  EXPECT_EQ(CatalogCellSource("OTHER", ""), "");
  const std::string proto = ReadProto();
  for (const std::string& type : KnownValues(Attribute::kCellType)) {
    for (const std::string& source : KnownValues(Attribute::kCellSource)) {
      const std::string mapped = CatalogCellSource(type, source);
      if (mapped.empty()) continue;
      EXPECT_THAT(proto, HasSubstr(absl::StrCat("  CELL_SOURCE_", mapped, " = ")))
          << type << " " << source;
    }
  }
}

}  // namespace
}  // namespace regenatlas::catalog::classification
