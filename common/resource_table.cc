#include "common/resource_table.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "common/paging.h"
#include "common/records.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace regenatlas {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// `options` with resource_field defaulted to the snake_case of the message
// type (PricePoint → price_point).
ResourceTableOptions WithResourceField(ResourceTableOptions options, const Message& prototype) {
  if (!options.resource_field.empty()) return options;
  for (char c : prototype.GetDescriptor()->name()) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) {
      if (!options.resource_field.empty()) options.resource_field += '_';
      options.resource_field += absl::ascii_tolower(static_cast<unsigned char>(c));
    } else {
      options.resource_field += c;
    }
  }
  return options;
}

// Fields the server owns; a client can neither set nor update them.
const std::set<std::string>& OutputOnlyFields() {
  static const auto* fields =
      new std::set<std::string>{"name", "etag", "create_time", "update_time"};
  return *fields;
}

void SetString(Message* m, const char* field, const std::string& value) {
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(field);
  if (f != nullptr) m->GetReflection()->SetString(m, f, value);
}

std::string GetString(const Message& m, const char* field) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(field);
  return f == nullptr ? std::string() : m.GetReflection()->GetString(m, f);
}

void SetTime(Message* m, const char* field, absl::Time t) {
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(field);
  if (f == nullptr) return;
  m->GetReflection()->MutableMessage(m, f)->CopyFrom(ToProtoTime(t));
}

void CopyField(const Message& from, Message* to, const char* field) {
  const FieldDescriptor* f = from.GetDescriptor()->FindFieldByName(field);
  if (f == nullptr) return;
  if (from.GetReflection()->HasField(from, f)) {
    to->GetReflection()->MutableMessage(to, f)->CopyFrom(from.GetReflection()->GetMessage(from, f));
  } else {
    to->GetReflection()->ClearField(to, f);
  }
}

// Top-level fields whose values differ between a and b (output-only excluded).
std::vector<std::string> ChangedFields(const Message& a, const Message& b) {
  std::vector<std::string> out;
  const google::protobuf::Descriptor* d = a.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (OutputOnlyFields().count(f->name())) continue;
    google::protobuf::util::MessageDifferencer diff;
    std::vector<const FieldDescriptor*> fields = {f};
    if (!diff.CompareWithFields(a, b, fields, fields)) out.push_back(f->name());
  }
  return out;
}

}  // namespace

ResourceTableBase::ResourceTableBase(storage::Store* store, absl::Mutex* write_mu,
                                     ResourceTableOptions options, Validator validate,
                                     Indexer index_keys, const Message* prototype)
    : store_(store),
      write_mu_(write_mu),
      options_(WithResourceField(std::move(options), *prototype)),
      records_(options_.records_cf, options_.collection),
      // Size limits first, for every resource: nothing oversized reaches
      // the domain validator, the index or the store.
      validate_(
          [validate = std::move(validate), field = options_.resource_field](const Message& m) {
            RETURN_IF_ERROR(ValidateSizes(m, field));
            return validate ? validate(m) : absl::OkStatus();
          }),
      index_keys_(std::move(index_keys)) {
  TableIndexOptions index;
  index.collection = options_.collection;
  index.records_cf = options_.records_cf;
  index.index_cf = options_.index_cf;
  index.postings = options_.postings;
  index.memory_fields = options_.memory_fields;
  index.order_fields = options_.order_fields;
  index.sort_key = options_.sort_key;
  index.version = options_.index_version;
  index.sort_below = options_.index_sort_below;
  index.sort_share = options_.index_sort_share;
  index.max_counters = options_.index_max_counters;
  index.max_counter_groups = options_.index_max_counter_groups;
  index_ = std::make_unique<TableIndex>(store_, std::move(index), prototype);
  // Errors stay in index_->status(), returned by lists and writes.
  index_->Load().IgnoreError();
}

absl::StatusOr<std::string> ResourceTableBase::IdOf(absl::string_view name,
                                                    absl::string_view field) const {
  return ParseResourceName(name, options_.collection, field);
}

void ResourceTableBase::StageWrite(storage::WriteBatch& batch, absl::string_view id,
                                   const Message* old_record, const Message* record,
                                   common::v1::ChangeKind kind, absl::string_view origin,
                                   const std::vector<std::string>& changed_fields) const {
  std::vector<std::string> old_keys, new_keys;
  if (old_record != nullptr) old_keys = index_keys_(*old_record);
  if (record != nullptr) new_keys = index_keys_(*record);
  std::sort(old_keys.begin(), old_keys.end());
  std::sort(new_keys.begin(), new_keys.end());
  // Only the index entries that differ are touched.
  for (const std::string& k : old_keys) {
    if (!std::binary_search(new_keys.begin(), new_keys.end(), k)) {
      batch.Delete(options_.index_cf, k);
    }
  }
  for (const std::string& k : new_keys) {
    if (!std::binary_search(old_keys.begin(), old_keys.end(), k)) {
      batch.Put(options_.index_cf, k, "");
    }
  }
  index_->Stage(batch, id, old_record, record);
  // The record's bytes go both to its key and into the change-log entry
  // (what Any::PackFrom would serialize again).
  const Message& changed = record != nullptr ? *record : *old_record;
  std::string bytes = changed.SerializeAsString();
  common::v1::ResourceChange change;
  change.set_name(NameOf(id));
  change.set_kind(kind);
  change.mutable_resource()->set_type_url(
      absl::StrCat("type.googleapis.com/", changed.GetDescriptor()->full_name()));
  if (record != nullptr) {
    change.mutable_resource()->set_value(bytes);
    records_.PutSerialized(batch, id, std::move(bytes));
  } else {
    change.mutable_resource()->set_value(std::move(bytes));
    records_.Delete(batch, id);
  }
  change.set_origin(std::string(origin));
  for (const std::string& f : changed_fields) change.add_changed_fields(f);
  batch.AppendChange(options_.change_stream, change.SerializeAsString());
}

