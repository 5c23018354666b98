// Grouped counts of a whole table kept by the commits (TableIndex::CountAll)
// so that an unfiltered CountTrials costs the number of groups, not the
// number of records.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/table_index.h"

namespace regenatlas {

std::shared_ptr<const GroupCounts> CountGroups(const TableIndex& index, const Bitmap& matches,
                                               const std::vector<std::string>& fields) {
  // matches is always a subset of all(): equal sizes mean the whole table.
  if (!fields.empty() && matches.cardinality() == index.size()) return index.CountAll(fields);
  return std::make_shared<const GroupCounts>(CountGroupsFromBitmaps(index, matches, fields));
}

size_t TableIndex::counters() const {
  absl::MutexLock lock(&counters_mu_);
  return counters_.size();
}

uint64_t TableIndex::counter_builds() const {
  absl::MutexLock lock(&counters_mu_);
  return counter_builds_;
}

std::shared_ptr<const GroupCounts> TableIndex::CountAll(
    const std::vector<std::string>& fields) const {
  std::vector<int> slots;
  for (const std::string& field : fields) {
    const int slot = static_cast<int>(
        std::find(options_.memory_fields.begin(), options_.memory_fields.end(), field) -
        options_.memory_fields.begin());
    // Not a memory field: no counter could follow it.
    if (slot == static_cast<int>(options_.memory_fields.size())) {
      return std::make_shared<const GroupCounts>(CountGroupsFromBitmaps(*this, all_, fields));
    }
    slots.push_back(slot);
  }
  absl::MutexLock lock(&counters_mu_);
  ++counter_uses_;
  for (Counter& counter : counters_) {
    if (counter.fields != slots) continue;
    if (counter.generation != generation_) {
      ++counter_builds_;
      counter.groups = std::make_shared<GroupCounts>(CountGroupsFromBitmaps(*this, all_, fields));
      counter.generation = generation_;
    }
    counter.last_used = counter_uses_;
    return counter.groups;
  }
  // Counted under counters_mu_ so that concurrent first calls of one
  // grouping count once; other groupings wait for it.
  ++counter_builds_;
  auto groups = std::make_shared<GroupCounts>(CountGroupsFromBitmaps(*this, all_, fields));
  if (groups->size() > options_.max_counter_groups || options_.max_counters == 0) return groups;
  if (counters_.size() >= options_.max_counters) {
    counters_.erase(std::min_element(
        counters_.begin(), counters_.end(),
        [](const Counter& a, const Counter& b) { return a.last_used < b.last_used; }));
  }
  counters_.push_back(Counter{slots, generation_, counter_uses_, groups});
  return groups;
}

// Runs while mu_ is held exclusively (commits) or before the index is
// shared (load, rebuild): no reader is inside CountAll.
void TableIndex::UpdateCounters(const Terms& terms, int delta) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (counters_.empty()) return;
  // The record's distinct values of a field, or "(none)".
  auto values_of = [&](int slot) {
    std::vector<std::string> values;
    for (const auto& [f, p] : terms.postings) {
      if (f == slot) values.push_back(p.number.has_value() ? absl::StrCat(*p.number) : p.value);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (values.empty()) values.push_back(kNoGroupValue);
    return values;
  };
  for (auto counter = counters_.begin(); counter != counters_.end();) {
    // A counter that missed a change stays stale; CountAll rebuilds it.
    if (counter->generation + 1 != generation_) {
      ++counter;
      continue;
    }
    counter->generation = generation_;
    // Copy on write: readers may still hold the counts of before.
    if (counter->groups.use_count() > 1) {
      counter->groups = std::make_shared<GroupCounts>(*counter->groups);
    }
    GroupCounts& groups = *counter->groups;
    auto add = [&](std::vector<std::string> key) {
      auto it = groups.try_emplace(std::move(key), 0).first;
      it->second += delta;
      if (it->second == 0) groups.erase(it);
    };
    const std::vector<std::string> first = values_of(counter->fields[0]);
    if (counter->fields.size() == 1) {
      for (const std::string& a : first) add({a});
    } else {
      const std::vector<std::string> second = values_of(counter->fields[1]);
      for (const std::string& a : first) {
        for (const std::string& b : second) add({a, b});
      }
    }
    if (groups.size() > options_.max_counter_groups) {
      counter = counters_.erase(counter);
    } else {
      ++counter;
    }
  }
}

}  // namespace regenatlas
