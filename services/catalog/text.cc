#include "services/catalog/text.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"

namespace regenatlas::catalog {
namespace {

using catalog::v1::CellSource;
using catalog::v1::CellType;

// Decodes UTF-8 leniently: an invalid byte becomes U+FFFD.
std::u32string Decode(absl::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(ok ? cp : 0xFFFD);
    i += ok ? len : 1;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsPunctuation(char32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F) ||  // general punctuation: – — ‘ ’ “ ” …
         (cp >= 0x3000 && cp <= 0x303F) ||  // CJK symbols and punctuation: 、。《》
         (cp >= 0x00A0 && cp <= 0x00BF) ||  // Latin-1 punctuation, NBSP, ·
         cp == 0x00D7 || cp == 0xFFFD || cp == 0x30FB || (cp >= 0xFE30 && cp <= 0xFE4F);
}

}  // namespace

std::string NormalizeForSearch(absl::string_view text) {
  std::string out;
  for (char32_t cp : Decode(text)) {
    // Full-width ASCII variants (ＮＣＴ１２) fold to ASCII.
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp = cp - 0xFF01 + 0x21;
    if (cp == 0x3000) continue;
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
      continue;
    }
    if (IsPunctuation(cp)) continue;
    AppendUtf8(out, cp);
  }
  return out;
}

std::vector<std::string> SearchGrams(absl::string_view normalized) {
  std::u32string cps = Decode(normalized);
  std::set<std::string> grams;
  for (size_t i = 0; i < cps.size(); ++i) {
    std::string uni;
    AppendUtf8(uni, cps[i]);
    grams.insert(uni);
    if (i + 1 < cps.size()) {
      std::string bi = uni;
      AppendUtf8(bi, cps[i + 1]);
      grams.insert(bi);
    }
  }
  return {grams.begin(), grams.end()};
}

std::vector<std::string> QueryGrams(absl::string_view normalized) {
  std::u32string cps = Decode(normalized);
  std::set<std::string> grams;
  if (cps.size() == 1) {
    std::string uni;
    AppendUtf8(uni, cps[0]);
    grams.insert(uni);
  }
  for (size_t i = 0; i + 1 < cps.size(); ++i) {
    std::string bi;
    AppendUtf8(bi, cps[i]);
    AppendUtf8(bi, cps[i + 1]);
    grams.insert(bi);
  }
  return {grams.begin(), grams.end()};
}

std::vector<std::string> CellTypeLabels(CellType type) {
  switch (type) {
    case catalog::v1::CELL_TYPE_NK:
      return {"NK cell", "natural killer cell", "自然杀伤细胞", "NK细胞"};
    case catalog::v1::CELL_TYPE_CAR_NK:
      return {"CAR-NK", "CAR-NK细胞"};
    case catalog::v1::CELL_TYPE_CAR_T:
      return {"CAR-T", "CAR-T细胞"};
    case catalog::v1::CELL_TYPE_TCR_T:
      return {"TCR-T", "TCR-T细胞"};
    case catalog::v1::CELL_TYPE_TIL:
      return {"tumour-infiltrating lymphocyte", "TIL", "肿瘤浸润淋巴细胞"};
    case catalog::v1::CELL_TYPE_NKT:
      return {"NKT cell", "NKT细胞"};
    case catalog::v1::CELL_TYPE_DC:
      return {"dendritic cell", "树突状细胞"};
    case catalog::v1::CELL_TYPE_PLATELET:
      return {"platelet", "血小板"};
    case catalog::v1::CELL_TYPE_CARDIOMYOCYTE:
      return {"cardiomyocyte", "心肌细胞"};
    case catalog::v1::CELL_TYPE_CARDIAC_PROGENITOR:
      return {"cardiac progenitor", "心脏祖细胞"};
    case catalog::v1::CELL_TYPE_DOPAMINERGIC_PROGENITOR:
      return {"dopaminergic progenitor", "dopaminergic neuron", "多巴胺能神经前体细胞",
              "多巴胺能神经元"};
    case catalog::v1::CELL_TYPE_NSC:
      return {"neural stem cell", "神经干细胞"};
    case catalog::v1::CELL_TYPE_NPC:
      return {"neural progenitor cell", "神经前体细胞"};
    case catalog::v1::CELL_TYPE_OPC:
      return {"oligodendrocyte progenitor cell", "少突胶质前体细胞"};
    case catalog::v1::CELL_TYPE_ASTROCYTE:
      return {"astrocyte", "星形胶质细胞"};
    case catalog::v1::CELL_TYPE_INHIBITORY_INTERNEURON:
      return {"inhibitory interneuron", "抑制性中间神经元"};
    case catalog::v1::CELL_TYPE_RPE:
      return {"retinal pigment epithelium", "RPE", "视网膜色素上皮细胞"};
    case catalog::v1::CELL_TYPE_PHOTORECEPTOR:
      return {"photoreceptor", "感光细胞"};
    case catalog::v1::CELL_TYPE_CORNEAL_ENDOTHELIUM:
      return {"corneal endothelial cell", "角膜内皮细胞"};
    case catalog::v1::CELL_TYPE_ISLET_BETA_CELL:
      return {"islet beta cell", "胰岛β细胞", "胰岛细胞"};
    case catalog::v1::CELL_TYPE_HEPATOCYTE:
      return {"hepatocyte", "肝细胞"};
    case catalog::v1::CELL_TYPE_MSC:
      return {"mesenchymal stem cell", "MSC", "间充质干细胞"};
    case catalog::v1::CELL_TYPE_EPC:
      return {"endothelial progenitor cell", "内皮祖细胞"};
    case catalog::v1::CELL_TYPE_MYOBLAST:
      return {"myoblast", "成肌细胞"};
    case catalog::v1::CELL_TYPE_CHONDROCYTE:
      return {"chondrocyte", "软骨细胞"};
    case catalog::v1::CELL_TYPE_OVARIAN_SUPPORT_CELL:
      return {"ovarian support cell", "卵巢支持细胞"};
    case catalog::v1::CELL_TYPE_EXOSOME:
      return {"exosome", "外泌体"};
    case catalog::v1::CELL_TYPE_MACROPHAGE:
      return {"macrophage", "巨噬细胞"};
    case catalog::v1::CELL_TYPE_T_CELL:
      return {"T cell", "T细胞"};
    case catalog::v1::CELL_TYPE_KERATINOCYTE:
      return {"keratinocyte", "角质形成细胞"};
    case catalog::v1::CELL_TYPE_FIBROBLAST:
      return {"fibroblast", "成纤维细胞"};
    case catalog::v1::CELL_TYPE_CORNEAL_EPITHELIUM:
      return {"corneal epithelial cell", "角膜上皮细胞"};
    case catalog::v1::CELL_TYPE_HEMATOPOIETIC_STEM_CELL:
      return {"haematopoietic stem cell", "造血干细胞"};
    case catalog::v1::CELL_TYPE_RED_BLOOD_CELL:
      return {"red blood cell", "红细胞"};
    case catalog::v1::CELL_TYPE_NEURON:
      return {"neuron", "神经元"};
    case catalog::v1::CELL_TYPE_SKELETAL_MUSCLE:
      return {"skeletal muscle cell", "骨骼肌细胞"};
    case catalog::v1::CELL_TYPE_EPITHELIAL:
      return {"epithelial cell", "上皮细胞"};
    default:
      return {};
  }
}