absl::Status ResourceTableBase::CreateRaw(absl::string_view id, Message* record,
                                          absl::string_view origin) {
  RETURN_IF_ERROR(ValidateResourceId(id, absl::StrCat(options_.resource_field, "_id")));
  SetString(record, "name", NameOf(id));
  if (reference_check_) {
    RETURN_IF_ERROR(validate_(*record));
    RETURN_IF_ERROR(reference_check_(*record));
  }
  RETURN_IF_ERROR(index_->status());
  absl::MutexLock lock(write_mu_);
  // Validation runs under the lock so that reference checks see the state
  // the write commits against.
  RETURN_IF_ERROR(validate_(*record));
  std::unique_ptr<Message> existing(record->New());
  absl::StatusOr<bool> found = records_.Get(*store_, id, existing.get());
  if (!found.ok()) return found.status();
  if (*found) return absl::AlreadyExistsError(absl::StrCat(NameOf(id), " already exists"));
  storage::WriteBatch batch;
  if (write_hook_) {
    WriteContext ctx{id, nullptr, record, &batch};
    RETURN_IF_ERROR(write_hook_(ctx));
  }
  const absl::Time now = options_.clock();
  SetTime(record, "create_time", now);
  SetTime(record, "update_time", now);
  StampEtag(record);
  StageWrite(batch, id, nullptr, record, common::v1::CHANGE_KIND_CREATED, origin, {});
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<bool> ResourceTableBase::FindRaw(absl::string_view id, Message* out,
                                                const storage::Snapshot* snapshot) const {
  return records_.Get(*store_, id, out, snapshot);
}

absl::Status ResourceTableBase::GetRaw(absl::string_view name, Message* out,
                                       const storage::Snapshot* snapshot) const {
  absl::StatusOr<std::string> id = IdOf(name, "name");
  if (!id.ok()) return id.status();
  absl::StatusOr<bool> found = records_.Get(*store_, *id, out, snapshot);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError(absl::StrCat(name, " not found"));
  return absl::OkStatus();
}

absl::Status ResourceTableBase::UpdateRaw(const Message& patch,
                                          const google::protobuf::FieldMask& mask,
                                          absl::string_view origin, Message* out) {
  const std::string name = GetString(patch, "name");
  absl::StatusOr<std::string> id = IdOf(name, absl::StrCat(options_.resource_field, ".name"));
  if (!id.ok()) return id.status();
  google::protobuf::FieldMask effective = mask;
  if (effective.paths_size() == 0) {
    // No mask: every field the patch sets, as AIP-134 allows.
    google::protobuf::FieldMask set;
    std::vector<const FieldDescriptor*> fields;
    patch.GetReflection()->ListFields(patch, &fields);
    for (const FieldDescriptor* f : fields) {
      if (!OutputOnlyFields().count(f->name())) set.add_paths(f->name());
    }
    effective = set;
  }
  for (const std::string& path : effective.paths()) {
    if (!google::protobuf::util::FieldMaskUtil::GetFieldDescriptors(patch.GetDescriptor(), path,
                                                                    nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: unknown field \"", path, "\""));
    }
    std::string top = path.substr(0, path.find('.'));
    if (OutputOnlyFields().count(top)) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: \"", path, "\" is output only"));
    }
  }
  google::protobuf::util::FieldMaskUtil::MergeOptions merge;
  merge.set_replace_message_fields(true);
  merge.set_replace_repeated_fields(true);
  if (reference_check_) {
    // Checked on the record as it would be now; the write below merges
    // again under the lock.
    std::unique_ptr<Message> preview(patch.New());
    absl::StatusOr<bool> found = records_.Get(*store_, *id, preview.get());
    if (!found.ok()) return found.status();
    if (!*found) return absl::NotFoundError(absl::StrCat(name, " not found"));
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, effective, merge, preview.get());
    RETURN_IF_ERROR(validate_(*preview));
    RETURN_IF_ERROR(reference_check_(*preview));
  }
  RETURN_IF_ERROR(index_->status());
  absl::MutexLock lock(write_mu_);
  std::unique_ptr<Message> current(patch.New());
  absl::StatusOr<bool> found = records_.Get(*store_, *id, current.get());
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError(absl::StrCat(name, " not found"));
  const std::string etag = GetString(patch, "etag");
  if (!etag.empty() && etag != GetString(*current, "etag")) {
    return absl::AbortedError(absl::StrCat("etag: ", name,
                                           " has changed since it was read (current etag ",
                                           GetString(*current, "etag"), ")"));
  }
  out->CopyFrom(*current);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, effective, merge, out);
  RETURN_IF_ERROR(validate_(*out));
  storage::WriteBatch batch;
  if (write_hook_) {
    WriteContext ctx{*id, current.get(), out, &batch};
    RETURN_IF_ERROR(write_hook_(ctx));
  }
  std::vector<std::string> changed = ChangedFields(*current, *out);
  if (changed.empty()) return absl::OkStatus();
  SetTime(out, "update_time", options_.clock());
  StampEtag(out);
  StageWrite(batch, *id, current.get(), out, common::v1::CHANGE_KIND_UPDATED, origin, changed);
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<bool> ResourceTableBase::UpsertRaw(Message* record, absl::string_view origin,
                                                  bool sync) {
  absl::StatusOr<std::string> id = IdOf(GetString(*record, "name"), "name");
  if (!id.ok()) return id.status();
  if (reference_check_) {
    RETURN_IF_ERROR(validate_(*record));
    RETURN_IF_ERROR(reference_check_(*record));
  }
  RETURN_IF_ERROR(index_->status());
  absl::MutexLock lock(write_mu_);
  RETURN_IF_ERROR(validate_(*record));
  std::unique_ptr<Message> current(record->New());
  absl::StatusOr<bool> found = records_.Get(*store_, *id, current.get());
  if (!found.ok()) return found.status();
  storage::WriteBatch batch;
  if (write_hook_) {
    WriteContext ctx{*id, *found ? current.get() : nullptr, record, &batch};
    RETURN_IF_ERROR(write_hook_(ctx));
  }
  const absl::Time now = options_.clock();
  std::vector<std::string> changed;
  if (*found) {
    changed = ChangedFields(*current, *record);
    if (changed.empty()) {
      record->CopyFrom(*current);
      return false;
    }
    CopyField(*current, record, "create_time");
  } else {
    SetTime(record, "create_time", now);
  }
  SetTime(record, "update_time", now);
  StampEtag(record);
  StageWrite(batch, *id, *found ? current.get() : nullptr, record,
             *found ? common::v1::CHANGE_KIND_UPDATED : common::v1::CHANGE_KIND_CREATED, origin,
             changed);
  batch.set_sync(sync);
  RETURN_IF_ERROR(store_->Write(std::move(batch)).status());
  return true;
}

