#include "common/dataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/paging.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "regenatlas/common/v1/common.pb.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class Collector : public google::protobuf::io::ErrorCollector {
 public:
  Collector(std::string file, std::vector<std::string>* errors)
      : file_(std::move(file)), errors_(errors) {}
  void AddError(int line, int column, const std::string& message) override {
    errors_->push_back(absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, int column, const std::string& message) override {
    errors_->push_back(absl::StrCat(file_, ":", line + 1, ":", column + 1, ": warning: ", message));
  }

 private:
  std::string file_;
  std::vector<std::string>* errors_;
};

std::string NameOf(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("name");
  return f == nullptr ? "" : m.GetReflection()->GetString(m, f);
}

bool IsSetField(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  if (f->has_presence()) return r->HasField(m, f);
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return !r->GetString(m, f).empty();
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnumValue(m, f) != 0;
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(m, f) != 0;
    case FieldDescriptor::CPPTYPE_INT64:
      return r->GetInt64(m, f) != 0;
    case FieldDescriptor::CPPTYPE_UINT32:
      return r->GetUInt32(m, f) != 0;
    case FieldDescriptor::CPPTYPE_UINT64:
      return r->GetUInt64(m, f) != 0;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetDouble(m, f) != 0;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return r->GetFloat(m, f) != 0;
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(m, f);
    default:
      return false;
  }
}

// Text of a singular field's value for a Claim.
std::string ValueText(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Message& sub = r->GetMessage(m, f);
    if (const auto* d = dynamic_cast<const common::v1::PartialDate*>(&sub)) {
      return FormatPartialDate(*d);
    }
    if (const auto* id = dynamic_cast<const common::v1::RegistryId*>(&sub)) return id->id();
    return sub.ShortDebugString();
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) return r->GetEnum(m, f)->name();
  std::string out;
  google::protobuf::TextFormat::PrintFieldValueToString(m, f, -1, &out);
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && out.size() >= 2) {
    return r->GetString(m, f);
  }
  return out;
}

// The first citation of a record, as a template for the claims it makes.
common::v1::SourceCitation FirstCitation(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("sources");
  if (f != nullptr && f->is_repeated() && m.GetReflection()->FieldSize(m, f) > 0) {
    const Message& c = m.GetReflection()->GetRepeatedMessage(m, f, 0);
    if (const auto* citation = dynamic_cast<const common::v1::SourceCitation*>(&c)) {
      return *citation;
    }
  }
  return {};
}

void AddClaim(Message* record, const std::string& field, const std::string& value,
              const common::v1::SourceCitation& citation) {
  const FieldDescriptor* claims = record->GetDescriptor()->FindFieldByName("claims");
  if (claims == nullptr) return;
  const Reflection* r = record->GetReflection();
  for (int i = 0; i < r->FieldSize(*record, claims); ++i) {
    const auto& c =
        static_cast<const common::v1::Claim&>(r->GetRepeatedMessage(*record, claims, i));
    if (c.field() == field && c.value() == value && c.citation().source() == citation.source()) {
      return;
    }
  }
  auto* claim = static_cast<common::v1::Claim*>(r->AddMessage(record, claims));
  claim->set_field(field);
  claim->set_value(value);
  *claim->mutable_citation() = citation;
}

