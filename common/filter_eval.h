#ifndef REGENATLAS_COMMON_FILTER_EVAL_H_
#define REGENATLAS_COMMON_FILTER_EVAL_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/filter.h"

namespace regenatlas::filter {

// The one evaluation algorithm of resolved filters, over any set type, so
// that sorted id lists (filter::Evaluate) and bitmaps (the query engine)
// give the same results. `Sets` provides:
//   absl::StatusOr<Set> Match(field, spec, op, value);  // never kNe
//   absl::StatusOr<Set> All();
//   Set Intersect(Set, const Set&); Set Union(Set, const Set&);
//   Set Difference(Set, const Set&);
template <typename Set, typename Sets>
absl::StatusOr<Set> EvaluateWith(const Node* node, const Schema& schema, Sets& sets) {
  if (node == nullptr) return sets.All();
  switch (node->kind) {
    case Node::Kind::kCompare: {
      const FieldSpec& spec = schema.at(node->field);
      if (node->op == Op::kNe) {
        auto all = sets.All();
        if (!all.ok()) return all;
        auto eq = sets.Match(node->field, spec, Op::kEq, node->value);
        if (!eq.ok()) return eq;
        return sets.Difference(*std::move(all), *eq);
      }
      return sets.Match(node->field, spec, node->op, node->value);
    }
    case Node::Kind::kOr: {
      std::optional<Set> acc;
      for (const auto& child : node->children) {
        auto ids = EvaluateWith<Set>(child.get(), schema, sets);
        if (!ids.ok()) return ids;
        acc = acc.has_value() ? sets.Union(*std::move(acc), *ids) : *std::move(ids);
      }
      if (!acc.has_value()) return Set();
      return *std::move(acc);
    }
    case Node::Kind::kNot: {
      auto all = sets.All();
      if (!all.ok()) return all;
      auto inner = EvaluateWith<Set>(node->children[0].get(), schema, sets);
      if (!inner.ok()) return inner;
      return sets.Difference(*std::move(all), *inner);
    }
    case Node::Kind::kAnd: {
      // Intersect the positive parts first and subtract the negated ones,
      // so that "a AND NOT b" never enumerates every record.
      std::optional<Set> acc;
      std::vector<Set> negatives;
      for (const auto& child : node->children) {
        const Node* c = child.get();
        absl::StatusOr<Set> ids;
        bool negated = true;
        if (c->kind == Node::Kind::kNot) {
          ids = EvaluateWith<Set>(c->children[0].get(), schema, sets);
        } else if (c->kind == Node::Kind::kCompare && c->op == Op::kNe) {
          ids = sets.Match(c->field, schema.at(c->field), Op::kEq, c->value);
        } else {
          negated = false;
          ids = EvaluateWith<Set>(c, schema, sets);
        }
        if (!ids.ok()) return ids;
        if (negated) {
          negatives.push_back(*std::move(ids));
        } else {
          acc = acc.has_value() ? sets.Intersect(*std::move(acc), *ids) : *std::move(ids);
        }
      }
      if (!acc.has_value()) {
        auto all = sets.All();
        if (!all.ok()) return all;
        acc = *std::move(all);
      }
      for (const Set& n : negatives) acc = sets.Difference(*std::move(acc), n);
      return *std::move(acc);
    }
  }
  return absl::InternalError("filter: unknown node");
}

}  // namespace regenatlas::filter

#endif  // REGENATLAS_COMMON_FILTER_EVAL_H_
