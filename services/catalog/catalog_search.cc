// Product search: staging each product's search document and n-gram
// postings in the write's batch (StageSearch), and SearchProducts, which
// intersects the query's grams with the filter's matches, scores the hits
// on their documents, counts the facets and pages the result.
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/text.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using internal::EnumName;
using internal::kIndexCf;
using internal::kSearchDocKey;
using internal::kSearchKey;
using internal::StageEnum;
using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

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
  ASSIGN_OR_RETURN(std::optional<std::string> old_doc, store_->Get(kIndexCf, doc_key));
  std::set<std::string> old_grams, new_grams;
  if (old_doc.has_value()) {
    for (const SearchLine& l : ParseSearchDoc(*old_doc)) {
      for (std::string& g : SearchGrams(l.normalized)) old_grams.insert(std::move(g));
    }
  }
  std::string doc;
  if (product != nullptr) {
    std::vector<std::pair<std::string, std::string>> texts;  // category, original
    texts.emplace_back("name", product->display_name());
    // The resource id ("remestemcel-l") is a name people paste into search.
    texts.emplace_back("name", std::string(id));
    for (const auto& n : product->names()) texts.emplace_back("name", n.text());
    for (const std::string& s : product->sponsors()) {
      Organization org;
      ASSIGN_OR_RETURN(bool found, Load(organizations_, s, pending, &org));
      if (!found) continue;
      texts.emplace_back("sponsor", org.display_name());
      for (const auto& n : org.names()) texts.emplace_back("sponsor", n.text());
    }
    for (const std::string& i : product->indications()) {
      Indication ind;
      ASSIGN_OR_RETURN(bool found, Load(indications_, i, pending, &ind));
      if (!found) continue;
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
  ASSIGN_OR_RETURN(int limit, NormalizePageSize(request.page_size()));
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(request.filter()));
  RETURN_IF_ERROR(filter::Resolve(node.get(), ProductSchema()));
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
  if (node != nullptr) {
    CatalogPostings postings(this, "products", snapshot);
    ASSIGN_OR_RETURN(Bitmap ids, EvaluateFilter(node.get(), ProductSchema(), postings));
    std::vector<std::string> names;
    for (uint32_t d : ids) names.push_back(postings.index().IdOf(d));
    candidates = SortedUnique(std::move(names));
  }
  lock.Release();
  for (const std::string& token : tokens) {
    for (const std::string& gram : QueryGrams(token)) {
      std::vector<std::string> ids;
      std::string prefix = Key().String(kSearchKey).String(gram).Release();
      RETURN_IF_ERROR(store_->Scan(kIndexCf, ScanRange::Prefix(prefix), snapshot,
                                   [&](absl::string_view key, absl::string_view) {
                                     KeyReader r(key.substr(prefix.size()));
                                     absl::StatusOr<std::string> id = r.String();
                                     if (id.ok()) ids.push_back(*std::move(id));
                                     return true;
                                   }));
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
      ASSIGN_OR_RETURN(
          std::optional<std::string> doc,
          store_->Get(kIndexCf, Key().String(kSearchDocKey).String(id).Release(), snapshot));
      if (!doc.has_value()) continue;
      std::vector<SearchLine> lines = ParseSearchDoc(*doc);
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
    ASSIGN_OR_RETURN(bool found, products_.FindRaw(id, &hit.product, snapshot));
    if (!found) continue;
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
      absl::StrCat("search|", absl::StrJoin(tokens, " "), "|", filter::Canonical(node.get()));
  std::string after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken(request.page_token(), query));
  }
  auto it =
      after.empty()
          ? hits.begin()
          : std::upper_bound(hits.begin(), hits.end(), after,
                             [](const std::string& pos, const Hit& h) { return pos < h.position; });
  for (int n = 0; it != hits.end() && n < limit; ++it, ++n) {
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

}  // namespace regenatlas::catalog