// Appends element k of `from`'s repeated field f to `to`.
void AppendRepeated(const Message& from, const FieldDescriptor* f, int k, Message* to) {
  const Reflection* fr = from.GetReflection();
  const Reflection* tr = to->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      tr->AddMessage(to, f)->CopyFrom(fr->GetRepeatedMessage(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      tr->AddString(to, f, fr->GetRepeatedString(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      tr->AddEnumValue(to, f, fr->GetRepeatedEnumValue(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      tr->AddInt32(to, f, fr->GetRepeatedInt32(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      tr->AddInt64(to, f, fr->GetRepeatedInt64(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      tr->AddDouble(to, f, fr->GetRepeatedDouble(from, f, k));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      tr->AddBool(to, f, fr->GetRepeatedBool(from, f, k));
      break;
    default:
      break;
  }
}

// Copies singular field f from `from` to `to`.
void CopySingular(const Message& from, const FieldDescriptor* f, Message* to) {
  const Reflection* fr = from.GetReflection();
  const Reflection* tr = to->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      tr->MutableMessage(to, f)->CopyFrom(fr->GetMessage(from, f));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      tr->SetString(to, f, fr->GetString(from, f));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      tr->SetEnumValue(to, f, fr->GetEnumValue(from, f));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      tr->SetInt32(to, f, fr->GetInt32(from, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      tr->SetInt64(to, f, fr->GetInt64(from, f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      tr->SetDouble(to, f, fr->GetDouble(from, f));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      tr->SetBool(to, f, fr->GetBool(from, f));
      break;
    default:
      break;
  }
}

// Free-text fields: each document's wording is kept, and different
// wordings are not a disagreement between sources.
bool IsNarrative(const FieldDescriptor* f) {
  static const auto* kNarrative = new std::set<std::string>{
      "description", "original_text", "status_note", "cell_type_detail", "summary",  "note",
      "date_note",   "title_en",      "phase_text",  "subject",          "qualifier"};
  return f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && kNarrative->count(f->name()) > 0;
}

// Enum values that are a more specific form of another.
bool Refines(const std::string& specific, const std::string& general) {
  static const auto* kRefines = new std::set<std::pair<std::string, std::string>>{
      {"EVENT_TYPE_CONDITIONAL_APPROVAL", "EVENT_TYPE_APPROVAL"},
      {"EVENT_TYPE_MARKETING_APPLICATION_ACCEPTED", "EVENT_TYPE_MARKETING_APPLICATION_SUBMITTED"},
      {"PATHWAY_TIME_LIMITED_CONDITIONAL_APPROVAL", "PATHWAY_CONDITIONAL_APPROVAL"},
  };
  return kRefines->count({specific, general}) > 0;
}

bool IsDateRefinement(const common::v1::PartialDate& coarse, const common::v1::PartialDate& fine) {
  if (coarse.year() != fine.year()) return false;
  if (coarse.month() == 0) return true;
  if (coarse.month() != fine.month()) return false;
  return coarse.day() == 0 || coarse.day() == fine.day();
}

// Merges `incoming` (from `file`) into `base` (already merged from earlier files).
void MergeRecord(Message* base, const Message& incoming, const std::string& base_files,
                 const std::string& file, DatasetReport* report) {
  const Reflection* r = base->GetReflection();
  const google::protobuf::Descriptor* d = base->GetDescriptor();
  const common::v1::SourceCitation base_cite = FirstCitation(*base);
  const common::v1::SourceCitation in_cite = FirstCitation(incoming);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->name() == "name") continue;
    if (f->is_repeated()) {
      std::set<std::string> have;
      for (int k = 0; k < r->FieldSize(*base, f); ++k) {
        std::string text;
        google::protobuf::TextFormat::PrintFieldValueToString(*base, f, k, &text);
        have.insert(text);
      }
      for (int k = 0; k < r->FieldSize(incoming, f); ++k) {
        std::string text;
        google::protobuf::TextFormat::PrintFieldValueToString(incoming, f, k, &text);
        if (!have.insert(text).second) continue;
        AppendRepeated(incoming, f, k, base);
      }
      continue;
    }
    if (!IsSetField(incoming, f)) continue;
    if (!IsSetField(*base, f)) {
      CopySingular(incoming, f, base);
      continue;
    }
    const std::string a = ValueText(*base, f), b = ValueText(incoming, f);
    if (a == b) continue;
    if (IsNarrative(f)) {
      // Prose from several documents is kept side by side, not contested.
      if (!absl::StrContains(a, b)) r->SetString(base, f, absl::StrCat(a, "\n", b));
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      // A more specific statement of the same thing wins (both are kept as
      // claims): "conditional approval" refines "approval".
      if (Refines(b, a)) {
        AddClaim(base, f->name(), a, base_cite);
        AddClaim(base, f->name(), b, in_cite);
        CopySingular(incoming, f, base);
        continue;
      }
      if (Refines(a, b)) {
        AddClaim(base, f->name(), a, base_cite);
        AddClaim(base, f->name(), b, in_cite);
        continue;
      }
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const auto* da = dynamic_cast<const common::v1::PartialDate*>(&r->GetMessage(*base, f));
      const auto* db = dynamic_cast<const common::v1::PartialDate*>(
          &incoming.GetReflection()->GetMessage(incoming, f));
      if (da != nullptr && db != nullptr) {
        if (IsDateRefinement(*da, *db)) {
          CopySingular(incoming, f, base);  // more precise, same period
          // Whether the date was printed or inferred goes with the date.
          if (f->name() == "date") {
            for (const char* companion : {"date_inferred", "date_note"}) {
              const FieldDescriptor* c = d->FindFieldByName(companion);
              if (c != nullptr) CopySingular(incoming, c, base);
            }
          }
          continue;
        }
        if (IsDateRefinement(*db, *da)) continue;
      }
    }
    AddClaim(base, f->name(), a, base_cite);
    AddClaim(base, f->name(), b, in_cite);
    report->conflicts.push_back(absl::StrCat(NameOf(*base), " ", f->name(), ": ", a, " (",
                                             base_files, ") vs ", b, " (", file, ")"));
  }
}

}  // namespace

absl::Status UpsertDatasetRecord(ResourceTableBase& table, const google::protobuf::Message& record,
                                 const DatasetReport& report, absl::string_view origin,
                                 DatasetLoadSummary& summary) {
  std::unique_ptr<Message> copy(record.New());
  copy->CopyFrom(record);
  const std::string name = NameOf(record);
  bool existed = false;
  if (absl::StatusOr<std::string> id = table.IdOf(name, "name"); id.ok()) {
    std::unique_ptr<Message> existing(record.New());
    absl::StatusOr<bool> found = table.FindRaw(*id, existing.get());
    if (!found.ok()) return found.status();
    existed = *found;
  }
  absl::StatusOr<bool> changed = table.UpsertRaw(copy.get(), origin, /*sync=*/false);
  if (!changed.ok()) {
    const absl::Status& s = changed.status();
    if (!absl::IsInvalidArgument(s) && !absl::IsAlreadyExists(s) &&
        !absl::IsFailedPrecondition(s) && !absl::IsNotFound(s)) {
      return s;
    }
    auto files = report.files_of.find(name);
    summary.rejected.push_back(absl::StrCat(
        name, " (", files == report.files_of.end() ? "" : absl::StrJoin(files->second, ", "),
        "): ", s.message()));
    return absl::OkStatus();
  }
  if (!*changed) {
    ++summary.unchanged;
  } else if (existed) {
    ++summary.updated;
  } else {
    ++summary.created;
  }
  return absl::OkStatus();
}

bool DatesRefineEachOther(const std::vector<std::string>& values) {
  std::vector<common::v1::PartialDate> dates;
  for (const std::string& v : values) {
    absl::StatusOr<common::v1::PartialDate> d = ParsePartialDate(v, "claim");
    if (!d.ok()) return false;
    dates.push_back(*d);
  }
  for (const auto& a : dates) {
    for (const auto& b : dates) {
      if (!IsDateRefinement(a, b) && !IsDateRefinement(b, a)) return false;
    }
  }
  return true;
}

absl::Status LoadDatasetDir(const std::string& dir, Message* merged, DatasetReport* report) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return absl::OkStatus();
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && absl::EndsWith(entry.path().string(), ".txtpb")) {
      files.push_back(entry.path().string());
    }
  }
  if (ec)
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", dir, ": ", ec.message()));
  std::sort(files.begin(), files.end());
  const google::protobuf::Descriptor* d = merged->GetDescriptor();
  // Per repeated field: name → index in merged.
  std::map<const FieldDescriptor*, std::map<std::string, int>> index;
  std::string digest_input;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const std::string file = fs::path(path).filename().string();
    absl::StrAppend(&digest_input, file, "\n", text, "\n");
    report->files.push_back(path);
    std::unique_ptr<Message> part(merged->New());
    google::protobuf::TextFormat::Parser parser;
    Collector collector(path, &report->errors);
    parser.RecordErrorsTo(&collector);
    if (!parser.ParseFromString(text, part.get())) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (!f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      const Reflection* pr = part->GetReflection();
      for (int k = 0; k < pr->FieldSize(*part, f); ++k) {
        const Message& record = pr->GetRepeatedMessage(*part, f, k);
        const std::string name = NameOf(record);
        if (name.empty()) {
          report->errors.push_back(
              absl::StrCat(path, ": ", f->name(), "[", k, "]: name is required"));
          continue;
        }
        auto& files_of = report->files_of[name];
        auto it = index[f].find(name);
        if (it == index[f].end()) {
          index[f][name] = merged->GetReflection()->FieldSize(*merged, f);
          merged->GetReflection()->AddMessage(merged, f)->CopyFrom(record);
        } else {
          Message* base = merged->GetReflection()->MutableRepeatedMessage(merged, f, it->second);
          std::string base_files;
          for (const std::string& bf : files_of)
            absl::StrAppend(&base_files, base_files.empty() ? "" : ", ", bf);
          MergeRecord(base, record, base_files, file, report);
        }
        if (std::find(files_of.begin(), files_of.end(), file) == files_of.end())
          files_of.push_back(file);
      }
    }
  }
  report->digest = absl::StrFormat("%016x", StableHash64(digest_input));
  return absl::OkStatus();
}

absl::StatusOr<std::string> LoadedDatasetDigest(const storage::Store& store,
                                                storage::ColumnFamily cf) {
  absl::StatusOr<std::optional<std::string>> v =
      store.Get(cf, storage::Key().String("~dataset").Release());
  if (!v.ok()) return v.status();
  return v->value_or("");
}

absl::Status SetLoadedDatasetDigest(storage::Store& store, storage::ColumnFamily cf,
                                    absl::string_view digest) {
  storage::WriteBatch batch;
  batch.Put(cf, storage::Key().String("~dataset").Release(), std::string(digest));
  batch.set_sync(true);
  return store.Write(std::move(batch)).status();
}

absl::Status UnparsedDatasetError(const std::string& dir, const DatasetReport& report) {
  return absl::FailedPreconditionError(
      absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
}

}  // namespace regenatlas