std::vector<std::string> CellSourceLabels(CellSource source) {
  switch (source) {
    case catalog::v1::CELL_SOURCE_HESC:
      return {"hESC", "embryonic stem cell", "人胚胎干细胞"};
    case catalog::v1::CELL_SOURCE_HIPSC:
      return {"hiPSC", "iPSC", "induced pluripotent stem cell", "诱导多能干细胞"};
    case catalog::v1::CELL_SOURCE_CIPSC:
      return {"CiPSC", "chemically induced pluripotent stem cell", "化学诱导多能干细胞"};
    case catalog::v1::CELL_SOURCE_MSC_UMBILICAL_CORD:
      return {"umbilical cord MSC", "脐带间充质干细胞"};
    case catalog::v1::CELL_SOURCE_MSC_BONE_MARROW:
      return {"bone marrow MSC", "骨髓间充质干细胞"};
    case catalog::v1::CELL_SOURCE_MSC_ADIPOSE:
      return {"adipose MSC", "脂肪间充质干细胞"};
    case catalog::v1::CELL_SOURCE_MSC_PLACENTA:
      return {"placenta MSC", "胎盘间充质干细胞"};
    default:
      return {};
  }
}

catalog::v1::CellCategory CategoryOf(CellSource source) {
  switch (source) {
    case catalog::v1::CELL_SOURCE_HESC:
    case catalog::v1::CELL_SOURCE_HIPSC:
    case catalog::v1::CELL_SOURCE_CIPSC:
      return catalog::v1::CELL_CATEGORY_PSC;
    case catalog::v1::CELL_SOURCE_MSC_UMBILICAL_CORD:
    case catalog::v1::CELL_SOURCE_MSC_BONE_MARROW:
    case catalog::v1::CELL_SOURCE_MSC_ADIPOSE:
    case catalog::v1::CELL_SOURCE_MSC_PLACENTA:
    case catalog::v1::CELL_SOURCE_MSC_DENTAL_PULP:
    case catalog::v1::CELL_SOURCE_MSC_OTHER:
      return catalog::v1::CELL_CATEGORY_MSC;
    case catalog::v1::CELL_SOURCE_PRIMARY_IMMUNE:
      return catalog::v1::CELL_CATEGORY_IMMUNE;
    case catalog::v1::CELL_SOURCE_PRIMARY_SOMATIC:
    case catalog::v1::CELL_SOURCE_CORD_BLOOD:
    case catalog::v1::CELL_SOURCE_FETAL:
      return catalog::v1::CELL_CATEGORY_SOMATIC;
    case catalog::v1::CELL_SOURCE_OTHER:
      return catalog::v1::CELL_CATEGORY_OTHER;
    default:
      return catalog::v1::CELL_CATEGORY_UNSPECIFIED;
  }
}

int StageRank(common::v1::DevelopmentStage stage) {
  if (stage == common::v1::DEVELOPMENT_STAGE_WITHDRAWN ||
      stage == common::v1::DEVELOPMENT_STAGE_TERMINATED) {
    return 0;
  }
  // Declared in order of progress (common.proto).
  return static_cast<int>(stage);
}

std::string ShortEnumName(const std::string& full, absl::string_view prefix) {
  return absl::StartsWith(full, prefix) ? full.substr(prefix.size()) : full;
}

}  // namespace regenatlas::catalog