absl::Status ResourceTableBase::DeleteRaw(absl::string_view name, absl::string_view etag,
                                          absl::string_view origin, Message* current) {
  absl::StatusOr<std::string> id = IdOf(name, "name");
  if (!id.ok()) return id.status();
  RETURN_IF_ERROR(index_->status());
  absl::MutexLock lock(write_mu_);
  absl::StatusOr<bool> found = records_.Get(*store_, *id, current);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError(absl::StrCat(name, " not found"));
  if (!etag.empty() && etag != GetString(*current, "etag")) {
    return absl::AbortedError(absl::StrCat("etag: ", name,
                                           " has changed since it was read (current etag ",
                                           GetString(*current, "etag"), ")"));
  }
  storage::WriteBatch batch;
  if (write_hook_) {
    WriteContext ctx{*id, current, nullptr, &batch};
    RETURN_IF_ERROR(write_hook_(ctx));
  }
  StageWrite(batch, *id, current, nullptr, common::v1::CHANGE_KIND_DELETED, origin, {});
  return store_->Write(std::move(batch)).status();
}

absl::Status ResourceTableBase::BatchGetRaw(
    const google::protobuf::RepeatedPtrField<std::string>& names,
    const std::function<Message*()>& add) const {
  if (names.size() > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("names: at most ", kMaxPageSize, " per call"));
  }
  // Malformed names are refused before anything is read.
  std::vector<std::string> ids;
  ids.reserve(names.size());
  for (int i = 0; i < names.size(); ++i) {
    ASSIGN_OR_RETURN(std::string id, IdOf(names[i], absl::StrCat("names[", i, "]")));
    ids.push_back(std::move(id));
  }
  std::shared_ptr<const storage::Snapshot> snapshot = store_->NewSnapshot();
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSIGN_OR_RETURN(bool found, records_.Get(*store_, ids[i], add(), snapshot.get()));
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("names[", i, "]: ", names[static_cast<int>(i)], " not found"));
    }
  }
  return absl::OkStatus();
}

absl::Status ResourceTableBase::ScanAll(
    const storage::Snapshot* snapshot,
    const std::function<bool(absl::string_view, absl::string_view)>& fn) const {
  return records_.Scan(*store_, "", snapshot, fn);
}

}  // namespace regenatlas
